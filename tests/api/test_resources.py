"""Contacts and companies through the API: the same services, permissions, validation,
audit and concurrency check as the pages."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clientela.core.models import AuditEntry, CustomField
from clientela.customers import services
from clientela.customers.models import Contact
from clientela.users.services import create_user, role_named, team_named

pytestmark = pytest.mark.django_db


def test_create_read_update_delete_a_contact(api, admin):
    created = api.post(
        "/api/v1/contacts/",
        {
            "full_name": "Ion Popescu",
            "emails": [{"address": "ION@firma.ro"}],
            "phones": [{"number": "0722 123 456"}],
            "tags": ["VIP"],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["emails"] == [{"address": "ion@firma.ro", "kind": "work"}]
    assert body["phones"][0]["number"] == "+40722123456"
    assert body["owner_id"] == admin.pk and body["version"] == 1
    assert created["ETag"] == '"1"'

    read = api.get(f"/api/v1/contacts/{body['id']}")
    assert read.status_code == 200 and read.json()["full_name"] == "Ion Popescu"

    changed = api.patch(f"/api/v1/contacts/{body['id']}", {"position": "CFO", "version": 1})
    assert changed.status_code == 200, changed.content
    assert changed.json()["position"] == "CFO" and changed.json()["version"] == 2

    entry = AuditEntry.objects.filter(object_id=body["id"], action="update").get()
    assert entry.source == "api" and entry.actor == admin
    assert entry.changes["position"] == ["", "CFO"]

    assert api.delete(f"/api/v1/contacts/{body['id']}").status_code == 204
    assert Contact.objects.get(pk=body["id"]).deleted_at is not None
    assert api.get(f"/api/v1/contacts/{body['id']}").status_code == 404


def test_a_stale_write_is_refused_with_409(api, admin):
    contact = services.create_contact(actor=admin, data={"full_name": "Maria Ionescu"})
    services.update_contact(
        actor=admin, contact=contact, data={"position": "CEO"}, expected_version=1
    )

    stale = api.patch(f"/api/v1/contacts/{contact.pk}", {"position": "CTO", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    by_etag = api.patch(f"/api/v1/contacts/{contact.pk}", {"position": "CTO"}, if_match='"1"')
    assert by_etag.status_code == 409
    contact.refresh_from_db()
    assert contact.position == "CEO"
    fresh = api.patch(f"/api/v1/contacts/{contact.pk}", {"position": "CTO"}, if_match='"2"')
    assert fresh.status_code == 200 and fresh.json()["version"] == 3


def test_validation_errors_are_422_with_field_paths(api):
    bad_email = api.post(
        "/api/v1/contacts/", {"full_name": "X", "emails": [{"address": "not-an-email"}]}
    )
    assert bad_email.status_code == 422
    assert bad_email.json()["detail"][0]["loc"] == ["body", "emails"]
    no_name = api.post("/api/v1/contacts/", {"position": "CEO"})
    assert no_name.status_code == 422 and no_name.json()["detail"][0]["loc"] == [
        "body",
        "full_name",
    ]
    wrong_type = api.post("/api/v1/contacts/", {"full_name": 5, "emails": "x"})
    assert wrong_type.status_code == 422
    assert {tuple(item["loc"][:3]) for item in wrong_type.json()["detail"]} >= {
        ("body", "payload", "full_name")
    }
    not_json = api.client.post(
        "/api/v1/contacts/", "{", content_type="application/json", **api.headers
    )
    assert not_json.status_code in {400, 422}
    assert Contact.objects.count() == 0


def test_custom_fields_are_validated_like_the_form(api):
    CustomField.objects.create(
        record_type="contact", key="budget", label="Budget", field_type="number"
    )
    bad = api.post("/api/v1/contacts/", {"full_name": "Dan", "custom": {"budget": "lots"}})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "custom", "budget"]
    good = api.post("/api/v1/contacts/", {"full_name": "Dan", "custom": {"budget": "1200"}})
    assert good.status_code == 201 and good.json()["custom"] == {"budget": 1200}


def test_another_teams_contact_is_404_for_a_sales_rep_and_unchanged(api_for):
    owner = create_user(email="b@firma-b.ro", team=team_named("B"))
    theirs = services.create_contact(actor=owner, data={"full_name": "Secreta"})
    rep = create_user(
        email="rep@firma-a.ro", team=team_named("A"), role=role_named("sales-representative")
    )
    api = api_for(rep)
    assert api.get(f"/api/v1/contacts/{theirs.pk}").status_code == 404
    assert api.patch(f"/api/v1/contacts/{theirs.pk}", {"full_name": "Hacked"}).status_code == 404
    assert api.delete(f"/api/v1/contacts/{theirs.pk}").status_code == 404
    assert api.get("/api/v1/contacts/").json()["items"] == []
    theirs.refresh_from_db()
    assert theirs.full_name == "Secreta" and theirs.deleted_at is None


def test_a_teammates_contact_is_visible_but_not_editable_403(api_for):
    team = team_named("A")
    owner = create_user(email="owner@firma-a.ro", team=team)
    theirs = services.create_contact(actor=owner, data={"full_name": "Colleague's"})
    rep = create_user(email="rep@firma-a.ro", team=team, role=role_named("sales-representative"))
    api = api_for(rep)
    assert api.get(f"/api/v1/contacts/{theirs.pk}").status_code == 200
    assert api.patch(f"/api/v1/contacts/{theirs.pk}", {"full_name": "Mine"}).status_code == 403


def test_sensitive_fields_are_left_out_for_roles_that_may_not_see_them(api_for, admin):
    company = services.create_company(actor=admin, data={"name": "Firma SRL", "tax_id": "RO123"})
    reader = create_user(email="ro@firma.ro", role=role_named("read-only"))
    assert (
        api_for(reader, ["companies:read"]).get(f"/api/v1/companies/{company.pk}").json()["tax_id"]
        is None
    )
    assert (
        api_for(admin, ["companies:read"]).get(f"/api/v1/companies/{company.pk}").json()["tax_id"]
        == "RO123"
    )


def test_lists_page_by_cursor_filter_sort_and_sync_by_updated_since(api, admin):
    for i in range(5):
        services.create_contact(
            actor=admin, data={"full_name": f"Person {i}", "tags": ["vip"] if i % 2 else []}
        )
    first = api.get("/api/v1/contacts/?limit=2&sort=-name").json()
    assert [c["full_name"] for c in first["items"]] == ["Person 4", "Person 3"]
    second = api.get(f"/api/v1/contacts/?limit=2&sort=-name&cursor={first['next_cursor']}").json()
    assert [c["full_name"] for c in second["items"]] == ["Person 2", "Person 1"]
    assert [c["full_name"] for c in api.get("/api/v1/contacts/?tag=VIP").json()["items"]] == [
        "Person 1",
        "Person 3",
    ]
    assert len(api.get("/api/v1/contacts/?q=person").json()["items"]) == 5

    later = timezone.now() + datetime.timedelta(seconds=1)
    contact = Contact.objects.get(full_name="Person 0")
    Contact.objects.filter(pk=contact.pk).update(updated_at=later)
    synced = api.get(
        f"/api/v1/contacts/?updated_since={later.isoformat().replace('+00:00', 'Z')}"
    ).json()
    assert [c["full_name"] for c in synced["items"]] == ["Person 0"]


@pytest.mark.parametrize("resource", ["contacts", "companies"])
def test_a_list_page_gives_each_record_its_own_emails_phones_addresses_and_tags(
    api, admin, resource
):
    """Read for the whole page at once, each record's points stay its own and in order."""
    create = services.create_contact if resource == "contacts" else services.create_company
    name = "full_name" if resource == "contacts" else "name"
    for i in range(5):
        create(
            actor=admin,
            data={
                name: f"Record {i}",
                "emails": [f"r{i}.{j}@x.ro" for j in range(i % 3)],
                "phones": [f"0722 200 {i}{j:02d}" for j in range((i + 1) % 3)],
                "addresses": [{"street": f"Str. {i}", "city": "Cluj"}] if i % 2 else [],
                "tags": [f"t{i}-{j}" for j in range(i % 3)],
            },
        )
    items = []
    page = api.get(f"/api/v1/{resource}/?limit=2&sort=id").json()
    while True:
        items += page["items"]
        if not page["next_cursor"]:
            break
        page = api.get(f"/api/v1/{resource}/?limit=2&sort=id&cursor={page['next_cursor']}").json()
    assert len(items) == 5
    for item in items:
        i = int(item[name].split()[-1])
        assert [e["address"] for e in item["emails"]] == [f"r{i}.{j}@x.ro" for j in range(i % 3)]
        assert [p["number"] for p in item["phones"]] == [
            f"+40722200{i}{j:02d}" for j in range((i + 1) % 3)
        ]
        assert [a["street"] for a in item["addresses"]] == ([f"Str. {i}"] if i % 2 else [])
        assert item["tags"] == [f"t{i}-{j}" for j in range(i % 3)]
        assert item == api.get(f"/api/v1/{resource}/{item['id']}").json()  # as read alone


