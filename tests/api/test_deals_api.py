"""Deals and pipelines through the API: the deal services' permissions, validation, audit,
versions and stage history, and the deals list's own filters."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clientela.core import events
from clientela.core.models import AuditEntry
from clientela.customers import services as customers
from clientela.deals import selectors, services
from clientela.deals.models import Deal, StageChange
from clientela.users.services import create_user, role_named, team_named

pytestmark = pytest.mark.django_db

DEALS = ("deals:write", "pipelines:read")


@pytest.fixture
def stages(db):
    return list(services.ensure_pipeline().stages.all())


def test_create_read_update_delete_a_deal_audited_as_api(api_for, admin, stages):
    api = api_for(admin, DEALS)
    company = customers.create_company(actor=admin, data={"name": "Firma SRL"})
    contact = customers.create_contact(actor=admin, data={"full_name": "Ion Popescu"})
    created = api.post(
        "/api/v1/deals/",
        {
            "name": "Licențe 2027",
            "stage_id": stages[1].pk,
            "company_id": company.pk,
            "contact_ids": [contact.pk],
            "amount": "12500.5",
            "currency": "eur",
            "expected_close": "2027-03-31",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["amount"] == "12500.50" and body["currency"] == "EUR"
    assert body["stage_id"] == stages[1].pk and body["pipeline_id"] == stages[1].pipeline_id
    assert body["company_id"] == company.pk and body["contact_ids"] == [contact.pk]
    assert body["owner_id"] == admin.pk and body["version"] == 1 and body["status"] == "open"
    assert created["ETag"] == '"1"'

    read = api.get(f"/api/v1/deals/{body['id']}")
    assert read.status_code == 200 and read.json()["name"] == "Licențe 2027"

    changed = api.patch(f"/api/v1/deals/{body['id']}", {"amount": 14000, "version": 1})
    assert changed.status_code == 200, changed.content
    assert changed.json()["amount"] == "14000.00" and changed.json()["version"] == 2
    of_deal = AuditEntry.objects.filter(object_id=body["id"], content_type__model="deal")
    entry = of_deal.get(action="update")
    assert entry.source == "api" and entry.actor == admin
    assert entry.changes["amount"] == ["12500.50", "14000.00"]
    assert of_deal.get(action="create").source == "api"

    assert api.delete(f"/api/v1/deals/{body['id']}").status_code == 204
    assert Deal.objects.get(pk=body["id"]).deleted_at is not None
    assert api.get(f"/api/v1/deals/{body['id']}").status_code == 404


def test_a_stale_write_is_refused_with_409_and_changes_nothing(api_for, admin, stages):
    deal = services.create_deal(actor=admin, data={"name": "Renewal"})
    services.update_deal(actor=admin, deal=deal, data={"name": "Renewal 2027"}, expected_version=1)
    api = api_for(admin, DEALS)

    stale = api.patch(f"/api/v1/deals/{deal.pk}", {"name": "Mine", "version": 1})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    by_etag = api.patch(f"/api/v1/deals/{deal.pk}", {"stage_id": stages[2].pk}, if_match='"1"')
    assert by_etag.status_code == 409
    deal.refresh_from_db()
    assert deal.name == "Renewal 2027" and deal.stage == stages[0]
    fresh = api.patch(f"/api/v1/deals/{deal.pk}", {"name": "Mine"}, if_match='"2"')
    assert fresh.status_code == 200 and fresh.json()["version"] == 3


def test_validation_errors_are_422_with_field_paths(api_for, admin, stages):
    api = api_for(admin, DEALS)
    no_name = api.post("/api/v1/deals/", {"amount": "10"})
    assert no_name.status_code == 422
    # A name and a currency's form are in the schema, so the schema refuses them.
    assert no_name.json()["detail"][0]["loc"] == ["body", "payload", "name"]
    bad_currency = api.post("/api/v1/deals/", {"name": "X", "currency": "E1"})
    assert bad_currency.json()["detail"][0]["loc"] == ["body", "payload", "currency"]
    negative = api.post("/api/v1/deals/", {"name": "X", "amount": -5})
    assert negative.status_code == 422  # refused by the schema, as the contacts' are
    assert negative.json()["detail"][0]["loc"][:3] == ["body", "payload", "amount"]
    no_stage = api.post("/api/v1/deals/", {"name": "X", "stage_id": 999999})
    assert no_stage.json()["detail"][0]["loc"] == ["body", "stage_id"]
    deal = services.create_deal(actor=admin, data={"name": "Open"})
    no_reason = api.patch(f"/api/v1/deals/{deal.pk}", {"status": "lost"})
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"][0]["loc"] == ["body", "lost_reason"]
    assert Deal.objects.count() == 1
    deal.refresh_from_db()
    assert deal.status == "open" and deal.version == 1


def test_move_and_close_through_the_api_are_kept_in_the_stage_history(api_for, admin, stages):
    deal = services.create_deal(actor=admin, data={"name": "Moving", "stage": stages[0]})
    api = api_for(admin, DEALS)

    moved = api.patch(f"/api/v1/deals/{deal.pk}", {"stage_id": stages[2].pk, "version": 1})
    assert moved.status_code == 200, moved.content
    assert moved.json()["stage_id"] == stages[2].pk and moved.json()["version"] == 2
    lost = api.patch(
        f"/api/v1/deals/{deal.pk}", {"status": "lost", "lost_reason": "Price", "version": 2}
    )
    assert lost.status_code == 200, lost.content
    assert lost.json()["status"] == "lost" and lost.json()["lost_reason"] == "Price"
    closed_again = api.patch(f"/api/v1/deals/{deal.pk}", {"stage_id": stages[1].pk})
    assert closed_again.status_code == 422  # a closed deal is reopened before it moves
    reopened_and_won = api.patch(f"/api/v1/deals/{deal.pk}", {"status": "open"})
    assert reopened_and_won.json()["status"] == "open"
    won = api.patch(f"/api/v1/deals/{deal.pk}", {"status": "won"})
    assert won.json()["status"] == "won" and won.json()["closed_at"]

    history = [
        (c.from_stage_id, c.to_stage_id, c.status)
        for c in StageChange.objects.filter(deal=deal).order_by("at", "id")
    ]
    assert history == [
        (None, stages[0].pk, "open"),
        (stages[0].pk, stages[2].pk, "open"),
        (stages[2].pk, stages[2].pk, "lost"),
        (stages[2].pk, stages[2].pk, "open"),
        (stages[2].pk, stages[2].pk, "won"),
    ]
    actions = list(
        AuditEntry.objects.filter(object_id=deal.pk, content_type__model="deal")
        .order_by("id")
        .values_list("action", "source")
    )
    assert actions[1:] == [("move", "api"), ("lost", "api"), ("reopen", "api"), ("won", "api")]


def test_another_teams_deal_is_404_for_a_sales_rep_and_unchanged(api_for):
    owner = create_user(email="b@firma-b.ro", team=team_named("B"))
    theirs = services.create_deal(actor=owner, data={"name": "Secreta"})
    rep = create_user(
        email="rep@firma-a.ro", team=team_named("A"), role=role_named("sales-representative")
    )
    api = api_for(rep, DEALS)
    assert api.get(f"/api/v1/deals/{theirs.pk}").status_code == 404
    assert api.patch(f"/api/v1/deals/{theirs.pk}", {"status": "won"}).status_code == 404
    assert api.delete(f"/api/v1/deals/{theirs.pk}").status_code == 404
    assert api.get("/api/v1/deals/").json()["items"] == []
    their_company = customers.create_company(actor=owner, data={"name": "Compania B"})
    linked = api.post("/api/v1/deals/", {"name": "Mine", "company_id": their_company.pk})
    assert linked.status_code == 422
    assert linked.json()["detail"][0]["loc"] == ["body", "company_id"]
    theirs.refresh_from_db()
    assert theirs.status == "open" and theirs.deleted_at is None and theirs.version == 1


def test_amount_is_left_out_for_a_role_without_see_sensitive(api_for, admin):
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"))
    mine = services.create_deal(actor=admin, data={"name": "Big", "amount": "900000"})
    services.update_deal(actor=admin, deal=mine, data={"owner": rep}, expected_version=None)
    api = api_for(rep, DEALS)
    assert api.get(f"/api/v1/deals/{mine.pk}").json()["amount"] is None
    assert api.get("/api/v1/deals/").json()["items"][0]["amount"] is None
    # Sending one changes nothing: the role may not see amounts, so it may not set them.
    assert api.patch(f"/api/v1/deals/{mine.pk}", {"amount": 1}).status_code == 200
    mine.refresh_from_db()
    assert mine.amount == 900000
    assert api_for(admin, DEALS).get(f"/api/v1/deals/{mine.pk}").json()["amount"] == "900000.00"


def test_the_list_takes_the_deal_lists_filters_sorts_and_cursor(api_for, admin, stages):
    for i, name in enumerate(["Alfa", "Beta", "Gama", "Delta"]):
        services.create_deal(actor=admin, data={"name": name, "stage": stages[i % 2]})
    lost = Deal.objects.get(name="Gama")
    services.close_deal(actor=admin, deal=lost, outcome="lost", reason="x", expected_version=None)
    api = api_for(admin, ("deals:read",))

    first = api.get("/api/v1/deals/?limit=3").json()
    assert [d["name"] for d in first["items"]] == ["Alfa", "Beta", "Delta"]
    rest = api.get(f"/api/v1/deals/?limit=3&cursor={first['next_cursor']}").json()
    assert [d["name"] for d in rest["items"]] == ["Gama"] and rest["next_cursor"] is None
    assert [d["name"] for d in api.get("/api/v1/deals/?status=lost").json()["items"]] == ["Gama"]
    in_stage = api.get(f"/api/v1/deals/?stage={stages[1].pk}&sort=-name").json()["items"]
    assert [d["name"] for d in in_stage] == ["Delta", "Beta"]
    assert [d["name"] for d in api.get("/api/v1/deals/?q=delt").json()["items"]] == ["Delta"]
    assert api.get("/api/v1/deals/?owner=me").json()["items"]
    assert api.get("/api/v1/deals/?owner=none").json()["items"] == []
    assert api.get("/api/v1/deals/?owner=someone").status_code == 422
    synced = api.get("/api/v1/deals/?updated_since=2000-01-01T00:00:00Z").json()["items"]
    assert synced[-1]["name"] == "Gama"  # changed last
    assert api.post("/api/v1/deals/", {"name": "X"}).status_code == 403  # read-only token


def test_the_stale_filter_is_the_lists_and_is_in_the_schema(api_for, admin, stages, settings):
    settings.DEAL_STALE_AFTER_DAYS = 10
    api = api_for(admin, DEALS)
    long_ago = timezone.now() - datetime.timedelta(days=11)
    quiet = services.create_deal(actor=admin, data={"name": "Quiet"})
    never = services.create_deal(actor=admin, data={"name": "Never worked"})
    busy = services.create_deal(actor=admin, data={"name": "Busy"})
    won = services.create_deal(actor=admin, data={"name": "Won long ago"})
    services.close_deal(actor=admin, deal=won, outcome="won", expected_version=None)
    Deal.objects.filter(pk=quiet.pk).update(last_activity_at=long_ago, created_at=long_ago)
    Deal.objects.filter(pk=never.pk).update(last_activity_at=None, created_at=long_ago)
    Deal.objects.filter(pk=busy.pk).update(last_activity_at=timezone.now(), created_at=long_ago)
    Deal.objects.filter(pk=won.pk).update(last_activity_at=long_ago, created_at=long_ago)

    stale = api.get("/api/v1/deals/?stale=true&sort=name").json()["items"]
    assert [d["name"] for d in stale] == ["Never worked", "Quiet"]
    page = selectors.filter_list(admin, selectors.deal_list(admin), {"stale": True})
    assert sorted(d.name for d in page) == ["Never worked", "Quiet"]  # the list's own rule
    every = api.get("/api/v1/deals/?stale=false").json()["items"]
    assert len(every) == 4
    assert api.get("/api/v1/deals/?stale=maybe").status_code == 422

    schema = api.get("/api/openapi.json").json()
    listing = schema["paths"]["/api/v1/deals/"]["get"]["parameters"]
    stale_parameter = next(p for p in listing if p["name"] == "stale")
    assert stale_parameter["in"] == "query"
    assert "CLIENTELA_DEAL_STALE_DAYS" in stale_parameter["description"]


def test_pipelines_are_read_only_with_their_stages(api_for, admin, stages):
    api = api_for(admin, ("pipelines:read",))
    items = api.get("/api/v1/pipelines/").json()["items"]
    assert [s["name"] for s in items[0]["stages"]] == [s.name for s in stages]
    assert items[0]["stages"][1]["probability"] == stages[1].probability
    assert api.get(f"/api/v1/pipelines/{items[0]['id']}").json()["name"] == items[0]["name"]
    assert api.post("/api/v1/pipelines/", {"name": "X"}).status_code == 405


def test_deal_events_are_declared_and_raised_by_the_services(admin, stages):
    assert {"deal.created", "deal.updated", "deal.deleted", "deal.won", "deal.lost"} <= set(
        events.names()
    )
    seen = []
    events.listen(seen.extend)
    try:
        deal = services.create_deal(actor=admin, data={"name": "Events"})
        services.move_deal(actor=admin, deal=deal, stage=stages[1], expected_version=None)
        services.close_deal(actor=admin, deal=deal, outcome="won", expected_version=None)
        services.trash_deal(actor=admin, deal=deal)
    finally:
        events._LISTENERS.remove(seen.extend)
    assert [e.name for e in seen if e.record.pk == deal.pk] == [
        "deal.created",
        "deal.updated",
        "deal.updated",
        "deal.won",
        "deal.deleted",
    ]
