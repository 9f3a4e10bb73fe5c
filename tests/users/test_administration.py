"""People, teams and roles administered in the product: invite, change access, deactivate
with hand-over, edit roles, and every step in the audit trail."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from clientela.activities import services as activity_services
from clientela.activities.models import Task
from clientela.core import permissions, record_services
from clientela.core.models import AuditEntry, SearchEntry
from clientela.customers import services as customer_services
from clientela.customers.models import Company, Contact
from clientela.users.models import Role, User
from clientela.users.services import create_user, role_named, team_named

PASSWORD = "Corect-cal-baterie-9"

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return create_user(
        email="admin@firma.ro",
        full_name="Ana Admin",
        password=PASSWORD,
        role=role_named("administrator"),
    )


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def entries_for(user_or_role, action=None):
    entries = AuditEntry.objects.filter(
        content_type__model=user_or_role._meta.model_name, object_id=user_or_role.pk
    )
    return entries.filter(action=action) if action else entries


def log_in(client, email, password):
    """Through the login page, as a person would: True when it lets them in."""
    response = client.post("/login/", {"username": email, "password": password})
    return response.status_code == 302


def test_an_invited_colleague_sets_a_password_through_the_link_and_logs_in(
    admin_client, client, django_capture_on_commit_callbacks
):
    sales = team_named("Vânzări Cluj")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/settings/people/invite/",
            {
                "email": "Ion.Pop@Firma.ro",
                "full_name": "Ion Pop",
                "team": sales.pk,
                "role": role_named("sales-representative").pk,
            },
        )
    assert response.status_code == 302
    invited = User.objects.get(email="ion.pop@firma.ro")
    assert invited.team == sales and not invited.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ion.pop@firma.ro"]
    assert "Ana Admin" in mail.outbox[0].subject
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    entry = entries_for(invited, "create").get()
    assert entry.actor.email == "admin@firma.ro" and entry.state["team"] == "Vânzări Cluj"

    # The person follows the link, chooses a password, logs in with it.
    client.logout()
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302
    client.logout()
    assert log_in(client, "ion.pop@firma.ro", PASSWORD)


def test_inviting_an_existing_address_says_so_and_sends_nothing(admin_client, admin):
    response = admin_client.post(
        "/settings/people/invite/",
        {"email": "ADMIN@firma.ro", "role": role_named("manager").pk},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert mail.outbox == [] and User.objects.count() == 1


def test_a_change_of_team_and_role_is_audited_with_before_and_after(admin_client):
    person = create_user(email="rep@firma.ro", full_name="Rep", team=team_named("Sales"))
    support = team_named("Support")
    response = admin_client.post(
        f"/settings/people/{person.pk}/",
        {"full_name": "Rep Nou", "team": support.pk, "role": role_named("support-agent").pk},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.team, person.role.key, person.full_name) == (support, "support-agent", "Rep Nou")
    entry = entries_for(person, "update").get()
    assert entry.changes["team"] == ["Sales", "Support"]
    assert entry.changes["role"] == ["Sales representative", "Support agent"]
    assert entry.actor.email == "admin@firma.ro" and entry.source == "ui"


def test_nobody_takes_away_their_own_right_to_manage_users(client):
    manager = create_user(email="hr@firma.ro", role=role_named("administrator"))
    client.force_login(manager)
    response = client.post(
        f"/settings/people/{manager.pk}/", {"role": role_named("read-only").pk, "full_name": ""}
    )
    assert response.status_code == 200
    assert "cannot take away your own right" in response.content.decode()
    manager.refresh_from_db()
    assert manager.role.key == "administrator"


def test_deactivating_hands_over_everything_in_one_step(admin_client, admin):
    leaving = create_user(email="pleaca@firma.ro", full_name="Pleacă", password=PASSWORD)
    staying = create_user(email="ramane@firma.ro", full_name="Rămâne")
    contacts = [
        customer_services.create_contact(actor=leaving, data={"full_name": f"Client {i}"})
        for i in range(3)
    ]
    record_services.move_to_trash(actor=leaving, records=[contacts[2]])
    company = customer_services.create_company(actor=leaving, data={"name": "Firma Lui SRL"})
    soon = timezone.now() + datetime.timedelta(days=1)
    open_task = activity_services.create_task(
        actor=leaving, title="Sună", assignee=leaving, record=contacts[0], reminder_at=soon
    )
    done_task = activity_services.create_task(
        actor=leaving, title="Gata", assignee=leaving, record=contacts[0]
    )
    activity_services.set_task_done(actor=leaving, task=done_task, done=True)

    page = admin_client.get(f"/settings/people/{leaving.pk}/").content.decode()
    assert "<strong>3</strong> contacts" in page and "<strong>1</strong> open tasks" in page

    response = admin_client.post(
        f"/settings/people/{leaving.pk}/deactivate/", {"successor": staying.pk}
    )
    assert response.status_code == 302
    leaving.refresh_from_db()
    assert not leaving.is_active
    assert set(Contact.objects.values_list("owner_id", flat=True)) == {staying.pk}
    assert Company.objects.get(pk=company.pk).owner == staying
    assert Task.objects.get(pk=open_task.pk).assignee == staying
    assert Task.objects.get(pk=done_task.pk).assignee == leaving  # history stays as it was
    # Each record's change is in its history, by the administrator.
    moved = AuditEntry.objects.filter(
        content_type__model="contact", action="update", changes__has_key="owner"
    )
    assert moved.count() == 3 and {e.actor_id for e in moved} == {admin.pk}
    # The trashed contact stays out of search after the hand-over.
    assert not SearchEntry.objects.filter(
        content_type__model="contact", object_id=contacts[2].pk
    ).exists()
    assert entries_for(leaving, "deactivate").get().state["handed_over_to"] == "ramane@firma.ro"
    admin_client.logout()
    assert not log_in(admin_client, "pleaca@firma.ro", PASSWORD)


def test_deactivating_someone_who_holds_records_needs_a_successor(admin_client):
    leaving = create_user(email="pleaca@firma.ro")
    contact = customer_services.create_contact(actor=leaving, data={"full_name": "Client"})
    response = admin_client.post(f"/settings/people/{leaving.pk}/deactivate/", {"successor": ""})
    assert response.status_code == 400
    assert "Choose who takes over" in response.content.decode()
    leaving.refresh_from_db()
    assert leaving.is_active and Contact.objects.get(pk=contact.pk).owner == leaving
    assert not entries_for(leaving, "deactivate").exists()


def test_an_administrator_adds_a_role_without_code_and_it_takes_effect(admin_client, client):
    fields = {"name": "Key account manager", "can__log_activity": "on", "can__export": "on"}
    for record_type in permissions.record_types():
        fields |= {
            f"{record_type}__view": "all",
            f"{record_type}__edit": "team",
            f"{record_type}__delete": "none",
        }
    response = admin_client.post("/settings/roles/new/", fields)
    assert response.status_code == 302
    role = Role.objects.get(name="Key account manager")
    assert role.permissions["records"]["contact"] == {
        "view": "all",
        "edit": "team",
        "delete": "none",
    }
    assert role.permissions["capabilities"] == ["log_activity", "export"]
    assert entries_for(role, "create").exists()

    other = create_user(email="other@firma.ro", team=team_named("Other"))
    theirs = customer_services.create_contact(actor=other, data={"full_name": "Vizibil Dar Fix"})
    kam = create_user(email="kam@firma.ro", role=role, team=team_named("KAM"))
    client.force_login(kam)
    assert client.get(theirs.get_absolute_url()).status_code == 200
    edit = client.post(
        f"/contacts/{theirs.pk}/edit/",
        {"full_name": "Schimbat", "lifecycle_stage": theirs.lifecycle_stage_id, "source": "web"},
    )
    assert edit.status_code in {403, 404}
    assert Contact.objects.get(pk=theirs.pk).full_name == "Vizibil Dar Fix"


def test_a_role_with_an_unknown_scope_is_refused(admin_client):
    response = admin_client.post(
        "/settings/roles/new/", {"name": "Broken", "contact__view": "everything"}
    )
    assert response.status_code == 200
    assert not Role.objects.filter(name="Broken").exists()


def test_a_representative_cannot_open_the_people_pages(client):
    rep = create_user(email="rep@firma.ro")
    client.force_login(rep)
    assert client.get("/settings/people/").status_code == 403
    assert client.get("/settings/").status_code == 403
    assert "/settings/" not in client.get("/").content.decode()


def test_open_deals_pass_on_and_closed_ones_keep_who_closed_them(admin_client):
    from clientela.deals import services as deal_services
    from clientela.deals.models import Deal

    leaving = create_user(email="pleaca@firma.ro", full_name="Pleacă")
    staying = create_user(email="ramane@firma.ro", full_name="Rămâne")
    stage = deal_services.ensure_pipeline().stages.first()
    open_deal = deal_services.create_deal(actor=leaving, data={"name": "Deschis", "stage": stage})
    won = deal_services.create_deal(actor=leaving, data={"name": "Câștigat", "stage": stage})
    deal_services.close_deal(actor=leaving, deal=won, outcome="won", expected_version=won.version)

    response = admin_client.post(
        f"/settings/people/{leaving.pk}/deactivate/", {"successor": staying.pk}
    )
    assert response.status_code == 302
    assert Deal.objects.get(pk=open_deal.pk).owner == staying
    assert Deal.objects.get(pk=won.pk).owner == leaving


def invite_ion(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return admin_client.post(
            "/settings/people/invite/",
            {"email": "ion.pop@firma.ro", "full_name": "Ion Pop", "role": role_named("manager").pk},
            follow=True,
        )


def test_without_a_mail_server_the_inviter_gets_the_link_to_send_themselves(
    admin_client, client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = ""  # mail would only reach the server's console
    form = admin_client.get("/settings/people/invite/").content.decode()
    assert "Mail is not configured" in form
    response = invite_ion(admin_client, django_capture_on_commit_callbacks)
    page = response.content.decode()
    invited = User.objects.get(email="ion.pop@firma.ro")
    assert response.redirect_chain[-1][0] == f"/settings/people/{invited.pk}/"
    assert "the e-mail holds a link" not in page
    assert "Mail is not configured, so no e-mail went out" in page
    assert "Send the invitation again" not in page
    link = re.search(
        r'id="invitation-link"[^>]* value="http://testserver(/password-reset/[^"]+)"', page
    )
    assert link, page
    # The link shown is one that works: Ion chooses a password with it and logs in.
    form_page = client.get(link.group(1), follow=True)
    set_url = form_page.redirect_chain[-1][0]
    assert (
        client.post(set_url, {"new_password1": PASSWORD, "new_password2": PASSWORD}).status_code
        == 302
    )
    client.logout()
    assert log_in(client, "ion.pop@firma.ro", PASSWORD)


def test_with_a_mail_server_the_invitation_goes_by_mail_and_no_link_is_shown(
    admin_client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.firma.ro"
    page = invite_ion(admin_client, django_capture_on_commit_callbacks).content.decode()
    assert "ion.pop@firma.ro is invited: the e-mail holds a link" in page
    assert len(mail.outbox) == 1
    invited = User.objects.get(email="ion.pop@firma.ro")
    person = admin_client.get(f"/settings/people/{invited.pk}/").content.decode()
    assert "invitation-link" not in person and "Send the invitation again" in person


def test_the_people_list_names_the_administrator_role_once(admin_client):
    create_user(email="first@firma.ro", full_name="Administrator", administrator=True)
    boss = create_user(email="boss@firma.ro", full_name="Bogdan Boss", role=role_named("manager"))
    User.objects.filter(pk=boss.pk).update(is_superuser=True)
    page = admin_client.get("/settings/people/").content.decode()
    rows = {
        name: re.sub(r"<[^>]+>|\s+", " ", row)
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
        for name in ("first@firma.ro", "boss@firma.ro")
        if name in row
    }
    assert rows["first@firma.ro"].split().count("Administrator") == 2  # the name, the role
    # A manager who is also a technical administrator shows both.
    assert "Manager" in rows["boss@firma.ro"] and "Administrator" in rows["boss@firma.ro"]
