"""Data out: a list (with its filters) as CSV, XLSX, JSON or vCard through the same
selectors as the page, one person's full data (R26), and the full export of everything
in the open format described in docs/export-format.md."""

from __future__ import annotations

import datetime
import itertools
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

import clientela
from clientela.core import audit, custom_fields, permissions
from clientela.core.models import AuditEntry
from clientela.core.text import Echo, spreadsheet_safe
from clientela.customers import selectors
from clientela.customers.models import Company, Contact
from clientela.dataio.importing import vcard

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell

    from clientela.core.models import CustomField
    from clientela.users.models import User

FORMATS = ("csv", "xlsx", "json", "vcard")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "vcard": "text/vcard; charset=utf-8",
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "json": "json", "vcard": "vcf"}
CHUNK = 1000
FULL_EXPORT_FORMAT = 1
# Apps whose tables are the business's data; the rest is machinery (sessions, queues,
# login attempts, two-factor secrets) that means nothing outside this installation.
SKIPPED_APPS = {
    "admin",
    "auth",
    "contenttypes",
    "sessions",
    "axes",
    "security",
    "jobs",
    "django_tasks_database",
    "django_tasks_db",
    "dataio",
    "bench",
}
# Password hashes, and the e-mail and messenger accounts' encrypted passwords and tokens:
# a backup keeps them (a restore needs them), an export never.
SECRET_COLUMNS = {
    "password",
    "imap_password",
    "smtp_password",
    "access_token",
    "app_secret",
    "webhook_secret",
    # A messenger file's reference: for Messenger an address signed by the provider that
    # fetches the file until it expires (a secret with a lifetime); useless, or a leak,
    # outside this installation. Named with its table: "ref" alone says nothing.
    "channels.messagemedia.ref",
}
# Rebuilt from the records, so not worth carrying.
DERIVED_TABLES = {"core.searchentry"}


# Spreadsheet safety -------------------------------------------------------------------
# Records as plain data ----------------------------------------------------------------
def _iso(value: datetime.date | datetime.datetime | None) -> str:
    return value.isoformat() if value else ""


ADDRESS_KEYS = ("street", "city", "region", "postal_code", "country")


def _address(points: selectors.ContactPoints) -> dict:
    first = points.addresses[0] if points.addresses else None
    return {key: first[key] if first else "" for key in ADDRESS_KEYS}


def _custom(record: Contact | Company, definitions: list[CustomField]) -> dict:
    stored = record.custom or {}
    return {d.key: stored.get(d.key) for d in definitions if d.key in stored}


def _shared(record: Contact | Company, definitions: list[CustomField]) -> dict:
    """What contacts and companies both carry: owner, contact points, tags, dates, custom."""
    points = selectors.contact_points(record)
    return {
        "owner": record.owner.email if record.owner is not None else "",
        "emails": points.emails,
        "phones": points.phones,
        "address": _address(points),
        "tags": points.tags,
        "created_at": _iso(record.created_at),
        "updated_at": _iso(record.updated_at),
        "custom": _custom(record, definitions),
    }


def _without(data: dict, hidden: set[str]) -> dict:
    """The fields the user's role may not see, left out (the same rule for both types)."""
    for name in hidden:
        data.pop(name, None)
    return data


def contact_data(contact: Contact, definitions: list[CustomField], hidden: set[str]) -> dict:
    data = {
        "id": contact.pk,
        "full_name": contact.full_name,
        "given_name": contact.given_name,
        "family_name": contact.family_name,
        "company": contact.company.name if contact.company is not None else "",
        "position": contact.position,
        "language": contact.language,
        "lifecycle_stage": contact.lifecycle_stage.name,
        "source": contact.source,
        **_shared(contact, definitions),
        "marketing_consent": contact.marketing_consent,
        "next_step": contact.next_step,
        "last_contacted_at": _iso(contact.last_contacted_at),
    }
    return _without(data, hidden)


def company_data(company: Company, definitions: list[CustomField], hidden: set[str]) -> dict:
    data = {
        "id": company.pk,
        "name": company.name,
        "legal_name": company.legal_name,
        "tax_id": company.tax_id,
        "industry": company.industry,
        "size": company.size,
        "website": company.website,
        "status": company.status,
        **_shared(company, definitions),
    }
    return _without(data, hidden)


