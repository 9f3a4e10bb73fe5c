"""Tasks after they are added: edited, rescheduled and reassigned (pages and API), added
from My day, and the team task list a manager reads."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clientela.activities import services
from clientela.activities.models import Task
from clientela.core import audit
from clientela.customers import services as customer_services
from clientela.notifications.models import Notification
from clientela.users.services import role_named, team_named
from tests.api.conftest import api_for  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(days=2)


@pytest.fixture
def people(make_user):
    """A manager and two reps in Cluj, a rep in Bucharest."""
    cluj, bucharest = team_named("Cluj"), team_named("Bucharest")
    return {
        "manager": make_user(
            email="sefa@firma.ro", full_name="Sefa Cluj", role=role_named("manager"), team=cluj
        ),
        "ana": make_user(email="ana@firma.ro", full_name="Ana Rep", team=cluj),
        "dan": make_user(email="dan@firma.ro", full_name="Dan Rep", team=cluj),
        "bogdan": make_user(email="bogdan@firma.ro", full_name="Bogdan Rep", team=bucharest),
    }


@pytest.fixture
def contact(people):
    return customer_services.create_contact(actor=people["ana"], data={"full_name": "Ioana Livada"})


def test_the_assignee_edits_and_reschedules_a_task_in_one_audited_change(people, contact):
    ana = people["ana"]
    task = services.create_task(actor=ana, title="Send offer", assignee=ana, record=contact)
    due = timezone.now() + LATER
    services.update_task(
        actor=ana,
        task=task,
        changes={"title": "  Send the  revised offer ", "due_at": due, "priority": "high"},
    )
    task.refresh_from_db()
    assert (task.title, task.due_at, task.priority) == ("Send the revised offer", due, "high")
    entry = audit.history(task).first()
    assert entry.action == "update" and entry.actor == ana
    assert entry.changes["title"] == ["Send offer", "Send the revised offer"]
    assert entry.changes["priority"] == ["normal", "high"]
    assert set(entry.changes) == {"title", "due_at", "priority"}


def test_a_change_that_makes_no_sense_is_refused_with_a_message(people, contact):
    ana = people["ana"]
    task = services.create_task(actor=ana, title="Call", assignee=ana, record=contact)
    due = timezone.now() + LATER
    with pytest.raises(ValidationError, match="Give the task a title"):
        services.update_task(actor=ana, task=task, changes={"title": "   "})
    with pytest.raises(ValidationError, match="reminder should come before"):
        services.update_task(
            actor=ana,
            task=task,
            changes={"due_at": due, "reminder_at": due + datetime.timedelta(hours=1)},
        )
    with pytest.raises(ValidationError, match="Unknown priority"):
        services.update_task(actor=ana, task=task, changes={"priority": "whenever"})
    with pytest.raises(ValidationError, match="Unknown fields"):
        services.update_task(actor=ana, task=task, changes={"done_at": due})
    task.refresh_from_db()
    assert (task.title, task.due_at, task.priority) == ("Call", None, "normal")


def test_a_manager_reassigns_a_team_task_and_the_new_assignee_hears_of_it(people, contact):
    ana, dan, manager = people["ana"], people["dan"], people["manager"]
    task = services.create_task(actor=ana, title="Visit", assignee=ana, record=contact)
    services.update_task(actor=manager, task=task, changes={"assignee": dan})
    assert Task.objects.get(pk=task.pk).assignee == dan
    told = Notification.objects.get(user=dan)
    assert told.title == "Sefa Cluj gave you a task: Visit"
    assert told.url == contact.get_absolute_url()
    assert audit.history(task).first().changes["assignee"] == ["ana@firma.ro", "dan@firma.ro"]


def test_only_the_assignee_the_giver_and_their_manager_change_a_task(people, contact):
    ana, dan, bogdan = people["ana"], people["dan"], people["bogdan"]
    task = services.create_task(actor=ana, title="Visit", assignee=ana, record=contact)
    for stranger in (dan, bogdan):  # a teammate without reports; another team's rep
        with pytest.raises(PermissionDenied):
            services.update_task(actor=stranger, task=task, changes={"title": "Mine now"})
    given = services.create_task(actor=dan, title="Ask Ana", assignee=ana)
    services.update_task(actor=dan, task=given, changes={"title": "Ask Ana again"})
    assert Task.objects.get(pk=given.pk).title == "Ask Ana again"


def test_a_task_on_a_record_one_no_longer_sees_cannot_be_changed(people, contact):
    ana, bogdan = people["ana"], people["bogdan"]
    task = services.create_task(actor=ana, title="Visit", assignee=ana, record=contact)
    customer_services.update_contact(
        actor=None, contact=contact, data={"owner": bogdan}, expected_version=None
    )
    with pytest.raises(PermissionDenied, match="record this task is on"):
        services.update_task(actor=ana, task=task, changes={"title": "Still mine"})
    assert Task.objects.get(pk=task.pk).title == "Visit"


def test_a_moved_reminder_comes_at_its_new_time_only(people):
    ana = people["ana"]
    first = timezone.now() + datetime.timedelta(hours=1)
    task = services.create_task(actor=ana, title="Call", assignee=ana, reminder_at=first)
    moved = first + datetime.timedelta(hours=3)
    services.update_task(actor=ana, task=task, changes={"reminder_at": moved})
    services.deliver_reminder(task_id=task.pk, at=services._stamp(first))
    assert not Notification.objects.exists()
    services.deliver_reminder(task_id=task.pk, at=services._stamp(moved))
    services.deliver_reminder(task_id=task.pk, at=services._stamp(moved))  # run twice
    assert list(Notification.objects.values_list("title", flat=True)) == ["Reminder: Call"]


def test_a_reminder_follows_its_task_to_the_new_assignee(people):
    ana, dan, manager = people["ana"], people["dan"], people["manager"]
    when = timezone.now() + datetime.timedelta(hours=1)
    task = services.create_task(actor=ana, title="Call", assignee=ana, reminder_at=when)
    services.update_task(actor=manager, task=task, changes={"assignee": dan})
    services.deliver_reminder(task_id=task.pk, at=services._stamp(when))
    assert Notification.objects.filter(title="Reminder: Call").get().user == dan


def test_a_task_is_edited_from_the_record_page(client, people, contact):
    ana = people["ana"]
    task = services.create_task(actor=ana, title="Send offer", assignee=ana, record=contact)
    client.force_login(ana)
    page = client.get(contact.get_absolute_url()).content.decode()
    assert f'action="/tasks/{task.pk}/edit/"' in page
    response = client.post(
        f"/tasks/{task.pk}/edit/",
        {
            "title": "Send the offer",
            "due_at": "2030-03-04T09:30",
            "priority": "urgent",
            "assignee": people["dan"].pk,
            "notes": "Ask for the signed copy",
            "next": contact.get_absolute_url(),
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == contact.get_absolute_url()
    assert "Task saved." in response.content.decode()
    task.refresh_from_db()
    assert (task.title, task.priority, task.assignee, task.notes) == (
        "Send the offer",
        "urgent",
        people["dan"],
        "Ask for the signed copy",
    )
    assert timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M") == "2030-03-04 09:30"


def test_a_refused_edit_shows_the_form_again_with_what_was_typed(client, people, contact):
    ana = people["ana"]
    task = services.create_task(actor=ana, title="Send offer", assignee=ana, record=contact)
    client.force_login(ana)
    typed = {
        "title": "Send the revised offer",
        "due_at": "2030-03-04T09:30",
        "reminder_at": "2030-03-04T11:00",
        "priority": "high",
        "assignee": people["dan"].pk,
        "notes": "Ask for the signed copy",
        "next": contact.get_absolute_url(),
    }
    response = client.post(f"/tasks/{task.pk}/edit/", typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Send the revised offer"' in page
    assert 'value="2030-03-04T11:00"' in page and 'value="2030-03-04T09:30"' in page
    assert ">Ask for the signed copy</textarea>" in page
    assert f'<option value="{people["dan"].pk}" selected>' in page
    assert '<option value="high" selected>' in page
    error = re.search(r'id="te\d+-remind-error" role="alert">([^<]*)<', page)
    assert error and error.group(1) == "The reminder should come before the due time."
    assert f'href="{contact.get_absolute_url()}"' in page  # back without saving
    task.refresh_from_db()
    assert (task.title, task.due_at, task.assignee, task.notes) == ("Send offer", None, ana, "")


def test_a_refused_edit_over_htmx_swaps_the_row_with_the_form_open(client, people, contact):
    ana = people["ana"]
    task = services.create_task(actor=ana, title="Send offer", assignee=ana, record=contact)
    client.force_login(ana)
    response = client.post(
        f"/tasks/{task.pk}/edit/",
        {"title": "   ", "priority": "normal", "notes": "Still wanted", "next": "/my-day/"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith('<li class="task')
    assert f'id="task-{task.pk}"' in page and '<details class="task__edit" open>' in page
    assert re.search(r'id="te\d+-title-error" role="alert">This field is required.<', page)
    assert ">Still wanted</textarea>" in page
    assert 'name="next" value="/my-day/"' in page
    assert Task.objects.get(pk=task.pk).notes == ""


def test_a_saved_edit_over_htmx_shows_the_page_anew(client, people, contact):
    ana = people["ana"]
    task = services.create_task(actor=ana, title="Send offer", assignee=ana, record=contact)
    client.force_login(ana)
    response = client.post(
        f"/tasks/{task.pk}/edit/",
        {"title": "Send it", "priority": "normal", "next": contact.get_absolute_url()},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Redirect"] == contact.get_absolute_url()
    assert Task.objects.get(pk=task.pk).title == "Send it"


def test_a_stranger_cannot_reach_a_task_to_edit_it(client, people, contact):
    task = services.create_task(
        actor=people["ana"], title="Visit", assignee=people["ana"], record=contact
    )
    client.force_login(people["bogdan"])
    assert client.post(f"/tasks/{task.pk}/edit/", {"title": "Mine"}).status_code == 404
    assert Task.objects.get(pk=task.pk).title == "Visit"


def test_my_day_adds_a_task_on_no_record(client, people):
    ana = people["ana"]
    client.force_login(ana)
    page = client.get("/my-day/").content.decode()
    assert "Add a task" in page and 'action="/tasks/new/"' in page
    response = client.post(
        "/tasks/new/",
        {"title": "Plan the week", "priority": "normal", "due_at": "2030-01-07T08:00"},
        follow=True,
    )
    assert "Task added." in response.content.decode()
    task = Task.objects.get()
    assert (task.title, task.assignee, task.content_type) == ("Plan the week", ana, None)
    assert "Plan the week" in client.get("/my-day/").content.decode()
    empty = client.post("/tasks/new/", {"title": " ", "priority": "normal"}, follow=True)
    assert "A task needs a title." in empty.content.decode()
    assert Task.objects.count() == 1


def _team_list(client, query: str = "") -> str:
    response = client.get(f"/tasks/team/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_manager_reads_the_team_tasks_by_person_and_overdue(client, people, contact):
    ana, dan, bogdan, manager = people["ana"], people["dan"], people["bogdan"], people["manager"]
    yesterday = timezone.now() - datetime.timedelta(days=1)
    services.create_task(actor=ana, title="Late call", assignee=ana, due_at=yesterday)
    services.create_task(actor=dan, title="Visit next week", assignee=dan, due_at=yesterday + LATER)
    services.create_task(actor=dan, title="Undated idea", assignee=dan)
    done = services.create_task(actor=dan, title="Finished job", assignee=dan)
    services.set_task_done(actor=dan, task=done, done=True)
    services.create_task(actor=bogdan, title="Bucharest work", assignee=bogdan)
    client.force_login(manager)
    page = _team_list(client)
    titles = re.findall(r'class="task__title">([^<]+)<', page)
    assert titles == ["Late call", "Visit next week", "Undated idea"]  # most overdue first
    assert "Finished job" not in page and "Bucharest work" not in page
    assert re.findall(r'class="task__title">([^<]+)<', _team_list(client, f"?person={dan.pk}")) == [
        "Visit next week",
        "Undated idea",
    ]
    assert re.findall(r'class="task__title">([^<]+)<', _team_list(client, "?overdue=1")) == [
        "Late call"
    ]
    # Someone the manager does not oversee is no filter: the whole team shows.
    assert "Late call" in _team_list(client, f"?person={bogdan.pk}")


def test_the_team_list_pages_on_without_repeating_a_task(client, people):
    ana, manager = people["ana"], people["manager"]
    start = timezone.now() - datetime.timedelta(days=100)
    for n in range(60):
        services.create_task(
            actor=ana,
            title=f"Task {n:02d}",
            assignee=ana,
            due_at=start + datetime.timedelta(days=n // 2) if n < 50 else None,
        )
    client.force_login(manager)
    first = _team_list(client)
    cursor = re.search(r'href="\?after=([^"]+)" rel="next"', first).group(1)
    second = _team_list(client, f"?after={cursor}")
    shown = re.findall(r'class="task__title">([^<]+)<', first) + re.findall(
        r'class="task__title">([^<]+)<', second
    )
    assert shown == [f"Task {n:02d}" for n in range(60)]
    assert 'rel="next"' not in second


def test_the_team_list_is_for_roles_with_team_reports(client, people):
    client.force_login(people["ana"])
    assert client.get("/tasks/team/").status_code == 403
    assert "Team tasks" not in client.get("/my-day/").content.decode()
    client.force_login(people["manager"])
    assert 'href="/tasks/team/"' in client.get("/my-day/").content.decode()


def test_the_api_edits_reschedules_and_reassigns_a_task(api_for, people, contact):  # noqa: F811
    ana, dan, manager = people["ana"], people["dan"], people["manager"]
    task = services.create_task(actor=ana, title="Visit", assignee=ana, record=contact)
    api = api_for(ana)
    changed = api.patch(
        f"/api/v1/tasks/{task.pk}",
        {"title": "Visit the farm", "due_at": "2030-05-06T07:00:00Z", "priority": "high"},
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["title"], body["priority"]) == ("Visit the farm", "high")
    due = datetime.datetime.fromisoformat(body["due_at"].replace("Z", "+00:00"))
    assert due == datetime.datetime(2030, 5, 6, 7, tzinfo=datetime.UTC)
    assert api.patch(f"/api/v1/tasks/{task.pk}", {"priority": "soon"}).status_code == 422
    assert api.patch(f"/api/v1/tasks/{task.pk}", {"title": " "}).status_code == 422
    unknown = api.patch(f"/api/v1/tasks/{task.pk}", {"assignee_id": 999999})
    assert unknown.status_code == 422 and "no such active user" in unknown.content.decode()
    late_reminder = api.patch(f"/api/v1/tasks/{task.pk}", {"reminder_at": "2031-01-01T00:00:00Z"})
    assert late_reminder.status_code == 422
    # The manager sees the team's tasks and reassigns one; another team's rep cannot reach it.
    boss = api_for(manager)
    listed = boss.get(f"/api/v1/tasks/?assignee_id={ana.pk}").json()["items"]
    assert [item["id"] for item in listed] == [task.pk]
    moved = boss.patch(f"/api/v1/tasks/{task.pk}", {"assignee_id": dan.pk, "due_at": None})
    assert moved.status_code == 200 and moved.json()["assignee_id"] == dan.pk
    assert moved.json()["due_at"] is None
    stranger = api_for(people["bogdan"])
    assert stranger.patch(f"/api/v1/tasks/{task.pk}", {"title": "x"}).status_code == 404
    assert Task.objects.get(pk=task.pk).title == "Visit the farm"
