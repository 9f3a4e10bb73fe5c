"""Employee effectiveness: per person over a period, the calls and meetings they logged,
the tasks they finished (on time or late), the deals they won and their value, the
tickets they resolved (within the resolution deadline or not) and how customers rated
them; the time they logged, how fast they answered and resolved tickets, and a rating
by weights the installation sets (analytics.rating), beside the period before. Whose: a manager's team, everyone for an administrator (users.selectors.overseen),
and always the reader themself. Every count goes through the reader's visibility (the
domain apps' `*_for` selectors), one grouped query per figure whatever the team's size.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from clientela.activities import selectors as activity_selectors
from clientela.activities import timers
from clientela.activities.models import ActivityKind, TimerKind
from clientela.analytics import rating
from clientela.analytics.figures import Cell, Chart, Row
from clientela.analytics.selectors import RATING, _url, user_zone
from clientela.core import permissions, remembered
from clientela.core.currencies import selectors as currency_selectors
from clientela.deals import selectors as deal_selectors
from clientela.deals.models import DealStatus
from clientela.tickets import selectors as ticket_selectors
from clientela.tickets.models import Ticket
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


@dataclass
class Done:
    """What one person did in a span, as the people page counts it."""

    calls: int = 0
    meetings: int = 0
    call_seconds: int = 0  # durations logged on their calls and meetings
    meeting_seconds: int = 0
    task_seconds: int = 0  # timed on their tasks and tickets (activities.timers)
    ticket_seconds: int = 0
    tasks_done: int = 0
    tasks_on_time: int = 0
    deals_won: int = 0
    amounts: list = field(default_factory=list)  # (currency, day, total) of deals won
    tickets_resolved: int = 0
    tickets_in_time: int = 0
    resolution: datetime.timedelta | None = None  # average, of the tickets resolved
    first_response: datetime.timedelta | None = None  # average, of those first answered

    def rated(self) -> dict[str, int]:
        """The counts the rating weighs (analytics.rating.PARTS)."""
        return {
            "calls": self.calls,
            "meetings": self.meetings,
            "tasks_on_time": self.tasks_on_time,
            "deals_won": self.deals_won,
            "tickets_in_time": self.tickets_in_time,
        }


def _elapsed(end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F("created_at"), output_field=DurationField())


def done_by(user, ids: list[int], span: Span, overseen: set[int] | None = None) -> dict[int, Done]:
    """Per person of `ids`, what they did in `span` on records `user` may see."""
    return done_in(user, ids, [span], overseen)[0]


def done_in(
    user, ids: list[int], spans: list[Span], overseen: set[int] | None = None
) -> list[dict[int, Done]]:
    """Per span of `spans` (the page's period and the one before), per person of `ids`,
    what they did in it on records `user` may see: four grouped queries for every span
    together, each span's figures counted by a filtered aggregate, and the timers' read
    per span, whatever the number of people or records. `overseen`: whose tasks `user`
    oversees (activities.selectors.overseen_ids)."""
    if overseen is None:
        overseen = activity_selectors.overseen_ids(user)
    done: list[dict[int, Done]] = [defaultdict(Done) for _span in spans]
    first = min(span.start for span in spans)
    last = max(span.end for span in spans)
    numbered = list(enumerate(spans))

    def within(field_name: str) -> list[tuple[int, Q]]:
        return [(i, Q(**span.within(field_name))) for i, span in numbered]

    def across(field_name: str) -> dict:
        return {f"{field_name}__gte": first, f"{field_name}__lt": last}

    logged = within("occurred_at")
    activities: Iterable[Mapping[str, Any]] = remembered.rows(
        activity_selectors.activities_for(user)
        .filter(
            author_id__in=ids,
            kind__in=(ActivityKind.CALL, ActivityKind.MEETING),
            **across("occurred_at"),
        )
        .values("author_id", "kind")
        .annotate(
            **{f"n{i}": Count("id", filter=q) for i, q in logged},
            **{f"seconds{i}": Sum("duration_seconds", filter=q) for i, q in logged},
        )
        .order_by()
    )
    for row in activities:
        for i, _q in logged:
            person = done[i][row["author_id"]]
            if row["kind"] == ActivityKind.CALL:
                person.calls, person.call_seconds = row[f"n{i}"], row[f"seconds{i}"] or 0
            else:
                person.meetings, person.meeting_seconds = row[f"n{i}"], row[f"seconds{i}"] or 0

    finished = Q(done_at__isnull=False)
    on_time = finished & (Q(due_at__isnull=True) | Q(done_at__lte=F("due_at")))
    closed = within("done_at")
    tasks: Iterable[Mapping[str, Any]] = remembered.rows(
        activity_selectors.tasks_for(user, overseen)
        .filter(assignee_id__in=ids, **across("done_at"))
        .values("assignee_id")
        .annotate(
            **{f"done{i}": Count("id", filter=finished & q) for i, q in closed},
            **{f"on_time{i}": Count("id", filter=on_time & q) for i, q in closed},
        )
        .order_by()
    )
    for counted in tasks:
        for i, _q in closed:
            person = done[i][counted["assignee_id"]]
            person.tasks_done = counted[f"done{i}"]
            person.tasks_on_time = counted[f"on_time{i}"]

    won = within("closed_at")
    won_rows: Iterable[Mapping[str, Any]] = remembered.rows(
        deal_selectors.deals_for(user)
        .filter(owner_id__in=ids, status=DealStatus.WON, **across("closed_at"))
        .annotate(day=TruncDate("closed_at", tzinfo=spans[0].zone))
        .values("owner_id", "currency", "day")
        .annotate(
            **{f"n{i}": Count("id", filter=q) for i, q in won},
            **{f"total{i}": Sum("amount", filter=q) for i, q in won},
        )
        .order_by()
    )
    for sums in won_rows:
        for i, _q in won:
            if sums[f"n{i}"]:
                person = done[i][sums["owner_id"]]
                person.deals_won += sums[f"n{i}"]
                total = sums[f"total{i}"] or Decimal(0)
                person.amounts.append((sums["currency"], sums["day"], total))

    # An answer or resolution recorded before the ticket's opening (a ticket opened after
    # the fact, or imported with its history) has no response time to speak of: it still
    # counts as resolved, but stays out of the averages rather than lowering them.
    in_time = Q(resolution_due__isnull=True) | Q(resolved_at__lte=F("resolution_due"))
    resolved = within("resolved_at")
    answered = dict(within("first_responded_at"))
    figures: dict[str, Any] = {}
    wanted = Q()
    for i, resolved_in in resolved:
        answered_in = answered[i]
        wanted |= resolved_in | answered_in
        figures[f"resolved{i}"] = Count("id", filter=resolved_in)
        figures[f"kept{i}"] = Count("id", filter=resolved_in & in_time)
        figures[f"resolution{i}"] = Avg(
            _elapsed("resolved_at"), filter=resolved_in & Q(resolved_at__gte=F("created_at"))
        )
        figures[f"first{i}"] = Avg(
            _elapsed("first_responded_at"),
            filter=answered_in & Q(first_responded_at__gte=F("created_at")),
        )
    tickets: Iterable[Mapping[str, Any]] = remembered.rows(
        ticket_selectors.tickets_for(user)
        .filter(wanted, owner_id__in=ids)
        .values("owner_id")
        .annotate(**figures)
        .order_by()
    )
    for timed in tickets:
        for i, _q in resolved:
            person = done[i][timed["owner_id"]]
            person.tickets_resolved = timed[f"resolved{i}"]
            person.tickets_in_time = timed[f"kept{i}"]
            person.resolution, person.first_response = timed[f"resolution{i}"], timed[f"first{i}"]
    for i, span in numbered:
        timed_by = timers.seconds_by(user, ids, span.start, span.end, Ticket, overseen)
        for (pk, kind), seconds in timed_by.items():
            if kind == TimerKind.TASK:
                done[i][pk].task_seconds = seconds
            else:
                done[i][pk].ticket_seconds = seconds
    return done


def previous(span: Span) -> Span:
    """The span of as many days just before this one: what a trend compares with."""
    days = span.last - span.first + datetime.timedelta(days=1)
    return Span(span.first - days, span.first - datetime.timedelta(days=1), span.zone)


HOUR = Decimal("0.1")
# The time a person logged, as the people page's "Time logged" figure splits it.
TIMED = ("call_seconds", "meeting_seconds", "task_seconds", "ticket_seconds")


def _hours(value: datetime.timedelta | int | None) -> Decimal | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, datetime.timedelta) else value
    return (Decimal(seconds) / 3600).quantize(HOUR)


def _hours_of(name: str) -> Callable[[Done], Decimal | None]:
    """Reads one of a person's TIMED durations in hours."""
    return lambda done: _hours(getattr(done, name))


def _ratings(user, ids: list[int], span: Span) -> dict[int, dict]:
    """Per agent of `ids`, the surveys answered in `span` about their tickets' help."""
    return {
        row["agent_id"]: row
        for row in ticket_selectors.satisfaction_by(user, "agent", span.start, span.end)
        if not row["delivery"] and row["agent_id"] in ids
    }


def _average(row: dict | None) -> Decimal | None:
    return Decimal(row["average"]).quantize(RATING) if row else None


NOTHING = Done()


def charts(
    user,
    people: list[User],
    span: Span,
    weights: dict[str, int] | None = None,
    *,
    overseen: set[int] | None = None,
) -> list[Chart]:
    """The people page's figures, each person's value beside the same figure in the period
    before (`Cell.before`: the arrow and percentage the page shows). `overseen`: whose tasks
    the reader oversees (activities.selectors.overseen_ids), when the caller has them; else
    read once here."""
    ids = [person.pk for person in people]
    dates = {"from": span.first.isoformat(), "to": span.last.isoformat()}
    earlier = previous(span)
    if overseen is None:
        overseen = activity_selectors.overseen_ids(user)
    done, before = done_in(user, ids, [span, earlier], overseen)
    sees = permissions.sees_sensitive(user)
    # Both periods' amounts converted with one read of the rates.
    amounts = {
        (pk, when): person.amounts
        for when, table in (("now", done), ("before", before))
        for pk, person in table.items()
        if person.amounts
    }
    values = currency_selectors.convert_groups(amounts) if sees else {}
    base = currency_selectors.base_currency() if sees else ""
    ratings, ratings_before = _ratings(user, ids, span), _ratings(user, ids, earlier)
    weights = weights if weights is not None else rating.weights()

    def vs(pk: int, read: Callable[[Done], Any], url: str = "") -> Cell:
        """A person's figure (`read` of what they did) against the period before."""
        now = read(done.get(pk, NOTHING))
        then = read(before.get(pk, NOTHING))
        return Cell(now, url if now else "", before=then, compared=True)

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

    def value_of(pk: int, when: str) -> Decimal | None:
        converted = values.get((pk, when))
        if converted is None:
            return Decimal("0.00")
        return converted.total if converted.complete else None

    def value(pk: int) -> Cell:
        now = value_of(pk, "now")
        return Cell(now, deals_link(pk), before=value_of(pk, "before"), compared=True)

    missing = sorted(
        {m.currency for (_pk, when), c in values.items() if when == "now" for m in c.missing}
    )
    tasks_url = {pk: _url("activities:team-tasks", person=pk) for pk in ids}
    result = [
        Chart(
            "people-activities",
            _("Calls and meetings"),
            "bar",
            [ActivityKind.CALL.label, ActivityKind.MEETING.label],
            [
                row(person, [vs(person.pk, lambda d: d.calls), vs(person.pk, lambda d: d.meetings)])
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
                    [
                        vs(person.pk, lambda d: d.tasks_on_time, tasks_url[person.pk]),
                        vs(person.pk, lambda d: d.tasks_done - d.tasks_on_time),
                    ],
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
                        vs(person.pk, lambda d: d.deals_won, deals_link(person.pk)),
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
        Chart(
            "people-time",
            _("Time logged (hours)"),
            "bar",
            [ActivityKind.CALL.label, ActivityKind.MEETING.label, _("Tasks"), _("Tickets")],
            [
                row(
                    person,
                    [vs(person.pk, _hours_of(name)) for name in TIMED],
                )
                for person in people
            ],
            stacked=True,
            axis=_("Person"),
            note=_(
                "The durations logged on the person's calls and meetings in the period (a"
                " call's timer gives its call's duration), and the time their timer ran on"
                " tasks and tickets started in it."
            ),
        ),
    ]
    if permissions.scope(user, "ticket") != permissions.NONE:
        result.append(
            Chart(
                "people-response",
                _("Ticket response times (hours, average)"),
                "bar",
                [_("First response"), _("Resolution")],
                [
                    row(
                        person,
                        [
                            vs(person.pk, lambda d: _hours(d.first_response)),
                            vs(person.pk, lambda d: _hours(d.resolution)),
                        ],
                    )
                    for person in people
                ],
                axis=_("Person"),
                note=_(
                    "From a ticket's opening to its first answer (tickets first answered in"
                    " the period), and to its resolution (tickets resolved in the period);"
                    " an answer or resolution recorded before its ticket was opened is left"
                    " out."
                ),
            )
        )
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
                            vs(
                                person.pk,
                                lambda d: d.tickets_in_time,
                                _url("tickets:list", status="resolved", assignee=person.pk),
                            ),
                            vs(person.pk, lambda d: d.tickets_resolved - d.tickets_in_time),
                            Cell(
                                _average(ratings.get(person.pk)),
                                before=_average(ratings_before.get(person.pk)),
                                compared=True,
                            ),
                            Cell(
                                ratings[person.pk]["count"] if person.pk in ratings else 0,
                                before=ratings_before[person.pk]["count"]
                                if person.pk in ratings_before
                                else 0,
                                compared=True,
                            ),
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
    rated = {pk: person.rated() for pk, person in done.items()}
    rated_before = {pk: person.rated() for pk, person in before.items()}
    result.append(
        Chart(
            "people-trend",
            _("Rated figures against the period before"),
            "bar",
            [capfirst(str(part.label)) for part in rating.PARTS],
            [
                row(
                    person,
                    [
                        Cell(
                            rated.get(person.pk, {}).get(part.key, 0),
                            before=rated_before.get(person.pk, {}).get(part.key, 0),
                            compared=True,
                        )
                        for part in rating.PARTS
                    ],
                )
                for person in people
            ],
            axis=_("Person"),
            note=_(
                "Each figure the rating weighs, in this period, with its change from the"
                " period before."
            ),
        )
    )
    scores = [
        (
            person,
            rating.points(rated.get(person.pk, {}), weights),
            rating.points(rated_before.get(person.pk, {}), weights),
        )
        for person in people
    ]
    result.append(
        Chart(
            "people-rating",
            _("Rating: this period and the one before"),
            "bar",
            [_("This period"), _("Period before"), _("Change")],
            [
                row(person, [Cell(now, before=then, compared=True), Cell(then), Cell(now - then)])
                for person, now, then in scores
            ],
            drawn=2,
            axis=_("Person"),
            summary=_("Points = %(formula)s.") % {"formula": rating.formula(weights)},
            note=_(
                "The period before: %(start)s to %(end)s. Beside each figure, its change"
                " from the period before."
            )
            % {
                "start": formats.date_format(earlier.first, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(earlier.last, "SHORT_DATE_FORMAT"),
            },
        )
    )
    return result