# What contact_data and company_data read, as `QuerySet.only` names it.
_SHARED_FIELDS = ("id", "owner", "owner__email", "custom", "created_at", "updated_at")
RECORD_FIELDS = {
    "contact": (
        *_SHARED_FIELDS,
        *("full_name", "given_name", "family_name", "company", "company__name", "position"),
        *("lifecycle_stage", "lifecycle_stage__name", "source", "marketing_consent"),
        *("next_step", "last_contacted_at", "language"),
    ),
    "company": (
        *_SHARED_FIELDS,
        *("name", "legal_name", "tax_id", "industry", "size", "website", "status"),
    ),
}


# The flat columns of CSV and XLSX; the header names are ones the importer recognises,
# so an exported file imports back as it was.
CONTACT_COLUMNS = (
    ("id", "ID"),
    ("full_name", "Full name"),
    ("given_name", "Given name"),
    ("family_name", "Family name"),
    ("company", "Company"),
    ("position", "Position"),
    ("lifecycle_stage", "Lifecycle stage"),
    ("source", "Source"),
    ("owner", "Owner"),
    ("emails", "E-mail"),
    ("phones", "Phone"),
    ("street", "Street"),
    ("city", "City"),
    ("region", "Region"),
    ("postal_code", "Postal code"),
    ("country", "Country"),
    ("tags", "Tags"),
    ("marketing_consent", "Marketing consent"),
    ("next_step", "Next step"),
    ("language", "Language"),
    ("last_contacted_at", "Last contacted"),
    ("created_at", "Created"),
    ("updated_at", "Updated"),
)
COMPANY_COLUMNS = (
    ("id", "ID"),
    ("name", "Name"),
    ("legal_name", "Legal name"),
    ("tax_id", "Tax id"),
    ("industry", "Industry"),
    ("size", "Size"),
    ("website", "Website"),
    ("status", "Status"),
    ("owner", "Owner"),
    ("emails", "E-mail"),
    ("phones", "Phone"),
    ("street", "Street"),
    ("city", "City"),
    ("region", "Region"),
    ("postal_code", "Postal code"),
    ("country", "Country"),
    ("tags", "Tags"),
    ("created_at", "Created"),
    ("updated_at", "Updated"),
)


