"""One file row turned into what the customers services take, with every problem named by
its column; and the record it duplicates, if any."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from clientela.core import custom_fields
from clientela.core.models import FieldType
from clientela.core.text import fold
from clientela.customers import contact_points, selectors
from clientela.customers import services as customer_services
from clientela.customers.models import (
    ADDRESS_FIELDS,
    Company,
    CompanyStatus,
    Contact,
    EmailAddress,
    Kind,
    LifecycleStage,
    PhoneNumber,
    Source,
)
from clientela.dataio.importing.mapping import CUSTOM_PREFIX
from clientela.dataio.models import ExternalKey
from clientela.users import selectors as user_selectors
from clientela.users.models import User

SPLIT = re.compile(r"\s*[;,|]\s*")
YES = {"yes", "y", "true", "1", "da", "si", "x", "on", "opted in", "subscribed"}
NO = {"no", "n", "false", "0", "nu", "off", "", "opted out", "unsubscribed"}
# Stage names other CRMs export, folded, → our stage keys.
STAGE_ALIASES = {
    "subscriber": "lead",
    "lead": "lead",
    "new": "lead",
    "marketingqualifiedlead": "lead",
    "marketing qualified lead": "lead",
    "mql": "lead",
    "salesqualifiedlead": "prospect",
    "sales qualified lead": "prospect",
    "sql": "prospect",
    "opportunity": "prospect",
    "qualified": "prospect",
    "customer": "customer",
    "evangelist": "customer",
    "client": "customer",
    "cliente": "customer",
    "former customer": "former-customer",
    "fost client": "former-customer",
    "antiguo cliente": "former-customer",
    "potential": "prospect",
    "potencial": "prospect",
    "prospecto": "prospect",
}
COUNTRIES = {
    "romania": "RO",
    "spain": "ES",
    "espana": "ES",
    "spania": "ES",
    "mexico": "MX",
    "argentina": "AR",
    "colombia": "CO",
    "chile": "CL",
    "peru": "PE",
    "india": "IN",
    "moldova": "MD",
    "republica moldova": "MD",
    "germany": "DE",
    "germania": "DE",
    "alemania": "DE",
    "france": "FR",
    "franta": "FR",
    "francia": "FR",
    "italy": "IT",
    "italia": "IT",
    "united kingdom": "GB",
    "uk": "GB",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "hungary": "HU",
    "ungaria": "HU",
    "bulgaria": "BG",
    "austria": "AT",
    "portugal": "PT",
    "netherlands": "NL",
}


class RowRejected(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems)
        self.problems = problems


@dataclass
class Converted:
    data: dict = field(default_factory=dict)
    company_name: str = ""
    notes: list[str] = field(default_factory=list)
    external_id: str = ""
    numbers: list[str] = field(default_factory=list)  # the phones in E.164


class Lookups:
    """What every row of a run consults: stages, owners, custom fields. Small tables, read
    once per run; owners are looked up as they appear and remembered."""

    def __init__(self, record_type: str):
        self.record_type = record_type
        self.stages = {stage.key: stage for stage in customer_services.ensure_stages()}
        self.stage_names = {fold(stage.name): stage for stage in self.stages.values()}
        self.custom = {f.key: f for f in custom_fields.definitions(record_type)}
        self.default_stage = customer_services.default_stage()
        self._owners: dict[str, User | None] = {}
        # Companies met by earlier, committed batches, by folded name (at most COMPANIES).
        self.companies: dict[str, Company] = {}

    COMPANIES = 20_000

    def remember_companies(self, companies: dict[str, Company]) -> None:
        if len(self.companies) + len(companies) > self.COMPANIES:
            self.companies.clear()
        self.companies.update(companies)

    def owner(self, text: str) -> User | None:
        key = fold(text)
        if key not in self._owners:
            users = user_selectors.active()
            found = (
                users.filter(email=text.strip().lower()).first()
                if "@" in text
                else users.filter(full_name__iexact=text.strip()).first()
            )
            if len(self._owners) > 1000:
                self._owners.clear()
            self._owners[key] = found
        return self._owners[key]

    def stage(self, text: str) -> LifecycleStage | None:
        key = fold(text)
        compact = key.replace(" ", "").replace("-", "")
        alias = STAGE_ALIASES.get(key) or STAGE_ALIASES.get(compact)
        return (
            self.stages.get(key.replace(" ", "-"))
            or self.stage_names.get(key)
            or (self.stages.get(alias) if alias else None)
        )


def _choice(text: str, choices) -> str | None:
    key = fold(text)
    for value, label in choices:
        if key in {fold(value), fold(str(label))}:
            return value
    return None


def _yes_no(text: str) -> bool | None:
    key = fold(text)
    if key in YES:
        return True
    if key in NO:
        return False
    return None


def convert(run, headers: list[str], cells: list[str], lookups: Lookups) -> Converted:
    """The row as service input; RowRejected with (column, reason) pairs when it can't be."""
    values: dict[str, list[tuple[str, str]]] = {}
    for index, target in enumerate(run.mapping):
        if target and index < len(cells) and cells[index].strip():
            column = headers[index] if index < len(headers) else str(index + 1)
            values.setdefault(target, []).append((column, cells[index].strip()))
    problems: list[tuple[str, str]] = []
    out = Converted()
    data = out.data

    def first(key: str) -> tuple[str, str]:
        return values.get(key, [("", "")])[0]

    def column_of(key: str) -> str:
        """The header of the column mapped to `key` (even when the cell is empty)."""
        if key in run.mapping and run.mapping.index(key) < len(headers):
            return headers[run.mapping.index(key)]
        return key

    if run.record_type == "contact":
        for key in ("full_name", "given_name", "family_name", "position", "next_step"):
            if key in values:
                data[key] = first(key)[1]
        if not (data.get("full_name") or data.get("given_name") or data.get("family_name")):
            problems.append((column_of("full_name"), _("A contact needs a name.")))
        out.company_name = first("company")[1]
        if "lifecycle_stage" in values:
            stage = lookups.stage(first("lifecycle_stage")[1])
            if stage is None:
                problems.append(
                    (
                        column_of("lifecycle_stage"),
                        _("Unknown lifecycle stage “%(value)s”; known: %(known)s.")
                        % {
                            "value": first("lifecycle_stage")[1],
                            "known": ", ".join(s.name for s in lookups.stages.values()),
                        },
                    )
                )
            else:
                data["lifecycle_stage"] = stage
        if "source" in values:
            source = _choice(first("source")[1], Source.choices)
            data["source"] = source or Source.OTHER
        if "marketing_consent" in values:
            consent = _yes_no(first("marketing_consent")[1])
            if consent is None:
                problems.append((column_of("marketing_consent"), _("Answer yes or no.")))
            else:
                data["marketing_consent"] = consent
    else:
        for key in ("name", "legal_name", "tax_id", "industry", "size"):
            if key in values:
                data[key] = first(key)[1]
        if not data.get("name"):
            problems.append((column_of("name"), _("A company needs a name.")))
        if "website" in values:
            site = first("website")[1]
            data["website"] = site if "://" in site else f"https://{site}"
        if "status" in values:
            status = _choice(first("status")[1], CompanyStatus.choices)
            if status is None:
                problems.append(
                    (
                        column_of("status"),
                        _("Unknown status “%(value)s”.") % {"value": first("status")[1]},
                    )
                )
            else:
                data["status"] = status

    emails = []
    for column, text in values.get("email", []):
        for address in SPLIT.split(text):
            try:
                emails.extend(contact_points.clean_emails([address]))
            except ValidationError as error:
                problems.append((column, " ".join(error.messages)))
    if emails:
        data["emails"] = [{"address": a, "kind": k} for a, k in emails]
    phones = []
    for target, kind in (("phone", Kind.WORK), ("mobile", Kind.MOBILE)):
        for column, text in values.get(target, []):
            for number in re.split(r"\s*[;|]\s*", text):
                try:
                    cleaned = contact_points.clean_phones([number])
                except ValidationError as error:
                    problems.append((column, " ".join(error.messages)))
                else:
                    phones.append({"number": number, "kind": kind})
                    out.numbers += [phone.e164 for phone, _kind in cleaned]
    if phones:
        data["phones"] = phones
    if "owner" in values:
        column, text = first("owner")
        owner = lookups.owner(text)
        if owner is None:
            problems.append(
                (column, _("No active user with the e-mail or name “%(value)s”.") % {"value": text})
            )
        else:
            data["owner"] = owner
    tags = [tag for _column, text in values.get("tags", []) for tag in SPLIT.split(text) if tag]
    if tags:
        data["tags"] = tags
    address = {
        key: first(key)[1] for key in ("street", "city", "region", "postal_code") if key in values
    }
    if "country" in values:
        column, text = first("country")
        code = text.upper() if len(text) == 2 else COUNTRIES.get(fold(text))
        if code is None:
            problems.append(
                (column, _("Write the country as a two-letter code, such as RO or ES."))
            )
        else:
            address["country"] = code
    if address:
        data["addresses"] = [{"address_kind": "work", **address}]
    custom = {}
    for target, items in values.items():
        if not target.startswith(CUSTOM_PREFIX):
            continue
        key = target[len(CUSTOM_PREFIX) :]
        definition = lookups.custom.get(key)
        if definition is None:
            continue
        text = items[0][1]
        custom[key] = SPLIT.split(text) if definition.field_type == FieldType.MULTI_CHOICE else text
    if custom:
        try:
            custom_fields.clean(run.record_type, custom, fields=list(lookups.custom.values()))
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                key = key.removeprefix("custom.")
                definition = lookups.custom.get(key)
                label = str(definition.label) if definition else key
                column = values.get(f"{CUSTOM_PREFIX}{key}", [(label, "")])[0][0]
                problems.append((column, " ".join(messages)))
        data["custom"] = custom
    out.notes = [text for _column, text in values.get("note", [])]
    out.external_id = first("external_id")[1][:255]
    if problems:
        raise RowRejected(problems)
    return out


