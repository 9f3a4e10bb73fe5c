"""Projects through the API: the project services' permissions, validation, audit and
versions, the list's filters, and a client only those who may see it can name."""

from __future__ import annotations

import pytest

from clientela.core.models import AuditEntry
from clientela.customers import services as customers
from clientela.projects.models import Project
from clientela.users.services import create_user, role_named, team_named

pytestmark = pytest.mark.django_db


def test_create_read_filter_update_and_trash_a_project(api_for, admin):
    api = api_for(admin, ("projects:write",))
    company = customers.create_company(actor=admin, data={"name": "Firma SRL"})
    created = api.post(
        "/api/v1/projects/",
        {
            "name": "Site nou",
            "company_id": company.pk,
            "status": "active",
            "start_date": "2027-01-10",
            "due_date": "2027-03-31",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["company_id"] == company.pk and body["contact_id"] is None
    assert body["owner_id"] == admin.pk and body["version"] == 1
    assert api.get("/api/v1/projects/?status=active").json()["items"][0]["id"] == body["id"]
    assert api.get("/api/v1/projects/?status=done").json()["items"] == []

    changed = api.patch(f"/api/v1/projects/{body['id']}", {"status": "done", "version": 1})
    assert changed.status_code == 200, changed.content
    assert changed.json()["status"] == "done" and changed.json()["version"] == 2
    entry = AuditEntry.objects.get(
        object_id=body["id"], content_type__model="project", action="update"
    )
    assert entry.source == "api" and entry.changes["status"] == ["active", "done"]
    stale = api.patch(f"/api/v1/projects/{body['id']}", {"status": "active", "version": 1})
    assert stale.status_code == 409

    assert api.delete(f"/api/v1/projects/{body['id']}").status_code == 204
    assert Project.objects.trashed().filter(pk=body["id"]).exists()


def test_bad_input_gets_a_clear_answer(api_for, admin):
    api = api_for(admin, ("projects:write",))
    company = customers.create_company(actor=admin, data={"name": "Firma SRL"})
    person = customers.create_contact(actor=admin, data={"full_name": "Ion Pop"})
    no_client = api.post("/api/v1/projects/", {"name": "Fără client"})
    assert no_client.status_code == 422 and "company_id" in no_client.content.decode()
    both = api.post(
        "/api/v1/projects/", {"name": "X", "company_id": company.pk, "contact_id": person.pk}
    )
    assert both.status_code == 422
    backwards = api.post(
        "/api/v1/projects/",
        {
            "name": "X",
            "contact_id": person.pk,
            "start_date": "2027-02-01",
            "due_date": "2027-01-01",
        },
    )
    assert backwards.status_code == 422 and "due_date" in backwards.content.decode()


def test_a_client_one_may_not_see_cannot_be_named(api_for):
    owner = create_user(
        email="b@firma.ro", role=role_named("sales-representative"), team=team_named("B")
    )
    rep = create_user(
        email="a@firma.ro", role=role_named("sales-representative"), team=team_named("A")
    )
    company = customers.create_company(actor=owner, data={"name": "Secret SRL"})
    api = api_for(rep, ("projects:write",))
    answer = api.post("/api/v1/projects/", {"name": "X", "company_id": company.pk})
    assert answer.status_code == 422 and not Project.objects.exists()
