"""Company fields offer the companies like what is typed and warn before a second
"Livada Verde" is made beside "Livada Verde SRL"; the full contact form warns of a known
e-mail or phone as quick add does."""

from __future__ import annotations

import pytest

from clientela.customers import services
from clientela.customers.duplicates import company_key, company_suspects
from clientela.customers.models import Company, Contact
from clientela.deals import services as deal_services
from clientela.deals.models import Deal
from clientela.users.services import create_user, team_named

pytestmark = pytest.mark.django_db


@pytest.fixture
def livada(user):
    return services.create_company(actor=user, data={"name": "Livada Verde SRL"})


def test_legal_forms_do_not_make_a_company_another():
    assert company_key("SC Livada Verde S.R.L.") == "livada verde"
    assert company_key("Livada  Verde") == "livada verde"
    assert company_key("SRL") == "srl"  # a name that is only a legal form stays itself


def test_similar_names_are_suspects_within_what_the_user_sees(user, livada):
    services.create_company(actor=user, data={"name": "Livada Roșie SRL"})
    assert company_suspects(user, name="Livada Verde") == [livada]
    assert company_suspects(user, name="livada verde s.r.l") == [livada]
    assert company_suspects(user, name="Livada Verde SRL") == []  # itself, not a suspect
    stranger = create_user(email="b@firma-b.ro", team=team_named("B"))
    assert company_suspects(stranger, name="Livada Verde") == []  # a rep sees their team's


def test_typing_offers_the_company_and_a_new_one(user_client, livada):
    page = user_client.get("/companies/suggest/?q=Livada Verde").content.decode()
    assert 'data-suggestion="Livada Verde SRL"' in page
    assert 'data-suggestion="Livada Verde" data-new-company' in page
    exact = user_client.get("/companies/suggest/?q=livada verde srl").content.decode()
    assert 'data-suggestion="Livada Verde SRL"' in exact and "data-new-company" not in exact
    assert user_client.get("/companies/suggest/?q=").content.decode().strip() == ""


def _quick_add(client, **extra):
    data = {"name": "Ioana Pomi", "email": "ioana@pomi.ro", "company": "Livada Verde", **extra}
    return client.post("/contacts/quick-add/", data)


def test_quick_add_warns_of_a_similar_company_and_takes_the_one_picked(user_client, livada):
    warned = _quick_add(user_client)
    page = warned.content.decode()
    assert warned.status_code == 200 and not Contact.objects.exists()
    assert "Looks like Livada Verde SRL" in page
    assert 'data-pick-company="Livada Verde SRL"' in page
    assert 'name="company_new" value="Livada Verde"' in page
    picked = _quick_add(user_client, company="Livada Verde SRL")
    assert picked.status_code == 302
    assert Contact.objects.get().company == livada
    assert Company.objects.count() == 1


def test_a_new_company_is_made_once_the_person_confirms_it(user_client, livada):
    response = _quick_add(user_client, company_new="Livada  Verde")
    assert response.status_code == 302
    assert Contact.objects.get().company.name == "Livada Verde"
    assert Company.objects.count() == 2


def test_the_full_contact_form_warns_of_a_known_email_and_a_similar_company(
    user_client, user, livada
):
    services.quick_add_contact(actor=user, name="Ioana Dumitrescu", email="ioana@pomi.ro")
    stage = Contact.objects.get().lifecycle_stage_id
    form = {
        "full_name": "Ioana D.",
        "emails": "IOANA@pomi.ro",
        "lifecycle_stage": stage,
        "source": "manual",
    }
    warned = user_client.post("/contacts/new/", form)
    page = warned.content.decode()
    assert warned.status_code == 200 and Contact.objects.count() == 1
    assert "Already in Clientela?" in page and "Ioana Dumitrescu" in page
    assert "same e-mail" in page and "Add anyway" in page
    added = user_client.post("/contacts/new/", {**form, "confirm_duplicate": "yes"})
    assert added.status_code == 302 and Contact.objects.count() == 2
    # A company like one already there stops the form too, whatever else it says.
    other = {**form, "full_name": "Radu Pomi", "emails": "radu@pomi.ro", "company": "Livada Verde"}
    company_warned = user_client.post("/contacts/new/", other)
    assert "Looks like Livada Verde SRL" in company_warned.content.decode()
    assert Contact.objects.count() == 2 and Company.objects.count() == 1


def test_the_deal_form_warns_of_a_similar_company(user_client, user, livada):
    stage = deal_services.ensure_pipeline().stages.first()
    form = {
        "name": "Meri 2027",
        "company": "Livada verde",
        "stage": stage.pk,
        "currency": "RON",
        "source": "web",
        "owner": user.pk,
    }
    warned = user_client.post("/deals/new/", form)
    assert "Looks like Livada Verde SRL" in warned.content.decode()
    assert not Deal.objects.exists()
    user_client.post("/deals/new/", {**form, "company": "Livada Verde SRL"})
    assert Deal.objects.get().company == livada


def test_the_company_form_warns_of_a_company_like_it_and_not_of_itself(user_client, livada):
    form = {"name": "Livada Verde", "status": "active"}
    warned = user_client.post("/companies/new/", form)
    page = warned.content.decode()
    assert "Looks like Livada Verde SRL" in page and livada.get_absolute_url() in page
    assert Company.objects.count() == 1
    assert (
        user_client.post("/companies/new/", {**form, "company_new": "Livada Verde"}).status_code
        == 302
    )
    assert Company.objects.count() == 2
    same = user_client.post("/companies/new/", {"name": "livada verde srl", "status": "active"})
    assert "Looks like Livada Verde SRL" in same.content.decode()
    unchanged = user_client.post(
        f"/companies/{livada.pk}/edit/",
        {"name": "Livada Verde SRL", "status": "active", "version": livada.version},
    )
    assert unchanged.status_code == 302
