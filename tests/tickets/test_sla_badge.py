"""The SLA badge a ticket list shows on each row: its words, colour and hover text, in the
reader's language, the same for every row whose timer reads the same."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.template import Context, Template
from django.utils import timezone, translation

BADGE = Template("{% load tickets %}{% sla_timer ticket %}")


def ticket(**values):
    fields = {
        "first_response_due": None,
        "first_responded_at": None,
        "resolution_due": None,
        "is_done": False,
        "sla_paused_at": None,
        **values,
    }
    return SimpleNamespace(**fields)


def badge(row) -> str:
    return BADGE.render(Context({"ticket": row}))


def test_the_badge_says_what_is_due_breached_paused_or_done():
    now = timezone.now()
    with translation.override("en"):
        assert badge(ticket(first_response_due=now + datetime.timedelta(hours=2, minutes=30))) == (
            '<span class="badge sla-timer" title="first response: due in 2 h">due in 2 h</span>'
        )
        assert badge(ticket(resolution_due=now + datetime.timedelta(minutes=20, seconds=30))) == (
            '<span class="badge badge--warning sla-timer" title="due in 20 min">'
            "due in 20 min</span>"
        )
        assert badge(ticket(resolution_due=now - datetime.timedelta(days=3, hours=1))) == (
            '<span class="badge badge--danger sla-timer" title="breached 3 days ago">'
            "breached 3 days ago</span>"
        )
        paused = badge(ticket(resolution_due=now, sla_paused_at=now))
        assert paused == (
            '<span class="badge badge--info sla-timer" title="paused, waiting on customer">'
            "paused, waiting on customer</span>"
        )
        assert "done" in badge(ticket(is_done=True)) and "badge--success" in badge(
            ticket(is_done=True)
        )
        assert badge(ticket()) == ""  # no target left


def test_the_same_timer_reads_in_each_readers_language():
    due = ticket(first_response_due=timezone.now() + datetime.timedelta(hours=2, minutes=30))
    with translation.override("en"):
        english = badge(due)
    with translation.override("ro"):
        romanian = badge(due)
    with translation.override("en"):
        again = badge(due)
    assert "due in 2 h" in english and english == again
    assert "termen peste" in romanian and "primul răspuns" in romanian
