"""Which record a row of an import repeats, and why: the same id in the old system, the
same e-mail or the same phone; a person's name at a company only when neither the row nor
the record has an e-mail or phone, since two people may share a name at one company."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.utils.translation import gettext as _

from clientela.core.text import fold
from clientela.customers import selectors
from clientela.customers.models import Company, Contact, EmailAddress, PhoneNumber
from clientela.dataio.models import ExternalKey
from clientela.deals import selectors as deal_selectors
from clientela.deals.models import Deal

if TYPE_CHECKING:
    from clientela.dataio.importing.rows import Converted


def live(actor, record_type: str):
    """The records a run may match and change: the actor's, or every live one for the
    system itself (a command run without a user)."""
    if record_type == "deal":
        return Deal.objects.live() if actor is None else deal_selectors.deals_for(actor, "view")
    if actor is None:
        model = Contact if record_type == "contact" else Company
        return model.objects.live()
    if record_type == "contact":
        return selectors.contacts_for(actor)
    return selectors.companies_for(actor)


PENDING = object()  # a record this batch will create, not written yet


@dataclass(frozen=True)
class Match:
    """The record a row repeats (its id, or PENDING), by which of the row's values."""

    pk: object
    how: str  # "key", "email", "phone" or "name"
    value: str

    def reason(self) -> str:
        """What the row shares with the record, as the report says it."""
        if self.how == "key":
            return _("the same ID in the old system (%(value)s)") % {"value": self.value}
        if self.how == "email":
            return _("the same e-mail (%(value)s)") % {"value": self.value}
        if self.how == "phone":
            return _("the same phone (%(value)s)") % {"value": self.value}
        if self.how == "company":
            return _("the same name (%(value)s)") % {"value": self.value}
        return _(
            "the same name at the same company, neither with an e-mail or phone (%(value)s)"
        ) % {"value": self.value}


def has_points(row: Converted) -> bool:
    return bool(row.data.get("emails") or row.numbers)


class DuplicateIndex:
    """Which live records a batch of rows repeats, found with a few queries for the whole
    batch: by external id, e-mail, normalised phone, then a company by its name and a
    person by name and company when neither has an e-mail or phone. Rows of the same batch
    are added as they are stored, so a file that names one person twice finds the first."""

    def __init__(self, actor, record_type: str, rows: list[Converted]):
        self.record_type = record_type
        records = live(actor, record_type)
        owner = "contact" if record_type == "contact" else "company"
        # External ids, e-mails and phones by value first (their own indexes), then which
        # of the records they name the actor may match, in one query: a filter on the
        # record inside each lookup would make the database list every live record of the
        # type for each batch.
        keys = [row.external_id for row in rows if row.external_id]
        by_key = ExternalKey.objects.filter(record_type=record_type, key__in=keys)
        addresses = [email["address"] for row in rows for email in row.data.get("emails", [])]
        by_email = EmailAddress.objects.filter(address__in=addresses, **{f"{owner}__isnull": False})
        numbers = [number for row in rows for number in row.numbers]
        by_phone = PhoneNumber.objects.filter(e164__in=numbers, **{f"{owner}__isnull": False})
        pairs = [
            list(by_key.values_list("key", "object_id")) if keys else [],
            list(by_email.order_by("-id").values_list("address", f"{owner}_id")),
            list(by_phone.order_by("-id").values_list("e164", f"{owner}_id")),
        ]
        names = [self._name(row) for row in rows]
        if record_type == "contact":
            namesakes = _contacts_named({name for name in names if name})
        else:
            namesakes = [
                (found, pk, False)
                for found, pk in live(None, "company")
                .filter(name_key__in=[n for n in names if n])
                .values_list("name_key", "id")
            ]
        namesakes.sort(key=lambda found: -found[1])
        pairs.append([(name, pk) for name, pk, points in namesakes if not points])
        pairs.append([(name, pk) for name, pk, _points in namesakes])
        named = {pk for found in pairs for _value, pk in found}
        visible = set(records.filter(pk__in=named).values_list("pk", flat=True)) if named else set()
        # The oldest visible record of a value wins (each list comes newest first).
        self.by_key, self.by_email, self.by_phone, self.by_name, self.namesakes = (
            {value: pk for value, pk in found if pk in visible} for found in pairs
        )

    def _name(self, row: Converted):
        data = row.data
        if self.record_type == "company":
            return fold(data.get("name", ""))[:200]
        if not row.company_name:
            return None
        name = data.get("full_name") or " ".join(
            part for part in (data.get("given_name"), data.get("family_name")) if part
        )
        return (fold(name)[:200], fold(row.company_name)[:200])

    def find(self, row: Converted) -> Match | None:
        """The record the row repeats (or PENDING, one this batch will write), or None."""
        if row.external_id and row.external_id in self.by_key:
            return Match(self.by_key[row.external_id], "key", row.external_id)
        for email in row.data.get("emails", []):
            if email["address"] in self.by_email:
                return Match(self.by_email[email["address"]], "email", email["address"])
        for number in row.numbers:
            if number in self.by_phone:
                return Match(self.by_phone[number], "phone", number)
        name = self._name(row)
        if not name:
            return None
        if self.record_type == "company":
            found = self.by_name.get(name)
            return None if found is None else Match(found, "company", row.data.get("name", ""))
        if has_points(row) or name not in self.by_name:
            return None
        return Match(self.by_name[name], "name", self._shown(row))

    def namesake(self, row: Converted) -> bool:
        """Whether a person of the row's name at its company is there (or earlier in the
        file) that the row is not taken for, since one of them has an e-mail or phone."""
        name = self._name(row) if self.record_type == "contact" else None
        return bool(name) and name in self.namesakes

    def _shown(self, row: Converted) -> str:
        data = row.data
        name = data.get("full_name") or " ".join(
            part for part in (data.get("given_name"), data.get("family_name")) if part
        )
        return f"{name}, {row.company_name}"

    def add(self, row: Converted, value) -> None:
        """Remember that this row's keys now belong to `value` (an id, or PENDING)."""
        if row.external_id:
            self.by_key[row.external_id] = value
        for email in row.data.get("emails", []):
            self.by_email[email["address"]] = value
        for number in row.numbers:
            self.by_phone[number] = value
        name = self._name(row)
        if name:
            self.namesakes[name] = value
            if self.record_type == "company" or not has_points(row):
                self.by_name[name] = value


