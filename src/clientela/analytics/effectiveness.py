"""Employee effectiveness: per person over a period, the calls and meetings they logged,
the tasks they finished (on time or late), the deals they won and their value, the
tickets they resolved (within the resolution deadline or not) and how customers rated
them. Whose: a manager's team, everyone for an administrator (users.selectors.reported_on),
and always the reader themself. Every count goes through the reader's visibility (the
domain apps' `*_for` selectors), one grouped query per figure whatever the team's size.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.activities import selectors as activity_selectors
from clientela.activities.models import ActivityKind
from clientela.analytics.selectors import RATING, Cell, Chart, Row, _url, user_zone
from clientela.core import permissions
from clientela.core.currencies import selectors as currency_selectors
from clientela.deals import selectors as deal_selectors
from clientela.deals.models import DealStatus
from clientela.tickets import selectors as ticket_selectors
from clientela.users import selectors as user_selectors
from clientela.users.models import User

DEFAULT_DAYS = 30


@dataclass
class Span:
    """[first, last] days in the reader's time zone, and their bounds as instants."""

    first: datetime.date
    last: datetime.date
    zone: datetime.tzinfo

    @property
    def start(self) -> datetime.datetime:
        return datetime.datetime.combine(self.first, datetime.time.min, tzinfo=self.zone)

    @property
    def end(self) -> datetime.datetime:
        following = self.last + datetime.timedelta(days=1)
        return datetime.datetime.combine(following, datetime.time.min, tzinfo=self.zone)

    def within(self, field: str) -> dict:
        return {f"{field}__gte": self.start, f"{field}__lt": self.end}


def span_for(user, first: datetime.date | None, last: datetime.date | None) -> Span:
    """The days asked for, or the last DEFAULT_DAYS; reversed bounds are put in order."""
    zone = user_zone(user)
    today = timezone.now().astimezone(zone).date()
    last = last or today
    first = first or last - datetime.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        first, last = last, first
    return Span(first, last, zone)


def people_for(user) -> list[User]:
    """The reader and whoever they oversee, by name."""
    overseen = user_selectors.reported_on(user)
    if any(person.pk == user.pk for person in overseen):
        return overseen
    return sorted([user, *overseen], key=lambda person: person.display_name.lower())


def _counts(rows, key: str) -> dict:
    return {row[key]: row for row in rows}


def _split(counts: dict | None, whole: str, part: str, url: str) -> list[Cell]:
    """A person's `part` of their `whole` (tasks done on time of those done) linking to
    the records, and the rest."""
    part_n = counts[part] if counts else 0
    return [Cell(part_n, url), Cell((counts[whole] if counts else 0) - part_n)]


