"""SLA clocks in business hours: when a target falls due, how much business time passed
between two moments, and what a ticket's timer shows. Pure functions of their arguments,
so the desk's rules are tested without a database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# However sparse the hours and long the holidays, a target is found within this many days.
HORIZON_DAYS = 3 * 366


@dataclass(frozen=True)
class Calendar:
    """Opening hours by weekday (0 = Monday) in a time zone, and the days closed. No hours
    at all means around the clock."""

    hours: dict[int, tuple[datetime.time, datetime.time]]
    holidays: frozenset[datetime.date]
    zone: datetime.tzinfo

    @classmethod
    def of(cls, hours: dict, holidays: list, time_zone: str) -> Calendar:
        """From a department's stored hours ({"0": ["09:00", "18:00"]}), holidays (ISO
        dates) and time zone name; what does not parse is left out."""
        try:
            zone: datetime.tzinfo = ZoneInfo(time_zone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = datetime.UTC
        parsed = {}
        for day, span in (hours or {}).items():
            try:
                start, end = (datetime.time.fromisoformat(value) for value in span)
                weekday = int(day)
            except (TypeError, ValueError):
                continue
            if 0 <= weekday <= 6 and start < end:
                parsed[weekday] = (start, end)
        closed = set()
        for value in holidays or []:
            try:
                closed.add(datetime.date.fromisoformat(str(value)))
            except ValueError:
                continue
        return cls(parsed, frozenset(closed), zone)

    def _open_span(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime] | None:
        if day in self.holidays or day.weekday() not in self.hours:
            return None
        start, end = self.hours[day.weekday()]
        return (
            datetime.datetime.combine(day, start, tzinfo=self.zone),
            datetime.datetime.combine(day, end, tzinfo=self.zone),
        )

    def _spans_from(self, moment: datetime.datetime):
        """The open spans from `moment` on, the first cut at `moment`."""
        local = moment.astimezone(self.zone)
        day = local.date()
        for _ in range(HORIZON_DAYS):
            span = self._open_span(day)
            if span is not None and span[1] > local:
                yield max(span[0], local), span[1]
            day += datetime.timedelta(days=1)

    def add(self, start: datetime.datetime, business: datetime.timedelta) -> datetime.datetime:
        """The moment `business` time of open hours after `start`."""
        if not self.hours:
            return start + business
        remaining = business
        for opens, closes in self._spans_from(start):
            if remaining <= closes - opens:
                return (opens + remaining).astimezone(datetime.UTC)
            remaining -= closes - opens
        # Closed for the whole horizon (every day a holiday): as if always open.
        return start + business

    def between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
        """The open time from `start` to `end` (zero when `end` is not after `start`)."""
        if end <= start:
            return datetime.timedelta(0)
        if not self.hours:
            return end - start
        total = datetime.timedelta(0)
        for opens, closes in self._spans_from(start):
            if opens >= end:
                break
            total += min(closes, end) - opens
        return total


def due(calendar: Calendar, start: datetime.datetime, minutes: int | None):
    """When a target of `minutes` business minutes from `start` falls due; None without one."""
    if minutes is None:
        return None
    return calendar.add(start, datetime.timedelta(minutes=minutes))


def resumed(
    calendar: Calendar,
    deadline: datetime.datetime | None,
    paused_at: datetime.datetime,
    now: datetime.datetime,
) -> datetime.datetime | None:
    """A deadline after the clock stood still from `paused_at` to `now`: later by the
    business time the pause took."""
    if deadline is None:
        return None
    return calendar.add(deadline, calendar.between(paused_at, now))


@dataclass(frozen=True)
class Timer:
    """What a ticket's SLA timer shows: `state` is "due" (with the time left), "breached"
    (with the time since), "paused" or "met"; `target` says which target it is."""

    state: str
    target: str = ""  # "response" or "resolution"
    delta: datetime.timedelta = datetime.timedelta(0)
    due_at: datetime.datetime | None = None


def timer(
    *,
    first_response_due: datetime.datetime | None,
    first_responded_at: datetime.datetime | None,
    resolution_due: datetime.datetime | None,
    done: bool,
    paused: bool,
    now: datetime.datetime,
) -> Timer | None:
    """The one timer a list row shows: the first response until there is one, then the
    resolution; None when the ticket has no target left."""
    if done:
        return Timer("met", "resolution")
    if paused:
        return Timer("paused", "resolution", due_at=resolution_due)
    if first_responded_at is None and first_response_due is not None:
        target, deadline = "response", first_response_due
    elif resolution_due is not None:
        target, deadline = "resolution", resolution_due
    else:
        return None
    if deadline >= now:
        return Timer("due", target, deadline - now, deadline)
    return Timer("breached", target, now - deadline, deadline)


def short_duration(delta: datetime.timedelta) -> tuple[int, str]:
    """A timer's amount and unit, rounded the way people say it: 15 min, 2 h, 3 d."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return minutes, "min"
    if minutes < 48 * 60:
        return minutes // 60, "h"
    return minutes // (24 * 60), "d"
