"""A notification speaks its reader's language, not its sender's: a task given by a
colleague who works in Romanian reaches a Spanish-speaking rep in Spanish (the bell and
the e-mail), and a reminder a background job delivers reaches a Hindi speaker in Hindi."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone, translation

from clientela.activities import services as activities
from clientela.notifications.models import Notification, NotificationPreference
from clientela.users.services import role_named, team_named

pytestmark = pytest.mark.django_db


def speaking(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def test_a_task_given_in_romanian_reaches_a_spanish_speaker_in_spanish(make_user):
    team = team_named("Cluj")
    ioana = speaking(
        make_user(
            email="ioana@firma.ro", full_name="Ioana Sefa", role=role_named("manager"), team=team
        ),
        "ro",
    )
    pablo = speaking(make_user(email="pablo@firma.ro", full_name="Pablo Rep", team=team), "es")
    NotificationPreference.objects.create(user=pablo, in_app=True, email=True)
    with translation.override("ro"):
        activities.create_task(actor=ioana, title="Oferta Livada", assignee=pablo)
    bell = Notification.objects.get(user=pablo)
    assert bell.title == "Ioana Sefa te ha dado una tarea: Oferta Livada"
    assert [m.subject for m in mail.outbox] == [bell.title]


def test_a_reminder_delivered_by_a_job_is_in_the_assignees_language(make_user):
    asha = speaking(make_user(email="asha@firma.in", full_name="Asha Rep"), "hi")
    when = timezone.now() + datetime.timedelta(hours=1)
    task = activities.create_task(actor=asha, title="Call Ravi", assignee=asha, reminder_at=when)
    # The worker runs in the installation's language.
    with translation.override("en"):
        activities.deliver_reminder(task_id=task.pk, at=when.astimezone(datetime.UTC).isoformat())
    assert Notification.objects.get(user=asha).title == "रिमाइंडर: Call Ravi"


def test_without_a_language_of_their_own_a_person_reads_the_installations(make_user, settings):
    settings.LANGUAGE_CODE = "en"
    ana = make_user(email="ana@firma.ro", full_name="Ana Rep")
    when = timezone.now() + datetime.timedelta(hours=1)
    task = activities.create_task(actor=ana, title="Sună-l pe Dan", assignee=ana, reminder_at=when)
    with translation.override("ro"):
        activities.deliver_reminder(task_id=task.pk, at=when.astimezone(datetime.UTC).isoformat())
    assert Notification.objects.get(user=ana).title == "Reminder: Sună-l pe Dan"


def test_a_reminder_typed_in_kolkata_comes_at_nine_in_kolkata(client, make_user):
    """The reminder a person types is read in their own time zone: 09:00 in Kolkata is
    03:30 UTC, the time the reminder's job is named for and delivers at."""
    from clientela.activities.models import Task

    asha = make_user(email="asha@firma.in", full_name="Asha Rep")
    asha.time_zone = "Asia/Kolkata"
    asha.save(update_fields=["time_zone"])
    client.force_login(asha)
    client.post(
        "/tasks/new/",
        {
            "title": "Call Ravi",
            "due_at": "2030-03-11T10:00",
            "reminder_at": "2030-03-11T09:00",
            "priority": "normal",
        },
    )
    task = Task.objects.get(title="Call Ravi")
    assert task.reminder_at == datetime.datetime(2030, 3, 11, 3, 30, tzinfo=datetime.UTC)
    assert task.due_at == datetime.datetime(2030, 3, 11, 4, 30, tzinfo=datetime.UTC)
    activities.deliver_reminder(task_id=task.pk, at="2030-03-11T03:30:00+00:00")
    assert Notification.objects.get(user=asha).title == "Reminder: Call Ravi"
