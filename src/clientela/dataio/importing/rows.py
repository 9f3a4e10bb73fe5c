"""One file row turned into what the customers services take, with every problem that
rejects it and every warning about a value it is stored without, named by its column."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from clientela.core import custom_fields
from clientela.core.models import FieldType
from clientela.core.phones import Phone
from clientela.core.phones import as_written as phone_as_written
from clientela.core.phones import normalize as normalize_phone
from clientela.core.text import fold, normalise
from clientela.customers import contact_points
from clientela.customers import services as customer_services
from clientela.customers.models import (
    ADDRESS_FIELDS,
    Address,
    Company,
    CompanyStatus,
    Contact,
    EmailAddress,
    Kind,
    LifecycleStage,
    PhoneNumber,
    Source,
    Tag,
)
from clientela.dataio.importing.mapping import CUSTOM_PREFIX
from clientela.dataio.models import ExternalKey
from clientela.users import selectors as user_selectors
from clientela.users.models import User

# The record types read by other_rows: each row checked there, linked by the batch.
OTHER_TYPES = ("product", "order", "activity", "task")
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
    # (column, message): a value the row is stored without, or not as written.
    warnings: list[tuple[str, str]] = field(default_factory=list)
    # A deal's contacts, by e-mail: (column, address).
    contact_emails: list[tuple[str, str]] = field(default_factory=list)
    # The records it names by target (contact_email, company, deal_ref…): (column, value).
    links: dict[str, tuple[str, str]] = field(default_factory=dict)
    # What the preview shows, by target, for the types read by other_rows.
    shown: dict[str, str] = field(default_factory=dict)


class Lookups:
    """What every row of a run consults: stages, owners, custom fields. Small tables, read
    once per run; owners are looked up as they appear and remembered."""

    def __init__(self, record_type: str, *, fallback_owner: User | None = None):
        self.record_type = record_type
        # Who a record goes to when its owner column names no one with an account.
        self.fallback_owner = fallback_owner
        self.stages = {stage.key: stage for stage in customer_services.ensure_stages()}
        self.stage_names = {fold(stage.name): stage for stage in self.stages.values()}
        self.custom = {f.key: f for f in custom_fields.definitions(record_type)}
        self.default_stage = customer_services.default_stage()
        self._owners: dict[str, User | None] = {}
        # Companies met by earlier, committed batches, by folded name (at most COMPANIES).
        self.companies: dict[str, Company] = {}
        self.deal_stages: dict = {}
        if record_type == "deal":
            from clientela.dataio.importing.deal_rows import stages

            self.deal_stages = stages()

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


def language_code(text: str) -> str | None:
    """The language a cell names, by code ("ro", "es-ES") or by name in English, in
    itself ("română", "हिन्दी") or in another language Clientela speaks; None if none."""
    key = fold(text).replace("_", "-")
    if key.split("-")[0] in dict(settings.LANGUAGES):
        return key.split("-")[0]
    return _language_names().get(key)


@functools.cache
def _language_names() -> dict[str, str]:
    names = {}
    for code, name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        names[fold(info["name"])] = names[fold(info["name_local"])] = code
        for reader, _name in settings.LANGUAGES:
            with translation.override(reader):
                names[fold(str(name))] = code
    return names


def _yes_no(text: str) -> bool | None:
    key = fold(text)
    if key in YES:
        return True
    if key in NO:
        return False
    return None


# The longest value each target holds, from the field it is stored in: a longer one
# rejects its row with the reason rather than being cut or refused by the database.
BOUNDED: dict[str, tuple[type[models.Model], str]] = {
    "full_name": (Contact, "full_name"),
    "given_name": (Contact, "given_name"),
    "family_name": (Contact, "family_name"),
    "position": (Contact, "position"),
    "next_step": (Contact, "next_step"),
    "company": (Company, "name"),
    "name": (Company, "name"),
    "legal_name": (Company, "legal_name"),
    "tax_id": (Company, "tax_id"),
    "industry": (Company, "industry"),
    "size": (Company, "size"),
    "website": (Company, "website"),
    "street": (Address, "street"),
    "city": (Address, "city"),
    "region": (Address, "region"),
    "postal_code": (Address, "postal_code"),
    "external_id": (ExternalKey, "key"),
}
EACH_BOUNDED = {"email": (EmailAddress, "address"), "tags": (Tag, "name")}  # each item
PHONE_CHARS = PhoneNumber._meta.get_field("raw").max_length or 40
PHONE_SPLIT = re.compile(r"\s*[;|]\s*")


def _most(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length or 0  # type: ignore[union-attr]


def too_long(text: str, most: int) -> str:
    return _(
        "%(length)s characters, more than the %(most)s this field holds: shorten it and "
        "import the row again."
    ) % {"length": f"{len(text):,}", "most": most}


def broken_quote(line: int) -> str:
    return _(
        "A quote opened on line %(line)d of the file is never closed, so this row's cells "
        "can't be told apart: close the quote and import the row again. The rows after it "
        "were read on their own."
    ) % {"line": line}


def row_values(run, headers: list[str], cells: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The row's non-empty cells, normalised, by the target their column maps to: (column,
    text) pairs. RowRejected for a row a quote left open swallowed."""
    line = getattr(cells, "broken_quote_line", None)
    if line is not None:
        raise RowRejected([("", broken_quote(line))])
    values: dict[str, list[tuple[str, str]]] = {}
    for index, target in enumerate(run.mapping):
        if target and index < len(cells) and (text := normalise(cells[index])):
            column = headers[index] if index < len(headers) else str(index + 1)
            values.setdefault(target, []).append((column, text))
    return values


