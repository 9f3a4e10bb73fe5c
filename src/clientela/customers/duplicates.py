"""Catching duplicates while typing: a contact with the same e-mail, the same phone in any
format, or a similar name in the same company; a company with a name like one already
there ("Livada Verde" beside "Livada Verde SRL"). rapidfuzz compares the names. Quick add,
the full contact form, the company form and every company field ask here."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, Value
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from clientela.core import search
from clientela.core.phones import normalize as normalize_phone
from clientela.core.text import fold
from clientela.customers import selectors
from clientela.customers.models import Company, Contact, EmailAddress, PhoneNumber

SIMILAR_NAME = 88  # rapidfuzz token_sort_ratio from which two names look like one person
MAX_NAME_CANDIDATES = 2000


@dataclass(frozen=True)
class Suspect:
    contact: Contact
    reason: str


def contact_suspects(
    contacts,
    *,
    email: str = "",
    phones: list[str] | tuple[str, ...] = (),
    name: str = "",
    company_id: int | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
    emails: list[str] | tuple[str, ...] = (),
) -> list[Suspect]:
    """Contacts (from the `contacts` queryset the user may see) that may be the same person:
    by `email` or any of `emails`, any of `phones`, or `name` at the company."""
    found: dict[int, Suspect] = {}
    live = contacts.live()
    if exclude_id:
        live = live.exclude(pk=exclude_id)

    addresses = {address.strip().lower() for address in (email, *emails) if address.strip()}
    numbers = []
    for raw in phones:
        try:
            numbers.append(normalize_phone(raw).e164)
        except ValidationError:
            continue
    # The same e-mail, the same phone, or a similar name at the company (compared here
    # with the names of the company's people), read in one query: by e-mail first. The
    # reasons' ids are joined by UNION: PostgreSQL answers an OR of `pk IN (subquery)` by
    # reading every contact.
    parts: list = []
    if addresses:
        parts.append(
            EmailAddress.objects.filter(address__in=addresses, contact__isnull=False)
            .order_by()
            .values("contact_id")
        )
    if numbers:
        parts.append(
            PhoneNumber.objects.filter(e164__in=numbers, contact__isnull=False)
            .order_by()
            .values("contact_id")
        )
    key = fold(name)
    if key and company_id:
        candidates = live.filter(company_id=company_id).values_list("pk", "name_key")
        similar = [
            pk
            for pk, name_key in candidates[:MAX_NAME_CANDIDATES]
            if fuzz.token_sort_ratio(key, name_key) >= SIMILAR_NAME
        ][:limit]
        if similar:
            parts.append(Contact.objects.filter(pk__in=similar).order_by().values("pk"))
    if not parts:
        return []
    same = Q(pk__in=parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])
    no = Value(False)
    by_email = (
        Exists(EmailAddress.objects.filter(contact_id=OuterRef("pk"), address__in=addresses))
        if addresses
        else no
    )
    by_phone = (
        Exists(PhoneNumber.objects.filter(contact_id=OuterRef("pk"), e164__in=numbers))
        if numbers
        else no
    )
    order = live.query.order_by or Contact._meta.ordering or ["pk"]
    matched = (
        live.filter(same)
        .annotate(by_email=by_email, by_phone=by_phone)
        .order_by("-by_email", "-by_phone", *order)
    )
    for contact in matched[: 3 * limit]:
        if contact.by_email:
            reason = _("same e-mail")
        elif contact.by_phone:
            reason = _("same phone")
        else:
            reason = _("similar name, same company")
        found.setdefault(contact.pk, Suspect(contact, str(reason)))
    return list(found.values())[:limit]


def new_contact_suspects(
    user,
    *,
    name: str = "",
    emails: list[str] | tuple[str, ...] = (),
    phones: list[str] | tuple[str, ...] = (),
    company_name: str = "",
) -> list[Suspect]:
    """Who a contact about to be added (quick add, the full form) may already be, among the
    contacts `user` may see: by any of its e-mails or phones, or a similar name at the
    company named (when the user sees a company of that name)."""
    company_id = None
    if company_name.strip():
        company = selectors.companies_for(user).filter(name_key=fold(company_name)[:200]).first()
        company_id = company.pk if company else None
    return contact_suspects(
        selectors.contacts_for(user),
        emails=emails,
        phones=[phone for phone in phones if phone.strip()],
        name=name,
        company_id=company_id,
    )


# Words that say what kind of company it is, not which: "Livada Verde SRL" is "Livada Verde".
LEGAL_FORMS = frozenset(
    [
        "srl",
        "srld",
        "sa",
        "sc",
        "snc",
        "scs",
        "sca",
        "pfa",
        "ii",
        "if",
        "ong",
        "ra",
        "ltd",
        "llc",
        "llp",
        "inc",
        "corp",
        "co",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "sl",
        "slu",
        "sas",
        "sarl",
        "bv",
        "nv",
        "spa",
        "srls",
        "oy",
        "ab",
        "as",
        "pvt",
    ]
)
SIMILAR_COMPANY = 90  # rapidfuzz token_sort_ratio, on names without their legal forms
COMPANY_CANDIDATES = 200


def company_key(name: str) -> str:
    """A company's name as duplicates are found by: folded, without dots and legal forms."""
    words = fold(name).replace(".", "").replace(",", " ").split()
    kept = [word for word in words if word not in LEGAL_FORMS]
    return " ".join(kept or words)


