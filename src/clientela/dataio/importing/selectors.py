"""Every read about imports: a user's runs, one run, its progress, its rejected rows."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import pgettext

from clientela.core.pagination import Page, keyset_page
from clientela.dataio.models import (
    ImportNote,
    ImportRejection,
    ImportRun,
    MappingTemplate,
    SuspectedDuplicate,
)


def runs_for(user) -> QuerySet[ImportRun]:
    """A user's own imports: a file someone brought in is theirs to follow and undo."""
    return ImportRun.objects.filter(created_by=user)


def run_for(user, pk: int) -> ImportRun:
    return runs_for(user).get(pk=pk)


def recent_runs(user, limit: int = 20) -> list[ImportRun]:
    return list(runs_for(user).order_by("-created_at", "-id")[:limit])


def templates(record_type: str) -> QuerySet[MappingTemplate]:
    return MappingTemplate.objects.filter(record_type=record_type)


def all_templates() -> QuerySet[MappingTemplate]:
    return MappingTemplate.objects.all()


def rejections(run: ImportRun, limit: int | None = None) -> QuerySet[ImportRejection]:
    rows = run.rejections.order_by("row", "id")
    return rows[:limit] if limit else rows


def notes(run: ImportRun, limit: int | None = None) -> QuerySet[ImportNote]:
    """What the report says of rows skipped, merged or stored with a warning."""
    rows = run.notes.order_by("row", "id")
    return rows[:limit] if limit else rows


def report(run: ImportRun) -> Iterator[tuple[int, str, str, str, list[str]]]:
    """The whole report in row order: (row, outcome, column, message, the row's cells
    for a rejected one), rejected rows and notes read in chunks side by side."""
    outcome = pgettext("import row", "Rejected")
    Line = tuple[int, int, int, str, str, str, list[str]]
    rejected: Iterator[Line] = (
        (item.row, 0, item.id, outcome, item.column, item.reason, item.values)
        for item in rejections(run).iterator(chunk_size=1000)
    )
    noted: Iterator[Line] = (
        (item.row, 1, item.id, item.get_kind_display(), item.column, item.message, [])
        for item in notes(run).iterator(chunk_size=1000)
    )
    for row, _order, _id, outcome, column, message, values in heapq.merge(rejected, noted):
        yield row, outcome, column, message, values


@dataclass(frozen=True)
class Progress:
    done: int
    total: int | None
    percent: int
    rate: float  # rows per second in the current stretch of work
    seconds_left: int | None


def progress(run: ImportRun) -> Progress:
    total = run.total_rows
    percent = int(run.rows_done * 100 / total) if total else (100 if run.status == "done" else 0)
    rate = 0.0
    left = None
    if run.stretch_started_at is not None:
        end = run.finished_at if run.status == "done" and run.finished_at else timezone.now()
        elapsed = max((end - run.stretch_started_at).total_seconds(), 0.001)
        rate = (run.rows_done - run.stretch_start_rows) / elapsed
        if rate > 0 and total is not None and run.status == "running":
            left = int((total - run.rows_done) / rate)
    return Progress(run.rows_done, total, min(percent, 100), rate, left)


def duration(seconds: int | None) -> str:
    """1 h 02 min, 3 min 05 s, 12 s."""
    if seconds is None:
        return "-"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


@dataclass
class SuspectedPair:
    pair: SuspectedDuplicate
    first: object
    second: object

    @property
    def both(self) -> tuple[object, object]:
        return (self.first, self.second)


def suspected_duplicates(user, limit: int = 100) -> list[SuspectedPair]:
    """The merge queue: the open pairs an import flagged whose two contacts are both live
    and visible to the user (a pair merged or trashed since drops out), newest first."""
    from clientela.customers import selectors as customer_selectors

    pairs = list(
        SuspectedDuplicate.objects.filter(status=SuspectedDuplicate.Status.OPEN).order_by(
            "-created_at", "-id"
        )[: limit * 2]
    )
    ids = {pk for pair in pairs for pk in (pair.first_id, pair.second_id)}
    contacts = {
        contact.pk: contact
        for contact in customer_selectors.contacts_for(user)
        .filter(pk__in=ids)
        .select_related("company")
        .prefetch_related("emails", "phones")
    }
    shown = [
        SuspectedPair(pair, contacts[pair.first_id], contacts[pair.second_id])
        for pair in pairs
        if pair.first_id in contacts and pair.second_id in contacts
    ]
    return shown[:limit]


def _unverified(user) -> QuerySet:
    """Phone numbers kept unchecked, on contacts and companies the user may see."""
    from clientela.customers import selectors as customer_selectors
    from clientela.customers.models import PhoneNumber

    return PhoneNumber.objects.filter(verified=False).filter(
        Q(contact__in=customer_selectors.contacts_for(user))
        | Q(company__in=customer_selectors.companies_for(user))
    )


def unverified_phones(user, after: str | None, limit: int = 50) -> Page:
    """Data health's list: the phone numbers an import kept as written because it could
    not check them, on contacts and companies the user may see, newest first, a page at a
    time; each with its record, to open and correct it."""
    from clientela.customers.models import Address

    # The country a correction reads the number in unless told otherwise: the record's
    # first address with one (read in the same query), else the installation's.
    countries = Address.objects.exclude(country="").order_by("position", "id").values("country")
    phones = _unverified(user).annotate(
        address_country=Coalesce(
            Subquery(countries.filter(contact_id=OuterRef("contact_id"))[:1]),
            Subquery(countries.filter(company_id=OuterRef("company_id"))[:1]),
            Value(settings.PHONE_REGION),
        )
    )
    return keyset_page(phones.select_related("contact", "company"), ["-id"], after, limit)


def unverified_phone(user, pk: int):
    """One number of data health's list, to correct it: None when it is checked already
    or on a record the user may not see."""
    return _unverified(user).filter(pk=pk).select_related("contact", "company").first()
