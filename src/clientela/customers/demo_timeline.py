"""A demo timeline on the demo contacts: calls, meetings and notes over the last weeks, and
tasks for today (loaded by customers.demo once its contacts exist)."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from clientela.activities import services
from clientela.activities.models import Activity
from clientela.customers.models import Contact

NOTES = [
    "Asked for a quote for 200 units, delivery before the end of the month.",
    "Prefers to be called in the morning.",
    "Interested in the new price list; send it by e-mail.",
    "Complained about a late delivery; promised to check with logistics.",
    "Budget approved for next quarter.",
]
CALL_SUBJECTS = [
    "Intro call",
    "Follow-up on the quote",
    "Delivery question",
    "Renewal",
    "Payment terms",
]
MEETING_SUBJECTS = ["Product demo", "Quarterly review", "Contract signing", "Site visit"]
MEETING_PLACES = ["Their office", "Our office", "Video call", "Trade fair stand"]


def load() -> str:
    if Activity.objects.exists():
        return "timeline already there"
    rng = random.Random(7)
    now = timezone.now()
    contacts = list(Contact.objects.live().select_related("owner", "company"))
    logged = 0
    for contact in contacts[::2]:
        actor = contact.owner
        for _ in range(rng.randint(1, 4)):
            when = now - datetime.timedelta(days=rng.randint(0, 25), hours=rng.randint(0, 8))
            kind = rng.choice(["note", "call", "call", "meeting"])
            if kind == "note":
                services.log_activity(
                    actor=actor,
                    record=contact,
                    kind="note",
                    body=rng.choice(NOTES),
                    occurred_at=when,
                )
            elif kind == "call":
                services.log_activity(
                    actor=actor,
                    record=contact,
                    kind="call",
                    subject=rng.choice(CALL_SUBJECTS),
                    direction=rng.choice(["outbound", "inbound"]),
                    duration_seconds=rng.randint(60, 1500),
                    outcome=rng.choice(["connected", "no_answer", "voicemail"]),
                    occurred_at=when,
                )
            else:
                services.log_activity(
                    actor=actor,
                    record=contact,
                    kind="meeting",
                    subject="Meeting",
                    place=rng.choice(MEETING_PLACES),
                    occurred_at=when,
                    ends_at=when + datetime.timedelta(hours=1),
                )
            logged += 1
    tasks = 0
    for contact in contacts[:12]:
        owner = contact.owner
        if owner is None:  # every demo contact has one
            continue
        due = now + datetime.timedelta(hours=rng.randint(-30, 72))
        services.create_task(
            actor=owner,
            title=f"Call {contact.given_name or contact.full_name} about the offer",
            assignee=owner,
            due_at=due,
            record=contact,
            priority=rng.choice(["normal", "high"]),
        )
        tasks += 1
    return f"{logged} timeline entries and {tasks} tasks added"