def test_bulk_create_is_all_or_none_and_names_the_item(api):
    bad = api.post(
        "/api/v1/contacts/bulk",
        {"items": [{"full_name": "Ok"}, {"full_name": "Bad", "emails": [{"address": "nope"}]}]},
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "items", 1, "emails"]
    assert Contact.objects.count() == 0
    good = api.post(
        "/api/v1/contacts/bulk", {"items": [{"full_name": "One"}, {"full_name": "Two"}]}
    )
    assert good.status_code == 201 and len(good.json()["items"]) == 2
    ids = [item["id"] for item in good.json()["items"]]
    changed = api.patch(
        "/api/v1/contacts/bulk",
        {"items": [{"id": ids[0], "position": "A", "version": 1}, {"id": ids[1], "position": "B"}]},
    )
    assert changed.status_code == 200, changed.content
    assert sorted(Contact.objects.values_list("position", flat=True)) == ["A", "B"]


def test_the_same_idempotency_key_creates_one_record(api):
    body = {"full_name": "Once Only"}
    first = api.post("/api/v1/contacts/", body, idempotency_key="order-42")
    again = api.post("/api/v1/contacts/", body, idempotency_key="order-42")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Contact.objects.filter(full_name="Once Only").count() == 1
    other = api.post(
        "/api/v1/contacts/", {"full_name": "Something else"}, idempotency_key="order-42"
    )
    assert other.status_code == 422
    assert Contact.objects.count() == 1


