"""The deal pages as a user sees them: board, list, deal, forms, moves, close, settings."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from clientela.activities import services as activity_services
from clientela.core.models import AuditEntry
from clientela.customers import services as customer_services
from clientela.deals import services
from clientela.deals.models import Deal, Pipeline, StageChange
from clientela.users.services import create_user, role_named
from tests.record_pages import shown


@pytest.fixture
def manager_client(client, people):
    client.force_login(people[0])
    return client


def test_board_list_deal_and_funnel_pages_show_the_deals(manager_client, pipeline, history):
    board = manager_client.get(f"/deals/pipeline/{pipeline.pk}/").content.decode()
    assert ">D3<" in board and ">D4<" in board and ">D1<" not in board  # won leave the board
    assert "6,900.50 RON" in board and "3,800.40 RON" in board
    listing = manager_client.get("/deals/list/").content.decode()
    assert all(f">D{i}<" in listing for i in range(1, 9))
    assert "2,500.50 RON" in listing
    won = manager_client.get("/deals/list/?status=won").content.decode()
    assert ">D1<" in won and ">D6<" in won and ">D3<" not in won
    funnel = manager_client.get(
        f"/deals/funnel/?pipeline={pipeline.pk}&from=2026-01-01&to=2026-01-31"
    ).content.decode()
    assert "83.3%" in funnel and "2,100.40 RON" in funnel


def test_deal_page_shows_stage_history_and_time_in_stage(manager_client, history):
    deal = Deal.objects.get(name="D1")
    page = manager_client.get(deal.get_absolute_url()).content.decode()
    assert "Stage history" in page and "Time in each stage" in page
    assert "A → <strong>B</strong>" in page and "B → <strong>C</strong>" in page
    assert "10 days" in page and "3 days" in page and "2 days" in page


def test_a_move_is_recorded_audited_and_refused_when_stale(manager_client, history):
    deal = Deal.objects.get(name="D3")
    b = history["b"]
    response = manager_client.post(
        f"/deals/{deal.pk}/move/", {"stage": b.pk, "version": deal.version, "next": "/deals/"}
    )
    assert response.status_code == 302 and response["Location"] == "/deals/"
    deal.refresh_from_db()
    assert deal.stage == b
    assert StageChange.objects.filter(deal=deal, to_stage=b).exists()
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Deal), object_id=deal.pk, action="move"
    ).get()
    assert entry.changes["stage"] == ["A", "B"]
    # The same form again, based on the old version: refused, nothing moves.
    stale = manager_client.post(
        f"/deals/{deal.pk}/move/",
        {"stage": history["c"].pk, "version": deal.version - 1},
        follow=True,
    )
    assert "changed by someone else" in stale.content.decode()
    deal.refresh_from_db()
    assert deal.stage == b


def test_won_and_lost_in_one_step_lost_needs_a_reason(manager_client, history):
    deal = Deal.objects.get(name="D3")
    page = manager_client.post(
        f"/deals/{deal.pk}/close/",
        {"outcome": "lost", "reason": "", "version": deal.version},
        follow=True,
    ).content.decode()
    assert "Say why the deal was lost." in page
    deal.refresh_from_db()
    assert deal.status == "open"
    manager_client.post(
        f"/deals/{deal.pk}/close/", {"outcome": "lost", "reason": "Price", "version": deal.version}
    )
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason) == ("lost", "Price")
    other = Deal.objects.get(name="D4")
    manager_client.post(f"/deals/{other.pk}/close/", {"outcome": "won", "version": other.version})
    other.refresh_from_db()
    assert other.status == "won" and other.closed_at is not None


def test_create_and_edit_a_deal_through_the_form(manager_client, people, pipeline, history):
    page = manager_client.get("/deals/new/")
    assert page.status_code == 200
    response = manager_client.post(
        "/deals/new/",
        {
            "name": "Cuptoare noi",
            "company": "Fabrica SRL",
            "stage": history["b"].pk,
            "amount": "12 500,50",
            "currency": "ron",
            "source": "referral",
            "owner": people[0].pk,
        },
    )
    deal = Deal.objects.get(name="Cuptoare noi")
    assert response["Location"] == deal.get_absolute_url()
    assert str(deal.amount) == "12500.50" and deal.currency == "RON"
    assert deal.company == history["company"] and deal.pipeline == pipeline
    bad = manager_client.post(
        f"/deals/{deal.pk}/edit/",
        {
            "name": "X",
            "stage": history["b"].pk,
            "amount": "lots",
            "currency": "RON",
            "source": "web",
            "version": deal.version,
        },
    )
    assert bad.status_code == 200 and "Enter an amount" in bad.content.decode()
    deal.refresh_from_db()
    assert deal.name == "Cuptoare noi"


def test_amounts_are_hidden_from_a_role_without_see_sensitive(client, people, history):
    rep = create_user(
        email="rep@firma.ro", role=role_named("sales-representative"), team=people[0].team
    )
    client.force_login(rep)
    deal = Deal.objects.get(name="D4")
    for url in ("/deals/", "/deals/list/", deal.get_absolute_url(), f"/deals/{deal.pk}/edit/"):
        body = client.get(url).content.decode()
        assert "D4" in body, url
        assert "2,500.50" not in body and "2500.50" not in body and "6,900.50" not in body, url
    # The rep's own deal: saving the form, which has no amount field, keeps the amount.
    services.update_deal(actor=people[0], deal=deal, data={"owner": rep}, expected_version=None)
    deal.refresh_from_db()
    client.post(
        f"/deals/{deal.pk}/edit/",
        {
            "name": "D4 renamed",
            "stage": deal.stage_id,
            "currency": "RON",
            "source": "web",
            "version": deal.version,
        },
    )
    deal.refresh_from_db()
    assert deal.name == "D4 renamed" and str(deal.amount) == "2500.50"


def test_a_deals_timeline_entry_shows_on_its_company_too(manager_client, people, history):
    deal = Deal.objects.get(name="D3")
    activity_services.log_activity(actor=people[0], record=deal, kind="note", body="Sent the offer")
    company = history["company"]
    assert "Sent the offer" in manager_client.get(deal.get_absolute_url()).content.decode()
    assert "Sent the offer" in shown(manager_client, company.get_absolute_url())


def test_pipeline_settings_add_rename_and_refuse_deleting_a_stage_with_deals(
    manager_client, client, people, pipeline, history
):
    admin = create_user(email="admin@firma.ro", administrator=True)
    assert manager_client.get("/settings/pipelines/").status_code == 403  # no manage_settings
    client.force_login(admin)
    assert client.get("/settings/pipelines/").status_code == 200
    stages = list(pipeline.stages.all())
    rows = {"name": "Renewals", "rows": "3"}
    for i, (name, probability) in enumerate([("Due", "20"), ("Quoted", "60"), ("Signed", "90")]):
        rows.update(
            {
                f"stage-{i}-name": name,
                f"stage-{i}-probability": probability,
                f"stage-{i}-position": i,
            }
        )
    assert client.post("/settings/pipelines/new/", rows).status_code == 302
    renewals = Pipeline.objects.get(name="Renewals")
    assert [(s.name, s.probability) for s in renewals.stages.all()] == [
        ("Due", 20),
        ("Quoted", 60),
        ("Signed", 90),
    ]
    data = {"name": "Test pipeline", "rows": "3"}
    for i, stage in enumerate(stages):
        data.update(
            {
                f"stage-{i}-id": stage.pk,
                f"stage-{i}-name": stage.name,
                f"stage-{i}-probability": stage.probability,
                f"stage-{i}-position": i,
            }
        )
    data["stage-0-delete"] = "on"  # A still holds D3
    response = client.post(f"/settings/pipelines/{pipeline.pk}/", data)
    assert response.status_code == 400 and "still has deals" in response.content.decode()
    assert pipeline.stages.count() == 3
    data.pop("stage-0-delete")
    data["stage-1-probability"] = "150"
    response = client.post(f"/settings/pipelines/{pipeline.pk}/", data)
    assert response.status_code == 400 and "must be 0 to 100" in response.content.decode()


def test_a_won_deal_without_products_is_told_to_add_them_before_an_order(
    manager_client, people, history
):
    deal = Deal.objects.get(name="D1")
    with pytest.raises(ValidationError, match="add its product lines first"):
        services.order_from_won_deal(actor=people[0], deal=deal)
    page = manager_client.get(deal.get_absolute_url()).content.decode()
    assert "Add the products the customer bought" in page and "Create order" not in page


def test_a_new_deal_offers_the_companys_people_before_it_is_saved(
    manager_client, people, pipeline, history
):
    """Naming the company fills the Contacts field with its people (deal_contacts); the
    ones ticked are kept ticked; before a company is named, a word on where they come from;
    and the new deal is saved with the people chosen."""
    ana = people[0]
    company = history["company"]
    ioana, radu = (
        customer_services.create_contact(actor=ana, data={"full_name": name, "company": company})
        for name in ("Ioana Pop", "Radu Marin")
    )
    customer_services.create_contact(actor=ana, data={"full_name": "Elsewhere Person"})
    empty = manager_client.get("/deals/new/").content.decode()
    assert "Name the company first" in empty

    offered = manager_client.get(
        "/deals/contacts/", {"company": "fabrica srl", "contacts": [radu.pk]}
    ).content.decode()
    assert 'id="field-for-id_contacts"' in offered
    assert "Ioana Pop" in offered and "Radu Marin" in offered
    assert "Elsewhere Person" not in offered
    ticked = re.findall(r'<input[^>]*name="contacts" value="(\d+)"[^>]*checked', offered)
    assert ticked == [str(radu.pk)]
    nobody = manager_client.get("/deals/contacts/", {"company": "No such SRL"}).content.decode()
    assert "Name the company first" in nobody and "Ioana Pop" not in nobody

    manager_client.post(
        "/deals/new/",
        {
            "name": "Rafturi",
            "company": "Fabrica SRL",
            "stage": history["b"].pk,
            "currency": "RON",
            "source": "referral",
            "owner": ana.pk,
            "contacts": [ioana.pk, radu.pk],
        },
    )
    assert set(Deal.objects.get(name="Rafturi").contacts.all()) == {ioana, radu}
