"""Projects per client: created for a company or a person, shown on the client's page,
listed with filters, seen only by those who may see the client, audited and trashed."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clientela.activities import services as activity_services
from clientela.core import audit, record_services
from clientela.core.concurrency import StaleRecordError
from clientela.customers import services as customer_services
from clientela.projects import selectors, services
from clientela.projects.models import Project
from clientela.users.services import create_user, role_named, team_named
from tests.record_pages import shown


@pytest.fixture
def ana(db):
    return create_user(
        email="ana@firma.ro",
        full_name="Ana Pop",
        role=role_named("sales-representative"),
        team=team_named("Cluj"),
    )


@pytest.fixture
def company(ana):
    return customer_services.create_company(actor=ana, data={"name": "Livada Verde SRL"})


def new_project(actor, client, **data):
    return services.create_project(actor=actor, data={"name": "Site nou", "client": client, **data})


def test_a_project_for_a_company_is_audited_searchable_and_on_its_page(client, ana, company):
    project = new_project(ana, company, status="active", due_date=datetime.date(2026, 3, 31))
    assert project.owner == ana and project.company == company and project.contact is None
    entry = audit.history(project).get(action="create")
    assert entry.changes["client"] == [None, "Livada Verde SRL"]
    client.force_login(ana)
    page = shown(client, company.get_absolute_url())
    assert "data-client-projects" in page and "Site nou" in page
    detail = client.get(project.get_absolute_url())
    assert detail.status_code == 200 and "Livada Verde SRL" in detail.content.decode()
    found = client.get("/projects/?q=site").content.decode()
    assert "Site nou" in found


def test_the_form_creates_a_project_for_a_person_and_edits_it(client, ana):
    person = customer_services.create_contact(actor=ana, data={"full_name": "Ioana Marin"})
    client.force_login(ana)
    url = f"/projects/new/?customer=contact:{person.pk}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Renovare",
            "status": "planned",
            "owner": ana.pk,
            "start_date": "2026-02-01",
            "due_date": "2026-01-01",
        },
    )
    assert response.status_code == 200  # the due date before the start is refused
    assert "before the start date" in response.content.decode()
    response = client.post(url, {"name": "Renovare", "status": "planned", "owner": ana.pk})
    project = Project.objects.get(name="Renovare")
    assert response.status_code == 302 and project.contact == person
    response = client.post(
        f"/projects/{project.pk}/edit/",
        {"name": "Renovare", "status": "on_hold", "owner": ana.pk, "version": project.version},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "on_hold" and project.version == 2


def test_the_list_filters_by_status_and_owner_and_pages_by_keyset(client, ana, company):
    bob = create_user(email="bob@firma.ro", role=role_named("manager"), team=ana.team)
    new_project(ana, company, name="Alpha", status="active")
    new_project(ana, company, name="Beta", status="done", owner=bob)
    client.force_login(ana)
    active = client.get("/projects/?status=active").content.decode()
    assert "Alpha" in active and "Beta" not in active
    bobs = client.get(f"/projects/?owner={bob.pk}").content.decode()
    assert "Beta" in bobs and "Alpha" not in bobs
    assert client.get("/projects/?after=garbage&owner=x").status_code == 200


def test_visibility_follows_the_client(ana, company):
    outsider = create_user(
        email="eve@firma.ro", role=role_named("sales-representative"), team=team_named("Iasi")
    )
    manager = create_user(email="m@firma.ro", role=role_named("manager"), team=team_named("Iasi"))
    project = new_project(ana, company)
    assert list(selectors.projects_for(ana)) == [project]
    assert list(selectors.projects_for(outsider)) == []
    assert list(selectors.projects_for(manager)) == [project]
    # The client in the trash: its projects go out of sight with it.
    record_services.move_to_trash(actor=ana, records=[company])
    assert list(selectors.projects_for(manager)) == []
    with pytest.raises(PermissionDenied):
        services.update_project(
            actor=manager, project=project, data={"name": "X"}, expected_version=None
        )


def test_bad_input_and_stale_edits_are_refused(ana, company):
    with pytest.raises(ValidationError):
        services.create_project(actor=ana, data={"name": "No client"})
    with pytest.raises(ValidationError):
        new_project(ana, company, name="  ")
    project = new_project(ana, company)
    with pytest.raises(StaleRecordError):
        services.update_project(
            actor=ana,
            project=project,
            data={"status": "done"},
            expected_version=project.version - 1,
        )


def test_trash_restore_and_an_earlier_version(client, ana, company):
    project = new_project(ana, company, status="active")
    services.update_project(
        actor=ana, project=project, data={"status": "done"}, expected_version=None
    )
    client.force_login(ana)
    response = client.post(f"/projects/{project.pk}/trash/")
    assert response.status_code == 302
    assert not selectors.projects_for(ana).exists()
    record_services.restore_from_trash(
        actor=ana, records=[Project.objects.trashed().get(pk=project.pk)]
    )
    project = selectors.project_detail(ana, project.pk)
    first = audit.history(project).filter(action="create").get()
    manager = create_user(email="m@firma.ro", role=role_named("administrator"))
    record_services.restore_version(actor=manager, entry=first)
    project.refresh_from_db()
    assert project.status == "active"


def test_a_meeting_on_a_project_shows_on_its_clients_timeline(client, ana, company):
    project = new_project(ana, company)
    activity_services.log_activity(actor=ana, record=project, kind="meeting", body="Kick-off")
    client.force_login(ana)
    assert "Kick-off" in shown(client, company.get_absolute_url())
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Kick-off" in page
