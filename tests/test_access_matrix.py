"""Every URL, every role, against records owned by another team: nothing leaks.

Each URL pattern of the product must have a probe below; a new URL without one makes
`test_every_url_has_a_probe` fail, so no page or endpoint ships unchecked. A probe
says what the request touches: the other team's record in view (`view`), in a list
or search (`list`), a change to it (`edit`, `delete`), something only its owner may
use (`owner`), settings pages (`settings`), Django's admin (`staff`), or nothing of anyone else's (`self`)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from clientela.activities import services as activity_services
from clientela.core import audit
from clientela.core.models import SavedView
from clientela.customers import services
from clientela.customers.models import Contact
from clientela.dataio.models import ImportedRecord, ImportRejection, ImportRun
from clientela.notifications import services as notifications
from clientela.users import permissions
from clientela.users.services import create_user, role_named, team_named

SECRET = "Secreta Ionescu"
SECRET_COMPANY = "Compania Secretă"


@dataclass(frozen=True)
class Probe:
    kind: str  # view, list, edit, delete, owner, staff, self
    method: str
    url: str
    data: dict | None = None


def probes(w) -> dict[str, Probe]:
    """w: the other team's world (records, ids) built by the fixture."""
    c, co = w["contact"].pk, w["company"].pk
    token = f"contact:{c}"
    edit_form = {
        "full_name": "Changed",
        "lifecycle_stage": w["contact"].lifecycle_stage_id,
        "source": "web",
    }
    return {
        "home": Probe("self", "GET", "/"),
        "healthz": Probe("self", "GET", "/healthz"),
        "search": Probe("list", "GET", "/search/?q=secreta"),
        "search-palette": Probe("list", "GET", "/search/palette/?q=secreta"),
        "contact-list": Probe("list", "GET", "/contacts/?q=secreta"),
        "contact-create": Probe("self", "GET", "/contacts/new/"),
        "quick-add": Probe("self", "GET", "/contacts/quick-add/"),
        "quick-add-check": Probe(
            "list", "GET", "/contacts/quick-add/check/?email=secreta@firma-b.ro"
        ),
        "contact-detail": Probe("view", "GET", f"/contacts/{c}/"),
        "contact-edit": Probe("edit", "POST", f"/contacts/{c}/edit/", edit_form),
        "company-list": Probe("list", "GET", "/companies/?q=compania"),
        "company-create": Probe("self", "GET", "/companies/new/"),
        "company-detail": Probe("view", "GET", f"/companies/{co}/"),
        "company-edit": Probe(
            "edit", "POST", f"/companies/{co}/edit/", {"name": "Changed", "status": "active"}
        ),
        "inline-edit": Probe(
            "edit",
            "POST",
            f"/records/contact/{c}/inline/",
            {**edit_form, "version": w["contact"].version},
        ),
        "bulk-action": Probe(
            "edit",
            "POST",
            "/lists/contact/bulk/",
            {"action": "tag", "ids": [c], "tags": "hacked", "confirm": "yes"},
        ),
        "save-view": Probe(
            "self", "POST", "/lists/contact/views/", {"name": "Mine", "query": "owner=me"}
        ),
        "delete-view": Probe("owner", "POST", f"/lists/views/{w['view'].pk}/delete/"),
        "trash": Probe("list", "GET", "/trash/"),
        "trash-action": Probe(
            "delete",
            "POST",
            "/trash/action/",
            {"type": "contact", "id": w["trashed"].pk, "action": "restore"},
        ),
        "undo-trash": Probe("self", "POST", "/trash/undo/"),
        "record-history": Probe("view", "GET", f"/records/contact/{c}/history/"),
        "restore-version": Probe("edit", "POST", f"/history/{w['version'].pk}/restore/"),
        "merge": Probe("delete", "POST", f"/merge/contact/{c}/{w['other'].pk}/"),
        "merge-undo": Probe("self", "POST", "/merge/undo/"),
        "my-day": Probe("self", "GET", "/my-day/"),
        "log-activity": Probe(
            "edit", "POST", f"/records/{token}/log/", {"kind": "note", "body": "hacked"}
        ),
        "task-create": Probe("edit", "POST", f"/records/{token}/tasks/", {"title": "hacked"}),
        "file-upload": Probe(
            "edit",
            "POST",
            f"/records/{token}/files/",
            {"file": SimpleUploadedFile("x.txt", b"hacked")},
        ),
        "task-done": Probe("owner", "POST", f"/tasks/{w['task'].pk}/done/"),
        "file-download": Probe("view", "GET", f"/files/{w['file'].pk}/"),
        "login": Probe("self", "GET", "/login/"),
        "login-code": Probe("self", "GET", "/login/code/"),
        "two-factor": Probe("self", "GET", "/account/two-factor/"),
        "logout": Probe("self", "GET", "/account/password/"),  # logging out would end the probe
        "password_change": Probe("self", "GET", "/account/password/"),
        "password_change_done": Probe("self", "GET", "/account/password/done/"),
        "password_reset": Probe("self", "GET", "/password-reset/"),
        "password_reset_done": Probe("self", "GET", "/password-reset/sent/"),
        "password_reset_confirm": Probe("self", "GET", "/password-reset/MQ/bad-token/"),
        "password_reset_complete": Probe("self", "GET", "/password-reset/complete/"),
        "dataio:backups": Probe("settings", "GET", "/settings/backups/"),
        "dataio:back_up_now": Probe("settings", "POST", "/settings/backups/run/"),
        "dataio:download": Probe("settings", "GET", "/settings/backups/none.tar.gz/download/"),
        "jobs:board": Probe("settings", "GET", "/jobs/"),
        "jobs:retry": Probe("settings", "POST", "/jobs/00000000-0000-0000-0000-000000000000/retry"),
        "notifications:index": Probe("self", "GET", "/notifications/"),
        "notifications:preferences": Probe(
            "self", "POST", "/notifications/preferences", {"in_app": "on"}
        ),
        "notifications:bell": Probe("self", "GET", "/notifications/bell"),
        "notifications:menu": Probe("self", "GET", "/notifications/menu"),
        "notifications:open": Probe("owner", "POST", f"/notifications/{w['notification'].pk}/open"),
        "notifications:read_all": Probe("self", "POST", "/notifications/read-all"),
        "admin": Probe("staff", "GET", "/admin/"),
        "imports:start": Probe("self", "GET", "/imports/"),
        "imports:run": Probe("owner", "GET", f"/imports/{w['import_run'].pk}/"),
        "imports:progress": Probe("owner", "GET", f"/imports/{w['import_run'].pk}/progress/"),
        "imports:rejected": Probe("owner", "GET", f"/imports/{w['import_run'].pk}/rejected.csv"),
        "imports:undo": Probe("owner", "POST", f"/imports/{w['import_run'].pk}/undo/"),
        "imports:resume": Probe("owner", "POST", f"/imports/{w['import_run'].pk}/resume/"),
        "exports:list": Probe("list", "GET", "/exports/contact/?format=csv&q=secreta"),
        # One person's data: like a list, it must never hold a contact the role can't see.
        "exports:person": Probe("list", "GET", f"/contacts/{c}/data/"),
        "exports:full": Probe("settings", "GET", "/settings/export/"),
        "exports:full_download": Probe(
            "settings", "GET", "/settings/export/clientela-export-none.zip/download/"
        ),
    }