def convert(run, headers: list[str], cells: list[str], lookups: Lookups) -> Converted:
    """The row as service input, its texts normalised (core.text.normalise); RowRejected
    with (column, reason) pairs when it can't be stored, warnings in the result for the
    values it is stored without (an unreadable phone, an owner with no account)."""
    if run.record_type == "deal":
        from clientela.dataio.importing.deal_rows import convert_deal

        return convert_deal(run, headers, cells, lookups)
    if run.record_type in OTHER_TYPES:
        from clientela.dataio.importing.other_rows import convert_other

        return convert_other(run, headers, cells, lookups)
    values = row_values(run, headers, cells)
    problems = _over_long(values)
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
        if text := first("language")[1]:
            if (code := language_code(text)) is not None:
                data["language"] = code
            else:
                message = _("“%(value)s” is not a language Clientela writes in: not stored.")
                out.warnings.append((column_of("language"), message % {"value": text}))
    else:
        for key in ("name", "legal_name", "tax_id", "industry", "size"):
            if key in values:
                data[key] = first(key)[1]
        if not data.get("name"):
            problems.append((column_of("name"), _("A company needs a name.")))
        if "website" in values:
            column, site = first("website")
            data["website"] = site if "://" in site else f"https://{site}"
            most = _most(Company, "website")
            if len(site) <= most < len(data["website"]):  # too long with its https://
                problems.append((column, too_long(data["website"], most)))
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
    # A number without a country code is read in the row's own country, else the
    # installation's: a Spanish mobile on a row whose address says Spain stays Spanish.
    _phones(values, address.get("country") or settings.PHONE_REGION, out)
    if "owner" in values:
        _owner(*first("owner"), lookups, out)
    read_custom(run, values, lookups, data, problems)
    out.notes = [text for _column, text in values.get("note", [])] + out.notes
    out.external_id = first("external_id")[1]
    if problems:
        raise RowRejected(problems)
    return out


def _over_long(values: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """A (column, reason) for each value longer than its field holds."""
    problems = []
    for key, items in values.items():
        if key in BOUNDED:
            most = _most(*BOUNDED[key])
            problems += [
                (column, too_long(text, most)) for column, text in items if len(text) > most
            ]
        elif key in EACH_BOUNDED:
            most = _most(*EACH_BOUNDED[key])
            for column, text in items:
                problems += [
                    (column, too_long(item, most)) for item in SPLIT.split(text) if len(item) > most
                ]
    return problems


def _phones(values: dict[str, list[tuple[str, str]]], region: str, out: Converted) -> None:
    """The row's phones into `out`; a number that is not one in `region` (or in the
    country it names) is kept as written, unverified, with a warning (data health lists
    it); one too long or with too few digits to keep goes into a note on the record."""
    phones = []
    kept_phones = []  # after the checked ones: the record's main phone is a checked one
    unread = []
    for target, kind in (("phone", Kind.WORK), ("mobile", Kind.MOBILE)):
        for column, text in values.get(target, []):
            for number in PHONE_SPLIT.split(text):
                if not number:
                    continue
                try:
                    if len(number) > PHONE_CHARS:
                        raise ValidationError(too_long(number, PHONE_CHARS))
                    phone = normalize_phone(number, region, valid=True)
                except ValidationError as error:
                    problem = " ".join(error.messages)
                    try:
                        kept = phone_as_written(number)
                    except ValidationError:
                        unread.append(f"{column}: {number}")
                        message = _("%(problem)s It is kept as written in a note on the record.")
                    else:
                        kept_phones.append({"number": number, "kind": kind, "kept": kept})
                        message = _(
                            "%(problem)s It is kept as written, marked unverified, and listed "
                            "in data health."
                        )
                    out.warnings.append((column, message % {"problem": problem}))
                else:
                    phones.append({"number": number, "kind": kind, "region": region})
                    out.numbers.append(phone.e164)
    if phones or kept_phones:
        out.data["phones"] = phones + kept_phones
    if unread:
        out.notes.append(
            _("Phone numbers in the imported file that could not be read: %(numbers)s")
            % {"numbers": "; ".join(unread)}
        )


def _owner(column: str, text: str, lookups: Lookups, out: Converted) -> None:
    """The owner the column names, or the run's fallback (with a warning) when no active
    user has that e-mail or name: a file from another system names people who have no
    account here yet, and its rows are not lost for it."""
    owner = lookups.owner(text)
    if owner is not None:
        out.data["owner"] = owner
        return
    fallback = lookups.fallback_owner
    if fallback is not None:
        out.data["owner"] = fallback
        message = _(
            "No active user has the e-mail or name “%(value)s”: the record goes to %(owner)s."
        ) % {"value": text, "owner": fallback.display_name}
    else:
        message = _(
            "No active user has the e-mail or name “%(value)s”: the record has no owner."
        ) % {"value": text}
    out.warnings.append((column, message))


def merged(record, data: dict) -> dict:
    """Service input that adds this row to an existing record: e-mails, phones, tags and
    custom values join what is there; other fields given in the row replace theirs."""
    data = dict(data)
    if "emails" in data:
        have = [{"address": e.address, "kind": e.kind} for e in record.emails.all()]
        known = {item["address"] for item in have}
        data["emails"] = have + [e for e in data["emails"] if e["address"] not in known]
    if "phones" in data:
        have = [
            {
                "number": p.raw,
                "kind": p.kind,
                "kept": Phone(p.raw, p.e164, p.digits, verified=False),
            }
            if not p.verified
            else {"number": p.e164, "kind": p.kind}
            for p in record.phones.all()
        ]
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


def read_custom(run, values: dict, lookups: Lookups, data: dict, problems: list) -> None:
    """The row's custom fields of its record type, checked as the form checks them."""
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
