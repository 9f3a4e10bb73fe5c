"""SLA clocks count business hours only, skip weekends and holidays, and stand still while
the ticket waits on the customer."""

from __future__ import annotations

import datetime

from clientela.tickets import sla
from clientela.tickets.models import DEFAULT_HOURS

UTC = datetime.UTC


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


WEEKDAYS_9_TO_18 = sla.Calendar.of(DEFAULT_HOURS, [], "UTC")


def test_friday_evening_ticket_with_a_one_hour_target_is_due_monday_morning():
    friday = at(4, 17, 55)  # 4 December 2026 is a Friday
    assert friday.weekday() == 4
    assert sla.due(WEEKDAYS_9_TO_18, friday, 60) == at(7, 9, 55)


def test_a_target_inside_the_day_is_plain_clock_time():
    assert sla.due(WEEKDAYS_9_TO_18, at(7, 10, 0), 90) == at(7, 11, 30)


def test_a_ticket_before_opening_starts_counting_at_opening():
    assert sla.due(WEEKDAYS_9_TO_18, at(7, 6, 0), 30) == at(7, 9, 30)


def test_holidays_are_skipped():
    calendar = sla.Calendar.of(DEFAULT_HOURS, ["2026-12-07"], "UTC")
    assert sla.due(calendar, at(4, 17, 55), 60) == at(8, 9, 55)


def test_hours_are_read_in_the_department_time_zone():
    bucharest = sla.Calendar.of(DEFAULT_HOURS, [], "Europe/Bucharest")
    # 17:55 in Bucharest is 15:55 UTC in winter; due 09:55 Bucharest on Monday.
    assert sla.due(bucharest, at(4, 15, 55), 60) == at(7, 7, 55)


def test_no_hours_means_around_the_clock():
    always = sla.Calendar.of({}, [], "UTC")
    assert sla.due(always, at(5, 23, 30), 60) == at(6, 0, 30)


def test_waiting_on_the_customer_pauses_and_resuming_shifts_the_due_time():
    due = sla.due(WEEKDAYS_9_TO_18, at(7, 10, 0), 4 * 60)  # Monday 14:00
    assert due == at(7, 14, 0)
    # Waiting from Monday 11:00 to Monday 13:30: due 2.5 business hours later.
    assert sla.resumed(WEEKDAYS_9_TO_18, due, at(7, 11, 0), at(7, 13, 30)) == at(7, 16, 30)
    # Waiting over a weekend counts only the business hours in it.
    friday_due = at(4, 17, 0)
    resumed = sla.resumed(WEEKDAYS_9_TO_18, friday_due, at(4, 16, 0), at(7, 10, 0))
    assert resumed == at(7, 11, 0)  # paused 3 business hours (Fri 16-18, Mon 9-10)


def test_business_time_between_two_moments():
    assert sla.Calendar.between(WEEKDAYS_9_TO_18, at(4, 17, 0), at(7, 10, 0)) == (
        datetime.timedelta(hours=2)
    )
    assert WEEKDAYS_9_TO_18.between(at(7, 10, 0), at(7, 9, 0)) == datetime.timedelta(0)


def test_timer_says_due_or_breached():
    now = at(7, 12, 0)
    due = sla.timer(
        first_response_due=at(7, 14, 0),
        first_responded_at=None,
        resolution_due=at(9, 12, 0),
        done=False,
        paused=False,
        now=now,
    )
    assert (due.state, due.target, due.delta) == ("due", "response", datetime.timedelta(hours=2))
    breached = sla.timer(
        first_response_due=at(7, 11, 45),
        first_responded_at=None,
        resolution_due=at(9, 12, 0),
        done=False,
        paused=False,
        now=now,
    )
    assert (breached.state, breached.delta) == ("breached", datetime.timedelta(minutes=15))
    answered = sla.timer(
        first_response_due=at(7, 11, 45),
        first_responded_at=at(7, 11, 0),
        resolution_due=at(9, 12, 0),
        done=False,
        paused=False,
        now=now,
    )
    assert answered.target == "resolution" and answered.state == "due"
    assert sla.short_duration(datetime.timedelta(minutes=15)) == (15, "min")
    assert sla.short_duration(datetime.timedelta(hours=2, minutes=5)) == (2, "h")