class ListExport:
    """One list, as the user may see it, ready to be written in any format."""

    def __init__(self, user: User | None, record_type: str, queryset: QuerySet) -> None:
        self.user = user
        self.record_type = record_type
        if record_type == "contact":
            self.queryset = queryset.select_related("company", "owner", "lifecycle_stage")
        else:
            self.queryset = queryset.select_related("owner")
        # Only the columns contact_data and company_data read: a user's or company's other
        # columns (a dozen, half of them dates to convert) cost a third of the time per row.
        self.queryset = self.queryset.only(*RECORD_FIELDS[record_type])
        self.definitions = custom_fields.definitions(record_type, user)
        self.hidden = (
            set(permissions.SENSITIVE_FIELDS.get(record_type, ()))
            if user is not None and not permissions.sees_sensitive(user)
            else set()
        )
        base = CONTACT_COLUMNS if record_type == "contact" else COMPANY_COLUMNS
        self.columns = [(key, label) for key, label in base if key not in self.hidden]
        self.columns += [(f"custom:{d.key}", d.label) for d in self.definitions]

    def records(self) -> Iterator[dict]:
        # Given the records of this list's own type.
        serialise: Callable[[Any, list[CustomField], set[str]], dict] = (
            contact_data if self.record_type == "contact" else company_data
        )
        # Keyset order by id, streamed in chunks: memory stays flat however long the list.
        # Each chunk's e-mails, phones, addresses and tags come in one query per relation.
        rows = self.queryset.order_by("id").iterator(chunk_size=CHUNK)
        while chunk := list(itertools.islice(rows, CHUNK)):
            for record in selectors.with_contact_points(chunk):
                yield serialise(record, self.definitions, self.hidden)

    def flat(self, data: dict) -> list[str]:
        row = []
        for key, _label in self.columns:
            if key.startswith("custom:"):
                value = data["custom"].get(key[7:])
                value = ", ".join(map(str, value)) if isinstance(value, list) else value
            elif key == "emails":
                value = "; ".join(e["address"] for e in data["emails"])
            elif key == "phones":
                value = "; ".join(p["number"] for p in data["phones"])
            elif key in ADDRESS_KEYS:
                value = data["address"][key]
            elif key == "tags":
                value = ", ".join(data["tags"])
            elif key == "marketing_consent":
                value = "yes" if data[key] else "no"
            else:
                value = data[key]
            row.append(spreadsheet_safe(value))
        return row

    def header(self) -> list[str]:
        return [spreadsheet_safe(label) for _key, label in self.columns]

    # Writers -------------------------------------------------------------------------
    def csv_lines(self) -> Iterator[str]:
        import csv

        writer = csv.writer(Echo())
        yield "\ufeff" + writer.writerow(self.header())  # the BOM tells Excel it is UTF-8
        for data in self.records():
            yield writer.writerow(self.flat(data))

    def json_chunks(self) -> Iterator[str]:
        yield "[\n"
        first = True
        for data in self.records():
            yield ("" if first else ",\n") + json.dumps(data, ensure_ascii=False)
            first = False
        yield "\n]\n"

    def vcards(self) -> Iterator[str]:
        for data in self.records():
            card = {
                "full_name": data.get("full_name") or data.get("name", ""),
                "given_name": data.get("given_name", ""),
                "family_name": data.get("family_name", ""),
                "org": data.get("company") if self.record_type == "contact" else data["name"],
                "title": data.get("position", ""),
                "emails": [(e["address"], e["kind"]) for e in data["emails"]],
                "phones": [(p["number"], p["kind"]) for p in data["phones"]],
                "addresses": [data["address"]] if any(data["address"].values()) else [],
                "tags": data["tags"],
                "uid": f"clientela-{self.record_type}-{data['id']}",
            }
            yield vcard.write_card(card)

    def xlsx_file(self) -> Path:
        """The list as an XLSX in a temporary file, written row by row (openpyxl's
        write-only mode), so a long list never sits in memory whole."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(
            str(_("Contacts") if self.record_type == "contact" else _("Companies"))
        )

        def cells(values: list[str]) -> list[WriteOnlyCell]:
            out = []
            for value in values:
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, never a formula, whatever it starts with
                out.append(cell)
            return out

        sheet.append(cells(self.header()))
        for data in self.records():
            sheet.append(cells(self.flat(data)))
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
        handle.close()
        workbook.save(handle.name)
        return Path(handle.name)


# One person's data (R26) --------------------------------------------------------------
def person_data(*, actor: User, contact: Contact) -> dict:
    """Everything kept about one contact, as the user may see it: the record, its
    timeline, tasks, files, the projects done for them and history of changes."""
    from clientela.activities.models import Attachment, Task, TimelineLink
    from clientela.projects import selectors as project_selectors

    record_type = "contact"
    definitions = custom_fields.definitions(record_type, actor)
    hidden = permissions.hidden_fields(actor, record_type)
    content_type = ContentType.objects.get_for_model(Contact)
    links = (
        TimelineLink.objects.filter(content_type=content_type, object_id=contact.pk)
        .select_related("activity__author")
        .order_by("occurred_at", "id")
    )
    return {
        "format": "clientela-person",
        "exported_at": timezone.now().isoformat(),
        "contact": contact_data(contact, definitions, hidden),
        "addresses": selectors.contact_points(contact).addresses,
        "timeline": [
            {
                "kind": link.activity.kind,
                "occurred_at": _iso(link.activity.occurred_at),
                "author": link.activity.author.email if link.activity.author is not None else "",
                "subject": link.activity.subject,
                "body": link.activity.body,
                "direction": link.activity.direction,
                "outcome": link.activity.outcome,
            }
            for link in links
        ],
        "tasks": [
            {
                "title": task.title,
                "notes": task.notes,
                "due_at": _iso(task.due_at),
                "done_at": _iso(task.done_at),
                "assignee": task.assignee.email if task.assignee_id else "",
            }
            for task in Task.objects.filter(content_type=content_type, object_id=contact.pk)
            .select_related("assignee")
            .order_by("id")
        ],
        "projects": [
            {
                "name": project.name,
                "status": project.status,
                "start_date": _iso(project.start_date),
                "due_date": _iso(project.due_date),
                "description": project.description,
            }
            for project in project_selectors.projects_for(actor)
            .filter(contact=contact)
            .order_by("id")
        ],
        "files": [
            {"name": f.name, "size": f.size, "uploaded_at": _iso(f.created_at)}
            for f in Attachment.objects.filter(
                content_type=content_type, object_id=contact.pk
            ).order_by("id")
        ],
        "history": [
            {
                "at": _iso(entry.at),
                "by": entry.actor.email if entry.actor is not None else "",
                "from": entry.source,
                "action": entry.action,
                "changes": audit.masked_changes(entry.changes, actor, record_type),
            }
            for entry in AuditEntry.objects.filter(content_type=content_type, object_id=contact.pk)
            .select_related("actor")
            .order_by("at", "id")
        ],
    }


# The full export ----------------------------------------------------------------------
def exported_models() -> list:
    """Every model holding the business's data, in a stable order."""
    return sorted(
        (
            model
            # Auto-created: the many-to-many link tables (a contact's tags).
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label not in SKIPPED_APPS
            and not model._meta.proxy
            and model._meta.label_lower not in DERIVED_TABLES
        ),
        key=lambda model: model._meta.label_lower,
    )


