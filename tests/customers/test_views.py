"""The contact and company pages as a user drives them: forms, lists, bulk actions, views."""

import pytest

from clientela.core import record_services
from clientela.core.models import CustomField, FieldType, SavedView
from clientela.customers import services
from clientela.customers.models import Company, Contact


@pytest.fixture
def ana(user):
    return services.quick_add_contact(
        actor=user, name="Ana Popescu", email="ana@firma.ro", company_name="Firma SRL"
    )


@pytest.mark.django_db
def test_create_contact_with_custom_field_and_see_it(user_client, user):
    CustomField.objects.create(
        record_type="contact",
        key="segment",
        label="Segment",
        field_type=FieldType.CHOICE,
        choices=["retail", "wholesale"],
    )
    form = {
        "given_name": "Lucía",
        "family_name": "Fernández",
        "company": "Hermanos Ruiz SL",
        "emails": "lucia@ruiz.es\nlucia.f@gmail.com",
        "phones": "+34 612 34 56 78",
        "lifecycle_stage": Contact._meta.get_field("lifecycle_stage")
        .related_model.objects.get(key="prospect")
        .pk,
        "source": "referral",
        "owner": user.pk,
        "tags": "vip, feria",
        "custom__segment": "retail",
    }
    response = user_client.post("/contacts/new/", form)
    contact = Contact.objects.get(full_name="Lucía Fernández")
    assert response.status_code == 302 and response["Location"] == contact.get_absolute_url()
    assert contact.custom == {"segment": "retail"}
    assert contact.email == "lucia@ruiz.es" and contact.phone == "+34612345678"
    page = user_client.get(contact.get_absolute_url()).content.decode()
    for text in (
        "Lucía Fernández",
        "Hermanos Ruiz SL",
        "lucia.f@gmail.com",
        "+34 612 34 56 78",
        "Segment",
        "retail",
        "feria",
    ):
        assert text in page
    assert 'href="tel:+34612345678"' in page and 'href="mailto:lucia@ruiz.es"' in page


