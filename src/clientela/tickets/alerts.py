"""SLA warnings: a ticket's assignee and its department's lead hear once that a target is
near (within CLIENTELA_SLA_WARNING_MINUTES) and once that it is breached. "Once" is the
notification's delivery key, unique in the database, so two workers running the check
at the same moment still deliver each warning a single time."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from clientela.core import phrases
from clientela.notifications import selectors as notification_selectors
from clientela.notifications import services as notifications
from clientela.tickets.models import DONE, Ticket

# Deadlines further back than this are not looked at again (they were warned of when the
# check ran then); a check that was not running for a day does not flood anyone.
LOOK_BACK = datetime.timedelta(days=1)


def _alerts(ticket: Ticket, now: datetime.datetime, warning: datetime.timedelta) -> list[tuple]:
    """(key, person, title, link) of every warning the ticket calls for now."""
    found = []
    targets = [("resolution", ticket.resolution_due)]
    if ticket.first_responded_at is None:
        targets.insert(0, ("response", ticket.first_response_due))
    people = {p for p in (ticket.owner, ticket.department.lead) if p is not None and p.is_active}
    for target, due in targets:
        if due is None or not now - LOOK_BACK <= due <= now + warning:
            continue
        breached = due <= now
        if target == "response":
            title = (
                phrases.gettext("Ticket #%(n)s missed its first-response target", n=ticket.pk)
                if breached
                else phrases.gettext("Ticket #%(n)s needs a first answer soon", n=ticket.pk)
            )
        else:
            title = (
                phrases.gettext("Ticket #%(n)s missed its resolution target", n=ticket.pk)
                if breached
                else phrases.gettext("Ticket #%(n)s is due to be resolved soon", n=ticket.pk)
            )
        kind = "breached" if breached else "near"
        for person in people:
            key = f"ticket-sla:{ticket.pk}:{target}:{kind}:{int(due.timestamp())}:{person.pk}"
            found.append((key, person, title, ticket.get_absolute_url()))
    return found


def notify_sla(*, now: datetime.datetime | None = None) -> int:
    """Warn of every near or breached target of the open tickets whose clock runs; returns
    how many warnings were delivered now."""
    now = now or timezone.now()
    warning = datetime.timedelta(minutes=settings.SLA_WARNING_MINUTES)
    window = (now - LOOK_BACK, now + warning)
    tickets = (
        Ticket.objects.live()
        .exclude(status__in=DONE)
        .filter(sla_paused_at__isnull=True)
        .filter(
            Q(first_responded_at__isnull=True, first_response_due__range=window)
            | Q(resolution_due__range=window)
        )
        .select_related("owner", "department__lead")
    )
    alerts = [alert for ticket in tickets for alert in _alerts(ticket, now, warning)]
    # Those delivered by an earlier check are read at once, not one query each.
    done = notification_selectors.delivered_keys([alert[0] for alert in alerts])
    sent = 0
    for key, person, title, url in alerts:
        if key in done:
            continue
        notifications.notify(person, key=key, title=title, url=url)
        sent += 1
    return sent