def url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    names.add("admin")
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    team_b = team_named("Sales Bucharest")
    owner_b = create_user(email="owner@firma-b.ro", full_name="Bogdan B", team=team_b)
    contact = services.create_contact(
        actor=owner_b,
        data={
            "full_name": SECRET,
            "emails": ["secreta@firma-b.ro"],
            "company_name": SECRET_COMPANY,
        },
    )
    other = services.create_contact(actor=owner_b, data={"full_name": "Secreta I. (duplicate)"})
    trashed = services.create_contact(actor=owner_b, data={"full_name": "Secreta Gunoi"})
    services.move_to_trash(actor=owner_b, records=[trashed])
    services.update_contact(
        actor=owner_b, contact=contact, data={"position": "CFO"}, expected_version=None
    )
    activity_services.log_activity(
        actor=owner_b, record=contact, kind="note", body="Secret deal terms"
    )
    file = activity_services.attach_file(
        actor=owner_b, record=contact, upload=SimpleUploadedFile("secret.pdf", b"%PDF secret")
    )
    task = activity_services.create_task(
        actor=owner_b, title="Secret call", assignee=owner_b, record=contact
    )
    contact.refresh_from_db()
    # An import owner_b ran, which created the secret contact and rejected a secret row.
    import_run = ImportRun.objects.create(
        created_by=owner_b,
        record_type="contact",
        file_name="secret.csv",
        path="/nonexistent/secret.csv",
        format="csv",
        headers=["Name"],
        mapping=["full_name"],
        status=ImportRun.Status.DONE,
        created=1,
        rejected=1,
    )
    ImportedRecord.objects.create(
        run=import_run, record_type="contact", object_id=contact.pk, created=True
    )
    ImportRejection.objects.create(
        run=import_run, row=3, column="Name", reason="bad", values=[SECRET]
    )
    return {
        "import_run": import_run,
        "contact": contact,
        "company": contact.company,
        "other": other,
        "trashed": trashed,
        "file": file,
        "task": task,
        "version": audit.history(contact).last(),
        "view": SavedView.objects.create(
            user=owner_b, record_type="contact", name="B's", query="q=x"
        ),
        "notification": notifications.notify(
            owner_b, key="secret", title="Secret reminder", url=contact.get_absolute_url()
        ),
        "owner": owner_b,
    }


