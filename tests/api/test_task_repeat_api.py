"""Repeating tasks through the API: a task made with a repeat rule is the first of a series,
the rule comes back with every task of it, and done, the next one is made."""

from __future__ import annotations

import datetime

import pytest

from clientela.activities.models import Task

pytestmark = pytest.mark.django_db


def test_a_weekly_task_made_through_the_api_repeats(api):
    due = "2026-12-07T09:00:00+02:00"  # a Monday
    rule = {"frequency": "weekly", "interval": 1, "weekdays": [0, 3], "times": 4}
    made = api.post("/api/v1/tasks/", {"title": "Sună furnizorul", "due_at": due, "repeat": rule})
    assert made.status_code == 201, made.content
    assert made.json()["repeat"] == {
        "frequency": "weekly",
        "interval": 1,
        "weekdays": [0, 3],
        "until": None,
        "times": 4,
        "occurrence": 1,
    }
    api.patch(f"/api/v1/tasks/{made.json()['id']}", {"done": True})
    listed = {task["title"]: task for task in api.get("/api/v1/tasks/?done=false").json()["items"]}
    following = listed["Sună furnizorul"]
    assert following["repeat"]["occurrence"] == 2
    # The Thursday after the Monday, at the same time of day.
    assert datetime.datetime.fromisoformat(following["due_at"]) == datetime.datetime.fromisoformat(
        "2026-12-10T09:00:00+02:00"
    )
    plain = api.post("/api/v1/tasks/", {"title": "Once"})
    assert plain.json()["repeat"] is None


def test_a_repeat_without_a_due_date_is_refused_with_a_reason(api):
    answer = api.post("/api/v1/tasks/", {"title": "Never", "repeat": {"frequency": "daily"}})
    assert answer.status_code == 422
    assert "needs a due date" in answer.content.decode()
    assert not Task.objects.exists()
    bad = api.post(
        "/api/v1/tasks/",
        {"title": "x", "due_at": "2026-12-07T09:00:00Z", "repeat": {"frequency": "yearly"}},
    )
    assert bad.status_code == 422
