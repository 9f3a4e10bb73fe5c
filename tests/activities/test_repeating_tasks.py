"""Repeating tasks: the next one is made when one is done, once, due by the rule on the
assignee's wall clock (month ends, summer time, chosen weekdays, an end date or a count)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from clientela.activities import recurrence, services
from clientela.activities.models import Task, TaskRepeat
from clientela.customers import services as customer_services

BUCHAREST = ZoneInfo("Europe/Bucharest")


def at(year, month, day, hour=9, tz=BUCHAREST):
    return datetime.datetime(year, month, day, hour, tzinfo=tz)


def rule(frequency, first, **fields):
    fields.setdefault("interval", 1)
    return TaskRepeat(
        frequency=frequency,
        time_zone="Europe/Bucharest",
        starts_on=first.date(),
        anchor_day=first.day,
        **fields,
    )


def series(repeat, first, count):
    """The due times of the first `count` tasks of a series, as the rule gives them."""
    due, found = first, [first]
    for occurrence in range(1, count):
        due = recurrence.next_due(repeat, due, occurrence)
        if due is None:
            break
        found.append(due)
    return found


def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months_and_comes_back():
    first = at(2027, 1, 31)
    days = [d.date().isoformat() for d in series(rule("monthly", first), first, 5)]
    assert days == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]
    leap = at(2028, 1, 30)
    assert series(rule("monthly", leap), leap, 2)[1].date() == datetime.date(2028, 2, 29)
    quarterly = at(2027, 11, 30)
    days = [d.date() for d in series(rule("monthly", quarterly, interval=3), quarterly, 3)]
    assert days == [
        datetime.date(2027, 11, 30),
        datetime.date(2028, 2, 29),
        datetime.date(2028, 5, 30),
    ]


def test_the_wall_clock_time_stays_across_summer_time():
    first = at(2027, 3, 26)  # summer time starts in Bucharest on Sunday 28 March 2027
    dues = series(rule("daily", first), first, 4)
    assert [d.astimezone(BUCHAREST).hour for d in dues] == [9, 9, 9, 9]
    assert dues[0].utcoffset() != dues[-1].utcoffset()
    assert dues[-1].astimezone(datetime.UTC).hour == 6  # 9:00 at UTC+3


def test_weekly_on_chosen_weekdays_every_other_week():
    first = at(2027, 1, 4)  # a Monday
    repeat = rule("weekly", first, interval=2, weekdays="03")  # Monday and Thursday
    days = [d.date().isoformat() for d in series(repeat, first, 5)]
    assert days == ["2027-01-04", "2027-01-07", "2027-01-18", "2027-01-21", "2027-02-01"]
    plain = rule("weekly", first)  # no weekday chosen: the first task's
    assert series(plain, first, 2)[1].date() == datetime.date(2027, 1, 11)


def test_a_series_ends_on_its_date_or_after_its_count():
    first = at(2027, 1, 1)
    assert len(series(rule("daily", first, until=datetime.date(2027, 1, 3)), first, 10)) == 3
    assert len(series(rule("daily", first, times=4, interval=2), first, 10)) == 4


@pytest.fixture
def ana(make_user):
    user = make_user(full_name="Ana Pop")
    user.time_zone = "Europe/Bucharest"
    user.save(update_fields=["time_zone"])
    return user


def test_done_makes_the_next_task_once_with_its_reminder(ana):
    person = customer_services.create_contact(actor=ana, data={"full_name": "Ion Pop"})
    first = services.create_task(
        actor=ana,
        title="Raport lunar",
        assignee=ana,
        record=person,
        due_at=at(2027, 1, 31),
        reminder_at=at(2027, 1, 31, 8),
        repeat=TaskRepeat(frequency="monthly", interval=1, times=2),
    )
    services.set_task_done(actor=ana, task=first, done=True)
    services.set_task_done(actor=ana, task=first, done=False)
    services.set_task_done(actor=ana, task=first, done=True)  # ticked again: still one next
    following = Task.objects.get(repeat=first.repeat, occurrence=2)
    assert Task.objects.filter(repeat=first.repeat).count() == 2
    assert following.due_at == at(2027, 2, 28) and following.reminder_at == at(2027, 2, 28, 8)
    assert following.object_id == person.pk and following.done_at is None
    services.set_task_done(actor=ana, task=following, done=True)  # the second of two: the end
    assert Task.objects.filter(repeat=first.repeat).count() == 2


def test_a_repeating_task_needs_a_due_date_and_a_sane_rule(ana):
    with pytest.raises(ValidationError):
        services.create_task(
            actor=ana, title="X", assignee=ana, repeat=TaskRepeat(frequency="daily", interval=1)
        )
    with pytest.raises(ValidationError):
        services.create_task(
            actor=ana,
            title="X",
            assignee=ana,
            due_at=at(2027, 1, 1),
            repeat=TaskRepeat(frequency="daily", interval=0),
        )
    with pytest.raises(ValidationError):
        services.create_task(
            actor=ana,
            title="X",
            assignee=ana,
            due_at=at(2027, 1, 5),
            repeat=TaskRepeat(frequency="daily", interval=1, until=datetime.date(2027, 1, 1)),
        )
    assert not TaskRepeat.objects.exists()


def test_the_task_form_adds_a_repeating_task_and_ticking_it_makes_the_next(client, ana):
    client.force_login(ana)
    response = client.post(
        "/tasks/new/",
        {
            "title": "Inventar",
            "due_at": "2027-01-04T09:00",
            "priority": "normal",
            "repeat": "weekly",
            "repeat_every": "1",
            "repeat_weekdays": ["0", "3"],
            "repeat_times": "3",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.repeat.weekdays == "03" and task.repeat.times == 3
    client.post(f"/tasks/{task.pk}/done/", {"done": "yes"})
    following = Task.objects.get(occurrence=2)
    assert following.due_at.astimezone(BUCHAREST) == at(2027, 1, 7)
    page = client.get("/my-day/").content.decode()
    assert "data-task-repeats" in page
