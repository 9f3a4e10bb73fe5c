"""Merge fields: `{{ contact.first_name }}` and the like in canned replies and e-mail
templates, checked when the text is saved and filled from a record and the person sending
it. An unknown field is refused with the list of known ones, never sent to a customer as
it was typed. One set of fields for every text that has them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


@dataclass(frozen=True)
class Sources:
    """What merge fields are filled from: the records a text is about (any may be missing,
    its fields are then empty) and the person sending it."""

    contact: Any = None
    company: Any = None
    deal: Any = None
    ticket: Any = None
    agent: Any = None

    @classmethod
    def about(cls, record: Any, agent: Any) -> Sources:
        """The sources of a text about `record`: the record itself where it is one of them,
        else what it points at (a ticket's contact, a deal's first contact, a contact's
        company); a company's own people are not guessed at."""
        kind = record._meta.model_name

        def part(name: str) -> Any:
            return record if kind == name else getattr(record, name, None)

        contact = part("contact")
        if contact is None and kind == "deal":  # a deal's people: the first one added
            contact = record.contacts.order_by("pk").first()
        company = part("company")
        if company is None and contact is not None:
            company = contact.company
        return cls(
            contact=contact, company=company, deal=part("deal"), ticket=part("ticket"), agent=agent
        )


def _first_name(full_name: str) -> str:
    return full_name.split()[0] if full_name.split() else ""


def _of(name: str, value: Callable[[Any], object]) -> Callable[[Sources], str]:
    """A field's value: `value` of the source `name`, or empty when the text has none."""

    def read(sources: Sources) -> str:
        source = getattr(sources, name)
        return "" if source is None else str(value(source))

    return read


# Name → (what it is, its value for the sources).
FIELDS: dict[str, tuple[StrOrPromise, Callable[[Sources], str]]] = {
    "contact.first_name": (
        gettext_lazy("the customer's first name"),
        _of("contact", lambda c: c.given_name or _first_name(c.full_name)),
    ),
    "contact.name": (
        gettext_lazy("the customer's full name"),
        _of("contact", lambda c: c.full_name),
    ),
    "contact.email": (gettext_lazy("the customer's e-mail"), _of("contact", lambda c: c.email)),
    "company.name": (gettext_lazy("the customer's company"), _of("company", lambda c: c.name)),
    "deal.name": (gettext_lazy("the deal's name"), _of("deal", lambda d: d.name)),
    "ticket.number": (gettext_lazy("the ticket's number"), _of("ticket", lambda t: t.pk)),
    "ticket.subject": (gettext_lazy("the ticket's subject"), _of("ticket", lambda t: t.subject)),
    "department.name": (
        gettext_lazy("the ticket's department"),
        _of("ticket", lambda t: t.department.name),
    ),
    "agent.name": (gettext_lazy("your name"), _of("agent", lambda a: a.display_name)),
    "agent.first_name": (
        gettext_lazy("your first name"),
        _of("agent", lambda a: _first_name(a.display_name)),
    ),
}


def written(name: str) -> str:
    return "{{ " + name + " }}"


def used(text: str) -> list[str]:
    """The merge fields in `text`, in order, as written (spaces inside the braces trimmed)."""
    return [match.group(1) for match in FIELD.finditer(text)]


def check(text: str, field: str = "body") -> None:
    """Refuse text with a merge field that is not one of FIELDS, naming it and the known ones."""
    unknown = sorted({name for name in used(text) if name not in FIELDS})
    if unknown:
        raise ValidationError(
            {
                field: _("Unknown merge field %(fields)s. Use one of: %(known)s.")
                % {
                    "fields": ", ".join(written(name) for name in unknown),
                    "known": ", ".join(written(name) for name in FIELDS),
                }
            }
        )


def fill(text: str, sources: Sources, field: str = "body") -> str:
    """The text with every merge field replaced by its value for the sources."""
    check(text, field)
    if not used(text):
        return text
    return FIELD.sub(lambda match: FIELDS[match.group(1)][1](sources), text)
