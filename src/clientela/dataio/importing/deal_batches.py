"""A batch of a deals file: each row a deal through the deals app's services in its own
savepoint, its company found by name (or created) and its people by e-mail; a row with
the ID of a deal an earlier import brought in updates it, adding only the notes it lacks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from clientela.activities import batches as activity_batches
from clientela.activities import selectors as activity_selectors
from clientela.core import search
from clientela.core.text import fold
from clientela.customers import selectors as customer_selectors
from clientela.customers import services as customer_services
from clientela.customers.models import Company
from clientela.dataio.importing import rewrites
from clientela.dataio.importing.batches import (
    Tally,
    _own_savepoint,
    _problems,
    _undo_row,
    companies_by_name,
    converted_rows,
)
from clientela.dataio.importing.matching import Match, live
from clientela.dataio.importing.rows import Lookups
from clientela.dataio.models import DuplicateMode, ExternalKey, ImportNote, ImportRun
from clientela.deals import services as deal_services
from clientela.deals.models import Deal


class DealBatch:
    """One batch of a deals file, in file order: each row a deal through
    `deals.services.create_deal` in its own savepoint, its company found by name (or
    created, and undone with the import) and its contacts by e-mail, both looked up for
    the whole batch. A row with the ID of a deal already there (or earlier in the file)
    updates it when the run updates duplicates, is skipped and reported when it skips
    them, and makes another deal when it creates regardless."""

    def __init__(self, run: ImportRun, lookups: Lookups, tally: Tally):
        self.run, self.lookups, self.tally = run, lookups, tally
        self.actor = run.created_by
        self.notes: list = []
        self.added_notes: list = []  # (deal, text): new notes on deals the file updates
        self.new_companies: list[str] = []  # the folded names of those the row created

    def saved_companies(self) -> dict[str, Company]:
        return {}

    def store(self, batch: list[tuple[int, list[str]]]) -> None:
        rows = converted_rows(self.run, batch, self.lookups, self.tally)
        known = self.known_deals([row[2].external_id for row in rows if row[2].external_id])
        contacts = customer_selectors.oldest_by_email(
            {a for row in rows for _c, a in row[2].contact_emails}, user=self.actor
        )
        companies = self.companies({row[2].company_name for row in rows if row[2].company_name})
        check = self.run.duplicate_mode != DuplicateMode.CREATE
        updating = self.run.duplicate_mode == DuplicateMode.UPDATE
        for number, cells, converted in rows:
            key = converted.external_id
            pk = known.get(key) if check and key else None
            if pk is not None and not updating:
                self.tally.skipped += 1
                reason = Match(pk, "key", key).reason()
                self.tally.note(
                    self.run,
                    number,
                    ImportNote.Kind.SKIPPED,
                    "",
                    _("Skipped: a deal with %(reason)s is already there or earlier in the file.")
                    % {"reason": reason},
                )
                continue
            data = dict(converted.data)
            warnings = list(converted.warnings)
            for column, address in converted.contact_emails:
                if address in contacts:
                    data.setdefault("contacts", []).append(contacts[address])
                else:
                    warnings.append(
                        (
                            column,
                            _(
                                "No contact has the e-mail %(value)s: the deal is stored without them."
                            )
                            % {"value": address},
                        )
                    )
            records = len(self.tally.records)
            self.new_companies = []
            search.write_waiting()
            try:
                with _own_savepoint():
                    if converted.company_name:
                        data["company"] = self.company(companies, converted.company_name)
                    if pk is None:
                        deal = deal_services.create_deal(actor=self.actor, data=data)
                    else:
                        deal = self.rewrite(pk, data)
            except (ValidationError, PermissionDenied) as error:
                for name_key in self.new_companies:  # rolled back with the row
                    companies.pop(name_key, None)
                del self.tally.records[records:]
                self.tally.reject(self.run, number, cells, _problems(self.run, error))
                continue
            if pk is not None:
                self.tally.updated += 1
                self.more_notes(deal, converted.notes)
                self.tally.note(
                    self.run,
                    number,
                    ImportNote.Kind.MERGED,
                    "",
                    _("Updated the deal imported before with the same ID (%(key)s).")
                    % {"key": key},
                )
            else:
                self.tally.created += 1
                self.tally.records.append(_undo_row(self.run, "deal", deal.pk))
                if key:
                    known[key] = deal.pk
                    self.tally.keys.append(
                        ExternalKey(record_type="deal", key=key, object_id=deal.pk)
                    )
                self.notes += [(deal, text) for text in converted.notes]
            for column, message in warnings:
                self.tally.note(self.run, number, ImportNote.Kind.WARNING, column, message)
        activity_batches.log_notes(actor=self.actor, notes=self.notes)
        added = activity_batches.log_notes(actor=self.actor, notes=self.added_notes)
        self.tally.records += [_undo_row(self.run, "activity", note.pk) for note in added]

    def more_notes(self, deal: Deal, texts: list[str]) -> None:
        """A re-imported deal's notes the file adds, undone with the run; those it has (or
        an earlier row of the batch gave it) are not written twice."""
        have = activity_selectors.note_texts(deal) | {
            text for record, text in self.notes + self.added_notes if record.pk == deal.pk
        }
        self.added_notes += [(deal, text) for text in dict.fromkeys(texts) if text not in have]

    def rewrite(self, pk: int, data: dict) -> Deal:
        """A deal an earlier import (or row) brought in, written again with the fields the
        file gives: its people and custom values joined to those it has, its notes not
        added twice. How it stood before is kept for the undo (`rewrites.put_back`)."""
        deal = live(self.actor, "deal").get(pk=pk)
        self.tally.records.append(_undo_row(self.run, "deal", pk, rewrites.deal_state(deal)))
        if "contacts" in data:
            have = list(deal.contacts.all())
            data["contacts"] = have + [c for c in data["contacts"] if c not in have]
        if "custom" in data:
            data["custom"] = {**(deal.custom or {}), **data["custom"]}
        if data.get("stage") is not None:
            data["pipeline"] = data["stage"].pipeline
        assert self.actor is not None  # an import is always someone's
        return deal_services.update_deal(
            actor=self.actor, deal=deal, data=data, expected_version=None
        )

    def known_deals(self, keys: list[str]) -> dict[str, int]:
        """The live deals the actor may see, by their ID in the old system."""
        if not keys:
            return {}
        found = dict(
            ExternalKey.objects.filter(record_type="deal", key__in=keys).values_list(
                "key", "object_id"
            )
        )
        visible = set(
            live(self.actor, "deal").filter(pk__in=found.values()).values_list("pk", flat=True)
        )
        return {key: pk for key, pk in found.items() if pk in visible}

    def companies(self, names: set[str]) -> dict[str, Company]:
        return companies_by_name(self.actor, names)

    def company(self, companies: dict[str, Company], name: str) -> Company:
        """The company of that name, or a new one (undone with the import)."""
        key = fold(name)[:200]
        if key not in companies:
            company = customer_services.create_company(actor=self.actor, data={"name": name})
            self.tally.records.append(_undo_row(self.run, "company", company.pk))
            companies[key] = company
            self.new_companies.append(key)
        return companies[key]