def charts(user, people: list[User], span: Span) -> list[Chart]:
    ids = [person.pk for person in people]
    dates = {"from": span.first.isoformat(), "to": span.last.isoformat()}

    activities = (
        activity_selectors.activities_for(user)
        .filter(
            author_id__in=ids,
            kind__in=(ActivityKind.CALL, ActivityKind.MEETING),
            **span.within("occurred_at"),
        )
        .values("author_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    logged: dict[tuple, int] = {(row["author_id"], row["kind"]): row["n"] for row in activities}

    done = Q(done_at__isnull=False)
    on_time = done & (Q(due_at__isnull=True) | Q(done_at__lte=F("due_at")))
    tasks = _counts(
        activity_selectors.tasks_for(user)
        .filter(assignee_id__in=ids, **span.within("done_at"))
        .values("assignee_id")
        .annotate(done=Count("id", filter=done), on_time=Count("id", filter=on_time))
        .order_by(),
        "assignee_id",
    )

    won_rows = (
        deal_selectors.deals_for(user)
        .filter(owner_id__in=ids, status=DealStatus.WON, **span.within("closed_at"))
        .annotate(day=TruncDate("closed_at", tzinfo=span.zone))
        .values("owner_id", "currency", "day")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    won: dict[int, int] = defaultdict(int)
    amounts: dict[int, list] = defaultdict(list)
    for sums in won_rows:
        won[sums["owner_id"]] += sums["n"]
        amounts[sums["owner_id"]].append(
            (sums["currency"], sums["day"], sums["total"] or Decimal(0))
        )
    sees = permissions.sees_sensitive(user)
    values = currency_selectors.convert_groups(dict(amounts)) if sees else {}
    base = currency_selectors.base_currency() if sees else ""

    kept = Q(resolution_due__isnull=True) | Q(resolved_at__lte=F("resolution_due"))
    tickets = _counts(
        ticket_selectors.tickets_for(user)
        .filter(owner_id__in=ids, **span.within("resolved_at"))
        .values("owner_id")
        .annotate(resolved=Count("id"), kept=Count("id", filter=kept))
        .order_by(),
        "owner_id",
    )
    ratings = {
        row["agent_id"]: row
        for row in ticket_selectors.satisfaction_by(user, "agent", span.start, span.end)
        if not row["delivery"] and row["agent_id"] in ids
    }

    def row(person: User, cells: list[Cell]) -> Row:
        return Row(person.display_name, cells)

    def deals_link(pk: int) -> str:
        return _url(
            "deals:deal-list",
            status="won",
            owner=pk,
            closed_from=dates["from"],
            closed_to=dates["to"],
        )

    def value(pk: int) -> Cell:
        converted = values.get(pk)
        if converted is None:
            return Cell(Decimal("0.00"), deals_link(pk))
        return Cell(converted.total if converted.complete else None, deals_link(pk))

    missing = sorted({m.currency for converted in values.values() for m in converted.missing})
    result = [
        Chart(
            "people-activities",
            _("Calls and meetings"),
            "bar",
            [ActivityKind.CALL.label, ActivityKind.MEETING.label],
            [
                row(
                    person,
                    [
                        Cell(logged.get((person.pk, ActivityKind.CALL), 0)),
                        Cell(logged.get((person.pk, ActivityKind.MEETING), 0)),
                    ],
                )
                for person in people
            ],
            stacked=True,
            axis=_("Person"),
            note=_("Logged by the person in the period, on records you may see."),
        ),
        Chart(
            "people-tasks",
            _("Tasks done"),
            "bar",
            [_("On time"), _("Late")],
            [
                row(
                    person,
                    _split(
                        tasks.get(person.pk),
                        "done",
                        "on_time",
                        _url("activities:team-tasks", person=person.pk),
                    ),
                )
                for person in people
            ],
            stacked=True,
            axis=_("Person"),
            note=_("Tasks marked done in the period; on time when done by their due time."),
        ),
        Chart(
            "people-deals",
            _("Deals won"),
            "bar",
            [_("Deals won"), *([_("Value (%(base)s)") % {"base": base}] if sees else [])],
            [
                row(
                    person,
                    [
                        Cell(won.get(person.pk, 0), deals_link(person.pk)),
                        *([value(person.pk)] if sees else []),
                    ],
                )
                for person in people
            ],
            drawn=1,
            axis=_("Person"),
            note=(
                _(
                    "Value at the rate of each deal's day of winning; — where a rate is"
                    " missing (%(currencies)s)."
                )
                % {"currencies": ", ".join(missing)}
                if missing
                else ""
            ),
        ),
    ]
    if permissions.scope(user, "ticket") != permissions.NONE:
        result.append(
            Chart(
                "people-tickets",
                _("Tickets resolved"),
                "bar",
                [_("Within deadline"), _("Late"), _("Average rating"), _("Answers")],
                [
                    row(
                        person,
                        [
                            *_split(
                                tickets.get(person.pk),
                                "resolved",
                                "kept",
                                _url("tickets:list", status="resolved", assignee=person.pk),
                            ),
                            Cell(
                                Decimal(ratings[person.pk]["average"]).quantize(RATING)
                                if person.pk in ratings
                                else None
                            ),
                            Cell(ratings[person.pk]["count"] if person.pk in ratings else 0),
                        ],
                    )
                    for person in people
                ],
                drawn=2,
                stacked=True,
                axis=_("Person"),
                note=_(
                    "Resolved in the period; within deadline when resolved by the SLA's"
                    " resolution time. Ratings: surveys answered in the period (1 to 5)."
                ),
            )
        )
    return result