@pytest.mark.django_db
def test_bad_input_keeps_what_was_typed_and_says_why(user_client):
    response = user_client.post(
        "/contacts/new/",
        {
            "full_name": "Pablo Moreno",
            "phones": "call me maybe",
            "lifecycle_stage": 1,
            "source": "web",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "is not a phone number" in page
    assert 'value="Pablo Moreno"' in page
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_stale_form_is_refused_with_a_clear_message(user_client, user, ana):
    form_page = user_client.get(f"/contacts/{ana.pk}/edit/").content.decode()
    assert f'name="version" value="{ana.version}"' in form_page
    services.update_contact(
        actor=user, contact=ana, data={"position": "CEO"}, expected_version=None
    )
    response = user_client.post(
        f"/contacts/{ana.pk}/edit/",
        {
            "full_name": "Ana Popescu",
            "position": "Intern",
            "lifecycle_stage": ana.lifecycle_stage_id,
            "source": "manual",
            "version": ana.version - 1,
        },
    )
    assert response.status_code == 200
    assert "was changed by someone else after you opened it" in response.content.decode()
    assert Contact.objects.get(pk=ana.pk).position == "CEO"


@pytest.mark.django_db
def test_list_filters_sort_and_columns(user_client, user, make_user):
    from clientela.users.services import team_named

    sales = team_named("Sales")
    other = make_user(email="jose@x.es", full_name="José Martínez", team=sales)
    user.team = sales
    user.save()
    for name, owner in [("Zoe Adams", user), ("Andrei Popa", other), ("Maria Ionescu", user)]:
        services.quick_add_contact(actor=owner, name=name, email=f"{name.split()[0].lower()}@x.ro")
    page = user_client.get("/contacts/?owner=me&sort=-name&cols=name,email").content.decode()
    assert page.index("Zoe Adams") < page.index("Maria Ionescu")
    assert "Andrei Popa" not in page
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert "zoe@x.ro" in page and "E-mail" in header and "Stage" not in header
    searched = user_client.get("/contacts/?q=andrei").content.decode()
    assert "Andrei Popa" in searched and "Zoe Adams" not in searched


@pytest.mark.django_db
def test_list_search_by_the_start_of_a_phone_or_digits_anywhere(user_client, user, settings):
    settings.PHONE_REGION = "RO"
    services.quick_add_contact(actor=user, name="Radu Pop", phone="0722 123 456")
    services.quick_add_contact(actor=user, name="Dana Pop", phone="0733 123 456")
    services.quick_add_contact(
        actor=user, name="Ion Stan", email="ion@fabrica.ro", company_name="Fabrica 2000"
    )

    def listed(query):
        page = user_client.get("/contacts/", {"q": query}).content.decode()
        return [name for name in ("Radu Pop", "Dana Pop", "Ion Stan") if name in page]

    assert listed("0722 12") == ["Radu Pop"]
    assert listed("+40 733") == ["Dana Pop"]
    assert listed("40722") == ["Radu Pop"]  # international, without its plus
    assert listed("123 456") == ["Radu Pop", "Dana Pop"]  # no number starts so: anywhere
    assert listed("2000") == ["Ion Stan"]  # digits of the company's name


@pytest.mark.django_db
def test_list_filters_by_several_owners(user_client, user, make_user):
    from clientela.users.services import role_named

    user.role = role_named("manager")  # sees everyone's contacts
    user.save()
    jose = make_user(email="jose@x.es", full_name="José Martínez")
    dana = make_user(email="dana@x.ro", full_name="Dana Pop")
    for name, owner in [("Zoe Adams", user), ("Andrei Popa", jose), ("Maria Ionescu", dana)]:
        services.quick_add_contact(actor=owner, name=name, email=f"{name.split()[0].lower()}@x.ro")
    page = user_client.get(f"/contacts/?owner={user.pk},{jose.pk}").content.decode()
    assert "Zoe Adams" in page and "Andrei Popa" in page
    assert "Maria Ionescu" not in page


@pytest.mark.django_db
def test_keyset_pages_walk_the_whole_list_once(user_client, user):
    for i in range(120):
        services.create_contact(actor=user, data={"full_name": f"Person {i:03d}"})
    seen, url = [], "/contacts/?cols=name"
    while url:
        response = user_client.get(url)
        page = response.content.decode()
        seen += [line.split(">")[1].split("<")[0] for line in page.split('class="cell-link"')[1:]]
        marker = 'rel="next"'
        url = None
        if marker in page:
            href = page[: page.index(marker)].rsplit('href="', 1)[1].split('"')[0]
            url = "/contacts/" + href.replace("&amp;", "&")
    assert seen == [f"Person {i:03d}" for i in range(120)]


@pytest.mark.django_db
def test_bulk_assign_asks_first_then_does_it(user_client, user, make_user):
    jose = make_user(email="jose@x.es", full_name="José Martínez")
    ids = [
        services.quick_add_contact(actor=user, name=f"P {i}", email=f"p{i}@x.ro").pk
        for i in range(3)
    ]
    form = {"action": "assign", "ids": ids, "owner": jose.pk}
    confirm = user_client.post("/lists/contact/bulk/", form)
    assert "Assign 3 records to José Martínez?" in confirm.content.decode()
    assert not Contact.objects.filter(owner=jose).exists()
    done = user_client.post("/lists/contact/bulk/", {**form, "confirm": "yes"})
    assert done.status_code == 302
    assert Contact.objects.filter(owner=jose).count() == 3


@pytest.mark.django_db
def test_bulk_trash_can_be_undone(user_client, user):
    ids = [
        services.quick_add_contact(actor=user, name=f"P {i}", email=f"p{i}@x.ro").pk
        for i in range(2)
    ]
    user_client.post("/lists/contact/bulk/", {"action": "trash", "ids": ids, "confirm": "yes"})
    assert not Contact.objects.filter(deleted_at__isnull=True).exists()
    listing = user_client.get("/contacts/").content.decode()
    assert "2 records moved to the trash." in listing and "Undo" in listing
    user_client.post("/trash/undo/")
    assert Contact.objects.filter(deleted_at__isnull=True).count() == 2


@pytest.mark.django_db
def test_saved_view_is_listed_and_opens_its_filters(user_client, user):
    user_client.post("/lists/contact/views/", {"name": "My leads", "query": "owner=me&stage=lead"})
    view = SavedView.objects.get(user=user)
    page = user_client.get("/contacts/").content.decode()
    assert "My leads" in page and "?owner=me&amp;stage=lead" in page
    assert view.query == "owner=me&stage=lead"


@pytest.mark.django_db
def test_quick_add_check_names_the_suspect(user_client, ana):
    fragment = user_client.get(
        "/contacts/quick-add/check/", {"email": "ANA@firma.ro"}
    ).content.decode()
    assert "Ana Popescu" in fragment and "same e-mail" in fragment
    assert (
        user_client.get("/contacts/quick-add/check/", {"email": "x@y.z"}).content.decode().strip()
        == ""
    )


@pytest.mark.django_db
def test_palette_and_search_page(user_client, ana):
    palette = user_client.get("/search/palette/", {"q": "popes"}).content.decode()
    assert "Ana Popescu" in palette and ana.get_absolute_url() in palette
    page = user_client.get("/search/", {"q": "nobody-here"}).content.decode()
    assert "No matches" in page


@pytest.mark.django_db
def test_unknown_or_trashed_records_are_404(user_client, user, ana):
    assert user_client.get("/contacts/999999/").status_code == 404
    record_services.move_to_trash(actor=user, records=[ana])
    assert user_client.get(ana.get_absolute_url()).status_code == 404
    assert (
        user_client.post(
            f"/records/contact:{ana.pk}/log/", {"kind": "note", "body": "x"}
        ).status_code
        == 404
    )
    assert (
        user_client.post("/records/bogus:1/log/", {"kind": "note", "body": "x"}).status_code == 404
    )


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.django_db
def test_inline_edit_saves_quietly_and_refreshes_the_header(user_client, user, ana):
    form = user_client.get(f"/records/contact/{ana.pk}/inline/", **HTMX).content.decode()
    assert 'value="Ana Popescu"' in form and f'name="version" value="{ana.version}"' in form
    response = user_client.post(
        f"/records/contact/{ana.pk}/inline/",
        {
            "full_name": "Ana Maria Popescu",
            "position": "CFO",
            "company": "Firma SRL",
            "lifecycle_stage": ana.lifecycle_stage_id,
            "owner": user.pk,
            "version": ana.version,
        },
        **HTMX,
    )
    page = response.content.decode()
    assert "Saved" in page and 'hx-swap-oob="true"' in page and "Ana Maria Popescu" in page
    ana.refresh_from_db()
    assert (ana.full_name, ana.given_name, ana.family_name, ana.position, ana.owner) == (
        "Ana Maria Popescu",
        "Ana",
        "Maria Popescu",
        "CFO",
        user,
    )


@pytest.mark.django_db
def test_inline_edit_on_an_old_version_keeps_the_typing_and_says_why(user_client, user, ana):
    old_version = ana.version
    services.update_contact(
        actor=user, contact=ana, data={"next_step": "Call"}, expected_version=None
    )
    response = user_client.post(
        f"/records/contact/{ana.pk}/inline/",
        {"full_name": "Ana P.", "lifecycle_stage": ana.lifecycle_stage_id, "version": old_version},
        **HTMX,
    )
    page = response.content.decode()
    assert "was changed by someone else" in page and 'value="Ana P."' in page
    assert Contact.objects.get(pk=ana.pk).full_name == "Ana Popescu"


@pytest.mark.django_db
def test_two_selected_companies_open_the_merge_page(user_client, user):
    from clientela.customers.models import Company
    from clientela.users.services import role_named

    user.role = role_named("manager")  # sees tax ids, so may choose between them
    user.save()
    a = services.create_company(actor=user, data={"name": "Acme SRL", "website": "https://acme.ro"})
    b = services.create_company(actor=user, data={"name": "ACME S.R.L.", "tax_id": "RO123"})
    one = user_client.post("/lists/company/bulk/", {"action": "merge", "ids": [a.pk]}, follow=True)
    assert "Select exactly two records to merge." in one.content.decode()
    response = user_client.post("/lists/company/bulk/", {"action": "merge", "ids": [a.pk, b.pk]})
    assert response["Location"] == f"/merge/company/{a.pk}/{b.pk}/"
    page = user_client.get(response["Location"]).content.decode()
    assert "Merge ACME S.R.L. into Acme SRL" in page
    user_client.post(response["Location"], {"tax_id": "duplicate"})
    merged = Company.objects.get(pk=a.pk)
    assert merged.tax_id == "RO123" and merged.website == "https://acme.ro"
    assert Company.objects.get(pk=b.pk).deleted_at is not None


@pytest.mark.django_db
def test_list_cells_show_typed_markup_as_text_and_link_to_the_record(user_client, user):
    contact = services.quick_add_contact(
        actor=user,
        name='<img src=x onerror="alert(1)"> Ana & Co',
        email="ana@firma.ro",
        company_name='"Firma" <SRL>',
    )
    page = user_client.get("/contacts/?cols=name,company,email,updated").content.decode()
    row = page[page.index(f'name="ids" value="{contact.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "<img" not in page
    assert (
        f'<a href="/contacts/{contact.pk}/" class="cell-link">'
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Ana &amp; Co</a>" in row
    )
    assert (
        f'<a href="/companies/{contact.company_id}/" class="cell-link">'
        "&quot;Firma&quot; &lt;SRL&gt;</a>" in row
    )
    assert '<a href="mailto:ana@firma.ro">ana@firma.ro</a>' in row
    # The exact time is the browser's to show on hover (tests/e2e/test_customer_walk.py).
    stamp = contact.updated_at.isoformat(timespec="seconds")
    assert f'<td><time datetime="{stamp}">now</time></td>' in row


def test_record_url_is_reverse_with_the_script_prefix():
    from django.urls import reverse, set_script_prefix

    from clientela.core.links import record_url

    assert (
        record_url("customers:contact-detail", 42)
        == reverse("customers:contact-detail", args=[42])
        == "/contacts/42/"
    )
    assert record_url("orders:detail", "7") == reverse("orders:detail", args=[7])
    set_script_prefix("/crm/")
    try:
        assert record_url("customers:company-detail", 5) == "/crm/companies/5/"
    finally:
        set_script_prefix("/")


def test_a_website_stored_as_script_is_shown_as_text_never_as_a_link(user_client, user):
    company = services.create_company(actor=user, data={"name": "Fabrica SRL"})
    # Stored before the services refused such addresses.
    Company.objects.filter(pk=company.pk).update(website="javascript://%0Aalert(1)")
    listed = user_client.get("/companies/?cols=name,website").content.decode()
    shown = user_client.get(f"/companies/{company.pk}/").content.decode()
    for page in (listed, shown):
        assert "javascript://%0Aalert(1)" in page
        assert 'href="javascript:' not in page
