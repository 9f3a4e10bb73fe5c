"""Merge fields of canned replies: `{{ contact.first_name }}` and the like, checked when a
canned reply is saved and filled from the ticket when a reply is sent. An unknown field
is refused with the list of known ones, never sent to a customer as it was typed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from clientela.tickets.models import Ticket
    from clientela.users.models import User

FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def _first_name(full_name: str) -> str:
    return full_name.split()[0] if full_name.split() else ""


# Name → (what it is, its value for a ticket and the agent sending the reply).
FIELDS: dict[str, tuple[StrOrPromise, Callable[[Ticket, User | None], str]]] = {
    "contact.first_name": (
        gettext_lazy("the customer's first name"),
        lambda t, a: _first_name(t.contact.full_name) if t.contact is not None else "",
    ),
    "contact.name": (
        gettext_lazy("the customer's full name"),
        lambda t, a: t.contact.full_name if t.contact is not None else "",
    ),
    "contact.email": (
        gettext_lazy("the customer's e-mail"),
        lambda t, a: t.contact.email if t.contact is not None else "",
    ),
    "company.name": (
        gettext_lazy("the customer's company"),
        lambda t, a: t.company.name if t.company is not None else "",
    ),
    "ticket.number": (gettext_lazy("the ticket's number"), lambda t, a: str(t.pk)),
    "ticket.subject": (gettext_lazy("the ticket's subject"), lambda t, a: t.subject),
    "department.name": (
        gettext_lazy("the ticket's department"),
        lambda t, a: t.department.name,
    ),
    "agent.name": (
        gettext_lazy("your name"),
        lambda t, a: a.display_name if a is not None else "",
    ),
    "agent.first_name": (
        gettext_lazy("your first name"),
        lambda t, a: _first_name(a.display_name) if a is not None else "",
    ),
}


def _written(name: str) -> str:
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
                    "fields": ", ".join(_written(name) for name in unknown),
                    "known": ", ".join(_written(name) for name in FIELDS),
                }
            }
        )


def fill(text: str, *, ticket: Ticket, agent: User | None, field: str = "body") -> str:
    """The text with every merge field replaced by its value for the ticket and agent."""
    check(text, field)
    if not used(text):
        return text
    return FIELD.sub(lambda match: FIELDS[match.group(1)][1](ticket, agent), text)