def test_timeline_entries_and_tasks(api, admin):
    contact = services.create_contact(actor=admin, data={"full_name": "Ion"})
    note = api.post(
        "/api/v1/activities/",
        {"record": f"contact:{contact.pk}", "kind": "call", "outcome": "connected"},
    )
    assert note.status_code == 201, note.content
    timeline = api.get(f"/api/v1/activities/?record=contact:{contact.pk}").json()
    assert [entry["kind"] for entry in timeline["items"]] == ["call"]
    task = api.post("/api/v1/tasks/", {"title": "Call back", "record": f"contact:{contact.pk}"})
    assert task.status_code == 201 and task.json()["record"] == f"contact:{contact.pk}"
    done = api.patch(f"/api/v1/tasks/{task.json()['id']}", {"done": True})
    assert done.status_code == 200 and done.json()["done"] is True
    assert (
        api.post(
            "/api/v1/activities/", {"record": "contact:999999", "kind": "note", "body": "x"}
        ).status_code
        == 422
    )


def test_idempotency_keys_are_forgotten_after_a_day(api):
    from clientela.api.models import IdempotentRequest
    from clientela.api.services import forget_idempotency_keys

    api.post("/api/v1/contacts/", {"full_name": "Once"}, idempotency_key="k-1")
    assert forget_idempotency_keys() == 0
    later = timezone.now() + datetime.timedelta(days=1, minutes=1)
    assert forget_idempotency_keys(now=later) == 1
    assert not IdempotentRequest.objects.exists()
