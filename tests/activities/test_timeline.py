"""One timeline per record: a company's shows its contacts' entries; a call brings its
recording and its call-back task."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clientela.activities import selectors, services
from clientela.customers import services as customer_services
from clientela.customers.models import Contact


@pytest.fixture
def contact(user):
    return customer_services.quick_add_contact(
        actor=user, name="Emily Carter", email="emily@carter.co", company_name="Carter & Co"
    )


@pytest.mark.django_db
def test_a_call_with_recording_and_call_back(user, contact, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    recording = SimpleUploadedFile("call.ogg", b"OggS" + b"\0" * 100, content_type="audio/ogg")
    call = services.log_activity(
        actor=user,
        record=contact,
        kind="call",
        subject="Renewal",
        direction="outbound",
        duration_seconds=300,
        outcome="connected",
        recording=recording,
        callback_at=tomorrow,
    )
    assert call.attachments.get().is_audio
    task = contact_tasks = list(selectors.open_tasks_for_record(contact))
    assert [t.title for t in contact_tasks] == ["Call back Emily Carter"]
    assert task[0].due_at == tomorrow and task[0].source_activity == call
    contact = Contact.objects.get(pk=contact.pk)
    assert contact.last_contacted_at == call.occurred_at
    assert selectors.timeline(contact.company, user=user).items == [call]


@pytest.mark.django_db
def test_timeline_pages_newest_first_and_filters_by_kind(user, contact):
    start = timezone.now() - datetime.timedelta(days=60)
    for i in range(30):
        services.log_activity(
            actor=user,
            record=contact,
            kind="note" if i % 3 else "meeting",
            body=f"entry {i}",
            occurred_at=start + datetime.timedelta(days=i),
        )
    first = selectors.timeline(contact, user=user)
    assert [a.body for a in first.items[:2]] == ["entry 29", "entry 28"]
    second = selectors.timeline(contact, user=user, cursor=first.next_cursor)
    assert [a.body for a in second.items] == [f"entry {i}" for i in range(4, -1, -1)]
    assert second.next_cursor is None
    meetings = selectors.timeline(contact, user=user, kinds=["meeting"])
    assert len(meetings.items) == 10
    assert selectors.meetings_held(contact) == 10


@pytest.mark.django_db
def test_files_of_unknown_type_or_too_large_are_refused(user, contact, settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="can't be attached"):
        services.attach_file(actor=user, record=contact, upload=SimpleUploadedFile("x.exe", b"MZ"))
    with pytest.raises(ValidationError, match="at most"):
        services.attach_file(
            actor=user, record=contact, upload=SimpleUploadedFile("x.pdf", b"%PDF" * 10)
        )


@pytest.mark.django_db
def test_my_day_groups_open_tasks(user, contact):
    now = timezone.now()
    for title, due in [
        ("late", now - datetime.timedelta(hours=30)),
        ("soon", now + datetime.timedelta(minutes=1)),
        ("next week", now + datetime.timedelta(days=7)),
        ("someday", None),
    ]:
        services.create_task(actor=user, title=title, assignee=user, due_at=due, record=contact)
    done = services.create_task(actor=user, title="done", assignee=user, due_at=now)
    services.set_task_done(actor=user, task=done, done=True)
    groups = selectors.my_day(user, now=now)
    assert [t.title for t in groups["overdue"]] == ["late"]
    assert [t.title for t in groups["upcoming"]] == ["next week"]
    assert [t.title for t in groups["someday"]] == ["someday"]
    assert groups["overdue"][0].record == contact


@pytest.mark.django_db(transaction=True)
def test_a_task_reminder_schedules_its_notification_for_the_reminder_time(user, contact):
    from django_tasks_db.models import DBTaskResult

    from clientela.activities.tasks import deliver_task_reminder
    from clientela.notifications.models import Notification

    soon = timezone.now() + datetime.timedelta(minutes=5)
    task = services.create_task(
        actor=user, title="Send the offer", assignee=user, record=contact, reminder_at=soon
    )
    job = DBTaskResult.objects.get(task_path="clientela.activities.tasks.deliver_task_reminder")
    assert job.run_after == soon
    assert job.args_kwargs["args"] == [task.pk]
    assert not Notification.objects.exists()
    # What the worker runs at that time: the reminder of the task as it still stands.
    deliver_task_reminder.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
    notification = Notification.objects.get()
    assert notification.key == f"task:{task.pk}:reminder:{services._stamp(soon)}"
    assert (notification.user, notification.title, notification.url) == (
        user,
        "Reminder: Send the offer",
        contact.get_absolute_url(),
    )