def _contacts_named(pairs: set[tuple[str, str]]) -> list[tuple[tuple[str, str], int, bool]]:
    """Live contacts by (folded name, folded company name), whoever may see them, with
    whether each has an e-mail or phone: the companies' ids first, then the contacts of
    each (company id, name) pair, on PostgreSQL joined against the pairs so the contacts'
    company index is probed once a pair (~15 ms a batch at 1M), on SQLite through the
    name index. Asked for the names and the companies apart (name IN … AND company IN …),
    SQLite probed every company with every name (500 companies by 1,000 names a batch of
    the import benchmark: ~300 ms) and PostgreSQL read every contact of the batch's
    companies (~90 ms in a 1M database); both grew as an import filled those companies."""
    if not pairs:
        return []
    company_key: dict[int, str] = dict(
        Company.objects.filter(name_key__in={company for _name, company in pairs}).values_list(
            "id", "name_key"
        )
    )
    names_at: dict[str, list[str]] = {}
    for name, company in pairs:
        names_at.setdefault(company, []).append(name)
    wanted = {
        (company_id, name) for company_id, key in company_key.items() for name in names_at[key]
    }
    if not wanted:
        return []
    if connection.vendor != "postgresql":
        # Joined against the pairs (a VALUES list), SQLite builds a Bloom filter over
        # every contact (~300 ms a batch at 1M); its name index gives the namesakes in a
        # few ms.
        found = (
            live(None, "contact")
            .filter(name_key__in={name for name, _company in pairs})
            .values_list("name_key", "company_id", "id", "email", "phone")
        )
        return [
            ((name, company_key[company_id]), pk, bool(email or phone))
            for name, company_id, pk, email, phone in found
            if (company_id, name) in wanted
        ]
    table = connection.ops.quote_name(Contact._meta.db_table)
    # The pairs as two arrays rather than a VALUES list: psycopg would parse thousands of
    # placeholders in Python on every batch.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.name_key, c.company_id, c.id, c.email, c.phone "  # noqa: S608 (a quoted model table)
            f"FROM unnest(%s::bigint[], %s::text[]) AS p(company_id, name_key) "
            f"JOIN {table} c ON c.company_id = p.company_id AND c.name_key = p.name_key "
            f"WHERE c.deleted_at IS NULL",
            [[company_id for company_id, _n in wanted], [name for _c, name in wanted]],
        )
        found = cursor.fetchall()
    return [
        ((name, company_key[company_id]), pk, bool(email or phone))
        for name, company_id, pk, email, phone in found
    ]
