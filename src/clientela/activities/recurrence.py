"""When the next task of a repeating series is due: worked out on the wall clock of the
series' time zone, so a task due at 9:00 stays at 9:00 across a change of summer time, and
a monthly task on the 31st falls on the last day of a shorter month."""

from __future__ import annotations

import calendar
import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from clientela.activities.models import TaskRepeat

WEEK = 7


def zone(name: str) -> datetime.tzinfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _add_months(day: datetime.date, months: int, anchor_day: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(anchor_day, last))


def next_day(rule: TaskRepeat, day: datetime.date, first: datetime.date) -> datetime.date:
    """The day after `day` (a day of the series that started on `first`) the rule gives."""
    if rule.frequency == "daily":
        return day + datetime.timedelta(days=rule.interval)
    if rule.frequency == "monthly":
        return _add_months(day, rule.interval, rule.anchor_day)
    weekdays = {int(d) for d in rule.weekdays} or {first.weekday()}
    start_week = _monday(first)
    candidate = day + datetime.timedelta(days=1)
    # Within interval + 1 weeks there is always a chosen weekday of a week of the series.
    for _step in range(WEEK * (rule.interval + 1)):
        weeks = (_monday(candidate) - start_week).days // WEEK
        if candidate.weekday() in weekdays and weeks % rule.interval == 0:
            return candidate
        candidate += datetime.timedelta(days=1)
    raise AssertionError("a weekly rule always has a next day")  # pragma: no cover


def next_due(
    rule: TaskRepeat, due_at: datetime.datetime, occurrence: int
) -> datetime.datetime | None:
    """When occurrence `occurrence + 1` is due, after one due at `due_at`; None when the
    series has ended (its date or its number reached)."""
    if rule.times is not None and occurrence >= rule.times:
        return None
    tz = zone(rule.time_zone)
    local = due_at.astimezone(tz)
    day = next_day(rule, local.date(), rule.starts_on)
    if rule.until is not None and day > rule.until:
        return None
    wall = datetime.datetime.combine(day, local.time().replace(tzinfo=None))
    # A wall time that does not exist that day (skipped by summer time) moves forward.
    aware = wall.replace(tzinfo=tz)
    return aware.astimezone(datetime.UTC).astimezone(tz)
