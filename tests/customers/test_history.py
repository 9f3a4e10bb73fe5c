"""The audit trail of contacts: who changed what from where, restoring a version, the trash."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from clientela.core import audit, record_services
from clientela.core.models import AuditEntry
from clientela.customers import merging, services
from clientela.customers.models import Contact
from clientela.users.services import role_named

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ana(user):
    return services.quick_add_contact(actor=user, name="Ana Popescu", email="ana@firma.ro")


@pytest.mark.django_db
def test_a_change_from_the_page_is_in_the_history_with_its_actor_and_origin(user_client, user, ana):
    user_client.post(
        f"/records/contact/{ana.pk}/inline/",
        {
            "full_name": "Ana Popescu",
            "position": "CFO",
            "lifecycle_stage": ana.lifecycle_stage_id,
            "owner": user.pk,
            "version": ana.version,
        },
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        REMOTE_ADDR="198.51.100.7",
        **HTMX,
    )
    entry = audit.history(ana).first()
    assert (entry.action, entry.actor, entry.source, entry.ip) == (
        "update",
        user,
        "ui",
        "198.51.100.7",
    )
    assert entry.changes == {"position": ["", "CFO"]}
    page = user_client.get(f"/records/contact/{ana.pk}/history/").content.decode()
    assert "Ana Popescu" in page and "Web page" in page and "CFO" in page and "Position" in page


@pytest.mark.django_db
def test_service_writes_outside_a_request_are_marked_as_system(user, ana):
    created = audit.history(ana).last()
    assert (created.action, created.source, created.ip) == ("create", "system", None)
    assert created.state["emails"] == ["ana@firma.ro (work)"]


@pytest.mark.django_db
def test_restoring_a_version_brings_back_the_old_values_and_is_audited(user_client, user, ana):
    user.role = role_named("manager")  # restoring versions is a manager's right
    user.save()
    services.update_contact(
        actor=user,
        contact=ana,
        data={"position": "CEO", "tags": ["vip"], "emails": ["ana@new.ro"]},
        expected_version=None,
    )
    services.update_contact(
        actor=user, contact=ana, data={"position": "Intern"}, expected_version=None
    )
    first_version = audit.history(ana).last()
    response = user_client.post(f"/history/{first_version.pk}/restore/")
    assert response.status_code == 302
    ana = Contact.objects.get(pk=ana.pk)
    assert (ana.position, ana.email, list(ana.tags.values_list("name", flat=True))) == (
        "",
        "ana@firma.ro",
        [],
    )
    latest = audit.history(ana).first()
    assert latest.action == "restore version" and latest.actor == user and latest.source == "ui"
    assert latest.changes["position"] == ["Intern", ""]


@pytest.mark.django_db
def test_merge_and_trash_are_audited(user, ana):
    other = services.quick_add_contact(actor=user, name="Ana P.", phone="0722 000 111")
    merging.merge(actor=user, survivor=ana, duplicate=other)
    assert audit.history(ana).first().action == "merge"
    assert audit.history(other).first().action == "merged away"
    assert audit.history(other).first().changes == {"in_trash": [False, True]}


@pytest.mark.django_db
def test_trash_page_restores_and_only_administrators_delete_for_good(
    user_client, client, user, make_user, ana
):
    record_services.move_to_trash(actor=user, records=[ana])
    page = user_client.get("/trash/").content.decode()
    assert "Ana Popescu" in page and "Delete for good" not in page
    assert (
        user_client.post(
            "/trash/action/", {"type": "contact", "id": ana.pk, "action": "purge"}
        ).status_code
        == 403
    )
    user_client.post("/trash/action/", {"type": "contact", "id": ana.pk, "action": "restore"})
    assert Contact.objects.get(pk=ana.pk).deleted_at is None

    record_services.move_to_trash(actor=user, records=[Contact.objects.get(pk=ana.pk)])
    admin = make_user(email="boss@firma.ro", administrator=True)
    client.force_login(admin)
    client.post("/trash/action/", {"type": "contact", "id": ana.pk, "action": "purge"})
    assert not Contact.objects.filter(pk=ana.pk).exists()
    assert AuditEntry.objects.filter(object_id=ana.pk, action="purge", actor=admin).exists()


@pytest.mark.django_db
def test_purge_command_deletes_only_what_is_past_retention(user, ana, settings, capsys):
    settings.TRASH_RETENTION_DAYS = 30
    recent = services.quick_add_contact(actor=user, name="Recent", email="r@x.ro")
    record_services.move_to_trash(actor=user, records=[ana, recent])
    Contact.objects.filter(pk=ana.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=31)
    )
    call_command("purge_trash")
    assert not Contact.objects.filter(pk=ana.pk).exists()
    assert Contact.objects.filter(pk=recent.pk).exists()
    assert "1 records deleted for good." in capsys.readouterr().out