def live(actor, record_type: str):
    """The records a run may match and change: the actor's, or every live one for the
    system itself (a command run without a user)."""
    if actor is None:
        model = Contact if record_type == "contact" else Company
        return model.objects.live()
    if record_type == "contact":
        return selectors.contacts_for(actor)
    return selectors.companies_for(actor)


PENDING = object()  # a record this batch will create, not written yet


class DuplicateIndex:
    """Which live records a batch of rows repeats, found with a few queries for the whole
    batch: by external id, e-mail, normalised phone, then name and company (a company by
    its name). Rows of the same batch are added as they are stored, so a file that names
    one person twice finds the first."""

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
            by_name = _contacts_named({name for name in names if name})
        else:
            by_name = list(
                live(None, "company")
                .filter(name_key__in=[n for n in names if n])
                .values_list("name_key", "id")
            )
        pairs.append(sorted(by_name, key=lambda found: -found[1]))
        named = {pk for found in pairs for _value, pk in found}
        visible = set(records.filter(pk__in=named).values_list("pk", flat=True)) if named else set()
        # The oldest visible record of a value wins (each list comes newest first).
        self.by_key, self.by_email, self.by_phone, self.by_name = (
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

    def find(self, row: Converted):
        """The matching record's id, PENDING, or None."""
        if row.external_id and row.external_id in self.by_key:
            return self.by_key[row.external_id]
        for email in row.data.get("emails", []):
            if email["address"] in self.by_email:
                return self.by_email[email["address"]]
        for number in row.numbers:
            if number in self.by_phone:
                return self.by_phone[number]
        name = self._name(row)
        return self.by_name.get(name) if name else None

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
            self.by_name[name] = value


def _contacts_named(pairs: set[tuple[str, str]]) -> list[tuple[tuple[str, str], int]]:
    """Live contacts by (folded name, folded company name), whoever may see them: the
    companies' ids first, then the contacts of each (company id, name) pair, on
    PostgreSQL joined against the pairs so the contacts' company index is probed once a
    pair (~15 ms a batch at 1M), on SQLite through the name index. Asked for the
    names and the companies apart (name IN … AND company IN …), SQLite probed every
    company with every name (500 companies by 1,000 names a batch of the import
    benchmark: ~300 ms) and PostgreSQL read every contact of the batch's companies
    (~90 ms in a 1M database); both grew as an import filled those companies."""
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
            .values_list("name_key", "company_id", "id")
        )
        return [
            ((name, company_key[company_id]), pk)
            for name, company_id, pk in found
            if (company_id, name) in wanted
        ]
    table = connection.ops.quote_name(Contact._meta.db_table)
    # The pairs as two arrays rather than a VALUES list: psycopg would parse thousands of
    # placeholders in Python on every batch.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.name_key, c.company_id, c.id "  # noqa: S608 (a quoted model table)
            f"FROM unnest(%s::bigint[], %s::text[]) AS p(company_id, name_key) "
            f"JOIN {table} c ON c.company_id = p.company_id AND c.name_key = p.name_key "
            f"WHERE c.deleted_at IS NULL",
            [[company_id for company_id, _n in wanted], [name for _c, name in wanted]],
        )
        found = cursor.fetchall()
    return [((name, company_key[company_id]), pk) for name, company_id, pk in found]


def merged(record, data: dict) -> dict:
    """Service input that adds this row to an existing record: e-mails, phones, tags and
    custom values join what is there; other fields given in the row replace theirs."""
    data = dict(data)
    if "emails" in data:
        have = [{"address": e.address, "kind": e.kind} for e in record.emails.all()]
        known = {item["address"] for item in have}
        data["emails"] = have + [e for e in data["emails"] if e["address"] not in known]
    if "phones" in data:
        have = [{"number": p.e164, "kind": p.kind} for p in record.phones.all()]
        known = {p.e164 for p in record.phones.all()}
        new = []
        for item in data["phones"]:
            e164 = contact_points.clean_phones([item])[0][0].e164
            if e164 not in known:
                known.add(e164)
                new.append(item)
        data["phones"] = have + new
    if "tags" in data:
        data["tags"] = [tag.name for tag in record.tags.all()] + data["tags"]
    if "custom" in data:
        data["custom"] = {**(record.custom or {}), **data["custom"]}
    if "addresses" in data:
        have = [{k: getattr(a, k) for k in ADDRESS_FIELDS} for a in record.addresses.all()]
        data["addresses"] = have + data["addresses"]
    return data