def exported_fields(model: type[Model]) -> list:
    """The model's columns an export carries: all but the secret ones (SECRET_COLUMNS, by
    field name everywhere or as "app.model.field" in one table)."""
    table = model._meta.label_lower
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in SECRET_COLUMNS and f"{table}.{field.name}" not in SECRET_COLUMNS
    ]


def _table_lines(model: type[Model]) -> Iterator[str]:
    fields = exported_fields(model)
    names = [field.attname for field in fields]
    rows = model._base_manager.order_by("pk").values_list(*names)
    for values in rows.iterator(chunk_size=CHUNK):
        yield (
            json.dumps(
                dict(zip(names, values, strict=True)), cls=DjangoJSONEncoder, ensure_ascii=False
            )
            + "\n"
        )


def _write_lines(archive: zipfile.ZipFile, name: str, lines: Iterable[str]) -> int:
    count = 0
    with archive.open(name, "w", force_zip64=True) as out:
        for line in lines:
            out.write(line.encode())
            count += 1
    return count


def full_export(output: Path | None = None) -> Path:
    """Write everything into one ZIP: each table as JSON Lines, contacts and companies also
    as CSV, every uploaded file, and a manifest. See docs/export-format.md."""
    folder = Path(settings.DATA_DIR) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    output = output or folder / f"clientela-export-{stamp}.zip"
    tables = {}
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for model in exported_models():
            name = f"tables/{model._meta.label_lower}.jsonl"
            tables[model._meta.label_lower] = {
                "file": name,
                "rows": _write_lines(archive, name, _table_lines(model)),
                "columns": [f.attname for f in exported_fields(model)],
            }
        for record_type, model in (("contact", Contact), ("company", Company)):
            export = ListExport(None, record_type, model._base_manager.all())
            _write_lines(archive, f"{model._meta.model_name}s.csv", export.csv_lines())
        files = []
        root = Path(settings.MEDIA_ROOT)
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    relative = path.relative_to(root).as_posix()
                    archive.write(path, f"files/{relative}")
                    files.append({"path": f"files/{relative}", "size": path.stat().st_size})
        manifest = {
            "format": "clientela-export",
            "format_version": FULL_EXPORT_FORMAT,
            "clientela_version": clientela.__version__,
            "exported_at": timezone.now().isoformat(),
            "documentation": "docs/export-format.md",
            "tables": tables,
            # What each content_type_id in the tables names (timeline links, audit...).
            "content_types": {
                str(ct.pk): f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()
            },
            "files": files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return output


def export_archives() -> list[Path]:
    folder = Path(settings.DATA_DIR) / "exports"
    if not folder.is_dir():
        return []
    return sorted(folder.glob("clientela-export-*.zip"), reverse=True)


def export_archive(name: str) -> Path | None:
    return next((path for path in export_archives() if path.name == name), None)


def filename(record_type: str, fmt: str) -> str:
    day = datetime.date.today().isoformat()
    plural = "contacts" if record_type == "contact" else "companies"
    return f"{plural}-{day}.{EXTENSIONS[fmt]}"
