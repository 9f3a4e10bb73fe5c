"""Notifications: delivered once per key, as each person prefers, read from the bell."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clientela.notifications import services
from clientela.notifications.models import Notification


def test_notify_delivers_once_per_key_in_the_app_and_by_email(user):
    first = services.notify(user, key="deal:4:won", title="Deal won", body="Firma SRL signed.")
    again = services.notify(user, key="deal:4:won", title="Deal won")

    assert again == first
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == "Deal won"
    assert first.emailed_at is not None


def test_preferences_decide_bell_and_email(user_client, user):
    response = user_client.post(reverse("notifications:preferences"), {"in_app": "on"})
    assert response.status_code == 302

    services.notify(user, key="ticket:9:late", title="Ticket late")

    assert mail.outbox == []
    page = user_client.get(reverse("notifications:index"))
    assert "Ticket late" in page.content.decode()
    assert page.context["form"].initial == {"in_app": True, "email": False}

    user_client.post(reverse("notifications:preferences"), {"email": "on"})
    services.notify(user, key="ticket:10:late", title="Second ticket late")
    assert len(mail.outbox) == 1
    assert (
        "Second ticket late" not in user_client.get(reverse("notifications:index")).content.decode()
    )


def test_notify_refuses_a_missing_key_or_title_in_words(user):
    with pytest.raises(ValidationError, match="needs a key"):
        services.notify(user, key=" ", title="x")
    with pytest.raises(ValidationError, match="needs a title"):
        services.notify(user, key="k", title="")


def test_schedule_reminder_needs_an_aware_time(user):
    with pytest.raises(ValidationError, match="time zone"):
        services.schedule_reminder(
            user=user, when=timezone.now().replace(tzinfo=None), key="k", title="t", url=""
        )


@pytest.mark.django_db(transaction=True)
def test_schedule_reminder_queues_a_job_for_its_time(user):
    from django_tasks_db.models import DBTaskResult

    when = timezone.now() + timedelta(hours=1)
    services.schedule_reminder(user=user, when=when, key="task:3:reminder", title="Call", url="/")

    job = DBTaskResult.objects.get()
    assert job.task_path == "clientela.notifications.tasks.deliver_reminder"
    assert job.run_after == when
    assert job.args_kwargs["kwargs"]["key"] == "task:3:reminder"


def test_bell_counts_unread_and_opening_marks_read(user_client, user):
    services.notify(user, key="a", title="First", url="/")
    services.notify(user, key="b", title="Second")

    bell = user_client.get(reverse("notifications:bell"))
    assert ">2<" in bell.content.decode()
    assert "2 unread notifications" in bell.content.decode()
    menu = user_client.get(reverse("notifications:menu")).content.decode()
    assert "First" in menu and "Second" in menu

    first = Notification.objects.get(key="a")
    response = user_client.post(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/"
    assert (
        "1 unread notification<" in user_client.get(reverse("notifications:bell")).content.decode()
    )

    user_client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_cannot_be_opened(user_client, make_user):
    other = make_user(email="emily@example.com")
    theirs = services.notify(other, key="theirs", title="Private")

    response = user_client.post(reverse("notifications:open", args=[theirs.pk]), follow=True)

    assert "That notification is not there any more." in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_outside_link_is_not_followed(user_client, user):
    notification = services.notify(user, key="x", title="Phish", url="https://evil.example/")
    response = user_client.post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:index")


def test_an_emailed_notification_links_to_the_public_address(user, settings):
    settings.PUBLIC_URL = "https://crm.firma.ro/"
    services.notify(user, key="task:7:due", title="Call Firma SRL", url="/contacts/12/")

    assert "https://crm.firma.ro/contacts/12/" in mail.outbox[0].body
    # The bell keeps the app's own path.
    assert Notification.objects.get(key="task:7:due").url == "/contacts/12/"
