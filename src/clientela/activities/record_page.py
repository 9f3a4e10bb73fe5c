"""What every record page (contact, company, deal) shows around its own facts: the
timeline filtered by kind and paged, open tasks, files, and what the entry forms need.
Written once, so a detail view only adds its own panels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.shortcuts import render

from clientela.activities import selectors
from clientela.activities.models import ActivityKind, CallOutcome
from clientela.core import presenting
from clientela.core.pagination import Page
from clientela.users import selectors as user_selectors

# The htmx targets that ask for the timeline alone: a kind filter, the next entries.
TIMELINE_TARGETS = {"timeline", "timeline-more"}

# What apps above this one add to every record page, declared from their AppConfig.ready():
# a panel beside the composer (`panel(request, record)` gives its context with a
# "template", or None), and what the timeline's entries show besides their own fields
# (`extra(user, entries)` sets `entry.extra` and `entry.extra_template` on those it knows).
PANELS: list[Callable[[Any, Any], dict | None]] = []
TIMELINE_EXTRAS: list[Callable[[Any, list], None]] = []


def record_context(request, record, *, timeline_later: bool = False) -> dict:
    """With `timeline_later`, the whole page leaves its timeline out (the page loads it after
    its first paint, from an address of its own); the timeline's own htmx answers keep it."""
    later = timeline_later and not (request.htmx and request.htmx.target in TIMELINE_TARGETS)
    return {
        **side_context(request, record),
        **({} if later else timeline_context(request, record)),
        "call_outcomes": CallOutcome.choices,
        "record_panels": [p for p in (panel(request, record) for panel in PANELS) if p],
    }


def side_context(request, record) -> dict:
    """What every record page shows beside its timeline: the record's open tasks and files,
    and the people a task may be given to (a page with a timeline of its own, such as a
    ticket's conversation, takes only these)."""
    record_type = record._meta.model_name
    return {
        "record": record,
        "record_type": record_type,
        "token": f"{record_type}:{record.pk}",
        "tasks": selectors.mark_changeable(
            request.user, list(selectors.open_tasks_for_record(record))
        ),
        "files": selectors.files_for_record(record),
        "users": user_selectors.by_name(),
    }


def asked_kinds(request) -> list[str]:
    """The kinds of entries a timeline is narrowed to (`?kind=`)."""
    return [k for k in request.GET.getlist("kind") if k]


def timeline_context(request, record) -> dict:
    """The timeline section: a page of entries narrowed by the asked kinds, and each kind's count."""
    kinds = asked_kinds(request)
    return {
        "timeline": timeline_page(
            request.user, record, kinds=kinds, cursor=request.GET.get("after")
        ),
        "timeline_kinds": kinds,
        "counts": selectors.timeline_counts(record),
        "kind_choices": ActivityKind.choices,
    }


def timeline_page(
    user, record, *, kinds: list[str] | None = None, cursor: str | None = None
) -> Page:
    """A page of `record`'s timeline with the other records each entry is about (the deal
    a call on a contact was logged on) as `user` may see them."""
    page = selectors.timeline(record, user=user, kinds=kinds, cursor=cursor)
    for entry in page.items:
        entry.others = presenting.present_all(user, entry.others)
    for extra in TIMELINE_EXTRAS:
        extra(user, page.items)
    return page


def render_record_page(request, template: str, context: dict):
    """The whole page, or only its timeline when htmx asks for it."""
    if request.htmx and request.htmx.target in TIMELINE_TARGETS:
        return render(request, "activities/_timeline.html", context)
    return render(request, template, context)