def company_suspects(user, *, name: str, exclude_id: int | None = None) -> list[Company]:
    """Companies `user` may see whose name looks like `name` once legal forms are left out
    ("Livada Verde" and "SC Livada Verde S.R.L."), or nearly so (a typo); not the one of
    exactly that name, which is the company itself. Candidates come from the search index
    by the name's longest word."""
    key = company_key(name)
    if not key:
        return []
    longest = max(key.split(), key=len)
    companies = selectors.companies_for(user).exclude(name_key=fold(name)[:200])
    if exclude_id:
        companies = companies.exclude(pk=exclude_id)
    candidates = companies.filter(pk__in=search.matching_ids(longest, Company)).order_by(
        "name_key", "id"
    )[:COMPANY_CANDIDATES]
    return [
        company
        for company in candidates
        if fuzz.token_sort_ratio(key, company_key(company.name)) >= SIMILAR_COMPANY
    ][:5]


def company_check(
    user,
    *,
    name: str,
    confirmed: str = "",
    own_form: bool = False,
    exclude_id: int | None = None,
) -> tuple[Company | None, list[Company]]:
    """What a form warns about before it creates (or renames) a company named `name`: the
    companies like it that `user` may see, unless the person has said `confirmed` (the same
    name) is a new company. In a company field an exact name is the company itself, taken
    as it is (`company_named`), so nothing to warn of; in the company's own form
    (`own_form`), a company of exactly that name is the first suspect. Given with the
    suspects: the company of exactly that name `user` may see (the one
    `services.company_named` takes; None when none was looked for or found), so that a
    form saving the name needs not look it up again."""
    name = " ".join((name or "").split())
    if not name or fold(name) == fold(" ".join((confirmed or "").split())):
        return None, []
    same = selectors.companies_for(user).filter(name_key=fold(name)[:200])
    if exclude_id:
        same = same.exclude(pk=exclude_id)
    exact = list(same.order_by("id")[:5])
    if exact and not own_form:
        return exact[0], []
    suspects = [*exact, *company_suspects(user, name=name, exclude_id=exclude_id)][:5]
    return (exact[0] if exact else None), suspects


def company_suggestions(user, text: str, limit: int = 6) -> list[Company]:
    """Companies `user` may see for a company field's text, as it is typed: those whose
    name holds it (starting with it first, as search ranks), then those like it."""
    text = " ".join((text or "").split())
    if not text:
        return []
    found = list(
        selectors.companies_for(user)
        .filter(pk__in=search.matching_ids(text, Company))
        .order_by("name_key", "id")[: limit * 4]
    )
    term = fold(text)
    found.sort(key=lambda company: (not company.name_key.startswith(term), company.name_key))
    found = found[:limit]
    if len(found) < limit:
        seen = {company.pk for company in found}
        found += [c for c in company_suspects(user, name=text) if c.pk not in seen]
    return found[:limit]
