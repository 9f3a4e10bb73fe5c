"""One batch of an import's rows, stored as one transaction with the run's counters: rows
checked and written in file order through the customers services, each rejected row kept
with the column and the reason, so a stopped run resumes after its last whole batch."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import batches as activity_batches
from clientela.core import audit, bulk, search
from clientela.core.text import fold
from clientela.customers import services as customer_services
from clientela.customers.models import Company, Contact, Source
from clientela.dataio.importing import mapping
from clientela.dataio.importing.matching import PENDING, DuplicateIndex, live
from clientela.dataio.importing.rows import Lookups, RowRejected, convert, merged
from clientela.dataio.models import (
    DuplicateMode,
    ExternalKey,
    ImportedRecord,
    ImportNote,
    ImportRejection,
    ImportRun,
    SuspectedDuplicate,
)
from clientela.deals.models import Deal

RECORD_TYPES: dict[str, type[Contact] | type[Company] | type[Deal]] = {
    "contact": Contact,
    "company": Company,
    "deal": Deal,
}


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejections: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # ImportNote: skipped, merged, warnings
    records: list = field(default_factory=list)
    keys: list = field(default_factory=list)
    suspects: list = field(default_factory=list)  # SuspectedDuplicate, for the merge queue

    def reject(self, run: ImportRun, number: int, cells: list[str], problems) -> None:
        self.rejections.extend(
            ImportRejection(run=run, row=number, column=column[:255], reason=reason, values=cells)
            for column, reason in problems
        )

    def note(self, run: ImportRun, number: int, kind: str, column: str, message: str) -> None:
        self.notes.append(
            ImportNote(run=run, row=number, kind=kind, column=column[:255], message=message)
        )

    def warned_rows(self) -> int:
        """Rows stored with a warning (a rejected row's warnings were taken back)."""
        rejected = {item.row for item in self.rejections}
        warned = {item.row for item in self.notes if item.kind == ImportNote.Kind.WARNING}
        return len(warned - rejected)


def run_batch(run: ImportRun, batch: list[tuple[int, list[str]]], lookups: Lookups) -> None:
    tally = Tally()
    # Search entries are written after the records' savepoint, still in the batch's
    # transaction (see search.entries_at_end); a dry run writes none.
    with transaction.atomic(), search.entries_at_end() as search_entries:
        with transaction.atomic():  # the records; a dry run rolls back just this
            stored = _batch_class(run)(run, lookups, tally)
            stored.store(batch)
            bulk.append(ImportedRecord, tally.records)
            SuspectedDuplicate.objects.bulk_create(tally.suspects, ignore_conflicts=True)
            ExternalKey.objects.bulk_create(
                tally.keys,
                update_conflicts=True,
                unique_fields=["record_type", "key"],
                update_fields=["object_id"],
            )
            if run.dry_run:
                transaction.set_rollback(True)
                search_entries.clear()
            else:
                transaction.on_commit(lambda: lookups.remember_companies(stored.saved_companies()))
        ImportRejection.objects.bulk_create(tally.rejections)
        rejected_rows = {item.row for item in tally.rejections}
        # A row rejected as its batch was written had been noted as merged or warned of.
        ImportNote.objects.bulk_create(
            note for note in tally.notes if note.row not in rejected_rows
        )
        ImportRun.objects.filter(pk=run.pk).update(
            last_row=batch[-1][0],
            rows_done=F("rows_done") + len(batch),
            created=F("created") + tally.created,
            updated=F("updated") + tally.updated,
            skipped=F("skipped") + tally.skipped,
            rejected=F("rejected") + len(rejected_rows),
            warned=F("warned") + tally.warned_rows(),
            beat_at=timezone.now(),
        )
    run.last_row = batch[-1][0]


def converted_rows(run: ImportRun, batch, lookups: Lookups, tally: Tally) -> list:
    """(number, cells, Converted) for each row of the batch that reads; the others are
    rejected in the tally with their reasons."""
    rows = []
    for number, cells in batch:
        try:
            rows.append((number, cells, convert(run, run.headers, cells, lookups)))
        except RowRejected as rejected:
            tally.reject(run, number, cells, rejected.problems)
    return rows


def _batch_class(run: ImportRun):
    from clientela.dataio.importing.timeline_batches import BATCHES

    if run.record_type in BATCHES:
        return BATCHES[run.record_type]
    if run.record_type == "deal":
        from clientela.dataio.importing.deal_batches import DealBatch

        return DealBatch
    return _Batch


TARGET_OF_FIELD = {
    "emails": "email",
    "phones": "phone",
    "full_name": "full_name",
    "name": "name",
    "tags": "tags",
    "title": "title",
    "body": "body",
    "unit_price": "price",
    "tax_rate": "tax_rate",
}


def _column_of(run: ImportRun, error) -> str:
    """The column a service's complaint is about, when it names a field the file mapped."""
    fields = list(getattr(error, "error_dict", {}) or {})
    for name in fields:
        target = TARGET_OF_FIELD.get(name, name.replace("custom.", mapping.CUSTOM_PREFIX))
        if target in run.mapping:
            return run.headers[run.mapping.index(target)][:255]
    return fields[0][:255] if fields else ""


def _problems(run: ImportRun, error) -> list[tuple[str, str]]:
    return [(_column_of(run, error), " ".join(getattr(error, "messages", None) or [str(error)]))]


class _Batch:
    """One batch's rows stored in file order. New contacts are checked row by row and
    written together (customers.services.create_contacts); updates and new companies go
    through the one-record services. A row that repeats a contact still waiting to be
    written makes the waiting ones be written first, so it finds them."""

    def __init__(self, run: ImportRun, lookups: Lookups, tally: Tally):
        self.run, self.lookups, self.tally = run, lookups, tally
        self.actor = run.created_by
        self.model = RECORD_TYPES[run.record_type]
        self.pending: list = []  # (number, cells, converted, prepared)
        self.companies: dict[str, Company] = {}
        self.tags: dict = {}
        self.notes: list = []  # (record, text): written together once the batch is stored
        self.written_companies: list[Company] = []  # new companies the current step wrote
        # For the merge queue: the namesake of each row that has one (by the row's id()),
        # and the contacts this batch created by name, for a namesake still waiting.
        self.namesakes: dict[int, object] = {}
        self.created_names: dict = {}

    def store(self, batch: list[tuple[int, list[str]]]) -> None:
        rows = converted_rows(self.run, batch, self.lookups, self.tally)
        self.find_companies({row[2].company_name for row in rows if row[2].company_name})
        check = self.run.duplicate_mode != DuplicateMode.CREATE
        self.index = DuplicateIndex(self.actor, self.run.record_type, [r[2] for r in rows])
        for number, cells, converted in rows:
            match = self.index.find(converted) if check else None
            if match is not None and match.pk is PENDING:
                self.flush()
                match = self.index.find(converted)
            found = match.pk if match is not None else None
            if match is not None and self.run.duplicate_mode == DuplicateMode.SKIP:
                self.tally.skipped += 1
                self.tally.note(self.run, number, ImportNote.Kind.SKIPPED, "", self.said(match))
                continue
            self.explain(number, converted, match)
            # A row that writes now (an update, a company) does so in a savepoint, and a
            # rejection takes back what it had noted here too; a new contact only waits
            # for the flush, which has its own.
            writes = found is not None or self.run.record_type != "contact"
            records, notes = len(self.tally.records), len(self.notes)
            self.written_companies = []
            if writes:  # its savepoint may be rolled back: its search entries go with it
                search.write_waiting()
            try:
                with _own_savepoint() if writes else nullcontext():
                    self.row(number, cells, converted, found)
            except (ValidationError, PermissionDenied) as error:
                del self.tally.records[records:]
                del self.notes[notes:]
                _unsaved(self.written_companies)  # rolled back with the row
                self.tally.reject(self.run, number, cells, _problems(self.run, error))
        self.flush()
        activity_batches.log_notes(actor=self.actor, notes=self.notes)

    def said(self, match) -> str:
        """Why a row was skipped or merged, as the report says it."""
        skip = self.run.duplicate_mode == DuplicateMode.SKIP
        if self.run.record_type == "contact":
            message = (
                _("Skipped: a contact with %(reason)s is already there or earlier in the file.")
                if skip
                else _(
                    "Merged into the contact with %(reason)s, already there or earlier in the file."
                )
            )
        else:
            message = (
                _("Skipped: a company with %(reason)s is already there or earlier in the file.")
                if skip
                else _(
                    "Merged into the company with %(reason)s, already there or earlier in the file."
                )
            )
        return message % {"reason": match.reason()}

    def explain(self, number: int, converted, match) -> None:
        """The report's lines for a row about to be stored: merged and why, a namesake it
        was not taken for, each warning about its values (taken back if it is rejected)."""
        if match is not None:
            self.tally.note(self.run, number, ImportNote.Kind.MERGED, "", self.said(match))
        elif self.index.namesake(converted):
            self.namesakes[id(converted)] = self.index.namesakes.get(self.index._name(converted))
            self.tally.note(
                self.run,
                number,
                ImportNote.Kind.WARNING,
                "",
                _(
                    "A contact with this name at this company is already there or earlier in "
                    "the file, with another e-mail or phone: this row was imported as another "
                    "person. Merge them if they are one."
                ),
            )
        for column, message in converted.warnings:
            self.tally.note(self.run, number, ImportNote.Kind.WARNING, column, message)

    def row(self, number: int, cells: list[str], converted, found) -> None:
        data = dict(converted.data)
        if converted.company_name:
            data["company"] = self.company(converted.company_name)
            if found is not None:  # the contact is written now: so is a new company
                self.write_companies([data["company"]])
        if found is not None:
            record = self.update(found, data)
            self.done(converted, record, created=False)
        elif self.run.record_type == "contact":
            data.setdefault("source", Source.IMPORT)
            data.setdefault("lifecycle_stage", self.lookups.default_stage)
            prepared = customer_services.prepare_contact(
                actor=self.actor, data=data, tags=self.tags
            )
            self.pending.append((number, cells, converted, prepared))
            self.index.add(converted, PENDING)
        else:
            record = customer_services.create_company(actor=self.actor, data=data)
            self.done(converted, record, created=True)

    def update(self, pk: int, data: dict):
        existing = live(self.actor, self.run.record_type).get(pk=pk)
        self.tally.records.append(
            self.undo_row(self.run.record_type, pk, before=audit.snapshot(existing))
        )
        data = merged(existing, data)
        if self.run.record_type == "contact":
            return customer_services.update_contact(
                actor=self.actor, contact=existing, data=data, expected_version=None
            )
        return customer_services.update_company(
            actor=self.actor, company=existing, data=data, expected_version=None
        )

    def flush(self) -> None:
        """Write the contacts waiting, with the new companies they name."""
        if not self.pending:
            return
        waiting, self.pending = self.pending, []
        self.written_companies = []
        try:
            with transaction.atomic():
                self.write_companies([item[3].contact.company for item in waiting])
                contacts = customer_services.create_contacts(
                    actor=self.actor, prepared=[item[3] for item in waiting]
                )
        except (ValidationError, PermissionDenied) as error:
            _unsaved(self.written_companies)
            del self.tally.records[len(self.tally.records) - len(self.written_companies) :]
            for number, cells, _converted, _prepared in waiting:
                self.tally.reject(self.run, number, cells, _problems(self.run, error))
            return
        for (_number, _cells, converted, _prepared), contact in zip(waiting, contacts, strict=True):
            self.done(converted, contact, created=True)

    def write_companies(self, companies: list) -> None:
        """Create those of `companies` that are new (from `company`), together; each is
        undone with the import."""
        new = list({id(c): c for c in companies if c is not None and c.pk is None}.values())
        if not new:
            return
        customer_services.create_companies(actor=self.actor, companies=new)
        self.written_companies += new
        self.tally.records += [self.undo_row("company", company.pk) for company in new]

    def done(self, converted, record, *, created: bool) -> None:
        if created:
            self.tally.created += 1
            self.tally.records.append(self.undo_row(self.run.record_type, record.pk))
            if id(converted) in self.namesakes:
                self.queue_namesake(converted, record.pk)
            if self.run.record_type == "contact":
                self.created_names[self.index._name(converted)] = record.pk
        else:
            self.tally.updated += 1
        self.index.add(converted, record.pk)
        if converted.external_id:
            self.tally.keys.append(
                ExternalKey(
                    record_type=self.run.record_type,
                    key=converted.external_id,
                    object_id=record.pk,
                )
            )
        self.notes += [(record, text) for text in converted.notes]

    def queue_namesake(self, converted, pk: int) -> None:
        """Put the new contact and the namesake it was not taken for in the merge queue."""
        name = self.index._name(converted)
        other = self.namesakes[id(converted)]
        if other is PENDING:  # a contact earlier in this batch, written just before
            other = self.created_names.get(name)
        if isinstance(other, int) and other != pk:
            self.tally.suspects.append(
                SuspectedDuplicate(
                    run=self.run, record_type="contact", first_id=other, second_id=pk
                )
            )

    def find_companies(self, names: set[str]) -> None:
        """Read the batch's companies in one query: those the run has not met yet. A
        company found here, or created by a row, is remembered by the run once the batch
        commits (`Lookups.remember_companies`)."""
        wanted = {fold(name)[:200] for name in names} - set(self.lookups.companies)
        self.missing = set(wanted)
        if not wanted:
            return
        found = live(self.actor, "company").filter(name_key__in=wanted).order_by("-id")
        for company in found:  # the oldest of a name wins, as one name's lookup would
            self.companies[company.name_key] = company
        self.missing -= set(self.companies)

    def saved_companies(self) -> dict[str, Company]:
        return {key: company for key, company in self.companies.items() if company.pk}

    def undo_row(self, record_type: str, pk: int, before: dict | None = None) -> dict:
        return _undo_row(self.run, record_type, pk, before)

    def company(self, name: str) -> Company:
        """The company a contact's company column names (same name, any case or accents),
        or a new one, written with the contact that names it (`write_companies`)."""
        key = fold(name)[:200]
        known = self.companies.get(key) or self.lookups.companies.get(key)
        if known is not None:
            return known
        existing = None
        if key not in self.missing:  # not looked up with the batch
            existing = live(self.actor, "company").filter(name_key=key).order_by("id").first()
        self.companies[key] = existing or customer_services.new_company_named(name)
        return self.companies[key]


def _undo_row(run: ImportRun, record_type: str, pk: int, before: dict | None = None) -> dict:
    """What undoing the run needs of a record it created (`before` None) or changed."""
    return {
        "run_id": run.pk,
        "record_type": record_type,
        "object_id": pk,
        "created": before is None,
        "before": before,
    }


def companies_by_name(actor, names: set[str]) -> dict[str, Company]:
    """The live companies the actor may see, by folded name (the oldest of a name)."""
    wanted = {fold(name)[:200] for name in names}
    if not wanted:
        return {}
    found = live(actor, "company").filter(name_key__in=wanted).order_by("-id")
    return {company.name_key: company for company in found}


@contextmanager
def _own_savepoint():
    """A row that writes at once: a savepoint, its search entries written inside it."""
    with transaction.atomic(), search.entries_now():
        yield


def _unsaved(companies: list[Company]) -> None:
    """Companies whose INSERT was rolled back: new again, for the next row that names them."""
    for company in companies:
        company.pk = None
        company._state.adding = True