def test_every_url_has_a_probe():
    fake = {
        key: type("R", (), {"pk": 1, "version": 1, "lifecycle_stage_id": 1})()
        for key in (
            "contact",
            "company",
            "other",
            "trashed",
            "file",
            "task",
            "version",
            "view",
            "notification",
            "import_run",
        )
    }
    missing = url_names() - set(probes(fake))
    assert not missing, f"URLs with no access probe: {sorted(missing)}"


def request(client, probe: Probe):
    if probe.method == "GET":
        return client.get(probe.url)
    return client.post(probe.url, probe.data or {})


def state_of(world) -> tuple:
    contact = Contact.objects.get(pk=world["contact"].pk)
    return (
        contact.full_name,
        contact.version,
        contact.deleted_at,
        Contact.objects.get(pk=world["trashed"].pk).deleted_at,
        Contact.objects.get(pk=world["other"].pk).deleted_at,
        sorted(contact.tags.values_list("name", flat=True)),
        world["task"].__class__.objects.get(pk=world["task"].pk).done_at,
        SavedView.objects.filter(pk=world["view"].pk).exists(),
        world["notification"].__class__.objects.get(pk=world["notification"].pk).read_at,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role_key", sorted(permissions.DEFAULT_ROLES))
def test_no_role_reaches_another_teams_records_beyond_its_scope(client, world, role_key):
    team_a = team_named("Sales Cluj")
    user = create_user(email=f"{role_key}@firma-a.ro", role=role_named(role_key), team=team_a)
    client.force_login(user)
    may = {
        action: permissions.scope(user, "contact", action) == permissions.ALL
        for action in permissions.ACTIONS
    }
    leaks = []
    for name, probe in probes(world).items():
        before = state_of(world)
        response = request(client, probe)
        body = (
            response.content.decode(errors="replace")
            if not response.streaming
            else b"".join(response.streaming_content).decode(errors="replace")
        )
        shows_secret = (
            SECRET in body
            or SECRET_COMPANY in body
            or "Secret deal terms" in body
            or "%PDF secret" in body
        )
        changed = state_of(world) != before
        if response.status_code >= 500:
            leaks.append(f"{name}: server error {response.status_code}")
        if probe.kind == "view":
            if not may["view"] and (response.status_code == 200 or shows_secret):
                leaks.append(f"{name}: {response.status_code} shows the other team's record")
            if may["view"] and response.status_code != 200:
                leaks.append(f"{name}: {response.status_code}, but the role may see it")
        elif probe.kind == "list":
            if not may["view"] and shows_secret and name != "trash":
                leaks.append(f"{name}: lists the other team's record")
            if name == "trash" and not may["delete"] and "Secreta Gunoi" in body:
                leaks.append("trash: lists a record the role may not restore")
        elif probe.kind in {"edit", "delete"}:
            allowed = may["edit"] if probe.kind == "edit" else (may["delete"] and may["edit"])
            if changed and not allowed:
                leaks.append(f"{name}: changed the other team's record ({response.status_code})")
            if shows_secret and not may["view"]:
                leaks.append(f"{name}: answer shows the other team's record")
        elif probe.kind == "owner":
            # Refused outright, or sent back to one's own page: never the owner's target.
            followed = response.get("Location") == world["contact"].get_absolute_url()
            if changed or shows_secret or followed or response.status_code == 200:
                leaks.append(
                    f"{name}: {response.status_code}, changed={changed}: only its owner may"
                )
        elif probe.kind == "staff":
            if response.status_code == 200 and not user.is_staff:
                leaks.append(f"{name}: open to a non-staff role")
        elif probe.kind == "settings":
            if response.status_code in {200, 302} and not permissions.can(user, "manage_settings"):
                leaks.append(f"{name}: {response.status_code} for a role without manage_settings")
        elif probe.kind == "self":
            if shows_secret and not may["view"]:
                leaks.append(f"{name}: shows the other team's record")
            if changed and not (may["edit"] and may["delete"]):
                leaks.append(f"{name}: changed the other team's records")
    assert not leaks, "\n".join(leaks)
