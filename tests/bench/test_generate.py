"""The bench generator writes every column the models ask for: a column added by a
migration without a value in the generator breaks `make bench` (and the load test) on
both databases, which nothing else in the suite would notice.

It runs as `make bench` does, in a process and a database of its own: the generator
defers indexes and triggers while it loads, which a test database shared with the rest
of the suite must never see."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, clientela_env

SCRIPT = """
import datetime
import json
import django
django.setup()
from django.test import Client
from bench import dashboards, report
from bench.generate import ADMIN_EMAIL, Plan, add_articles, generate
from bench.requests import context
from clientela.activities.models import Activity, TimeEntry
from clientela.customers.models import Company, Contact
from clientela.core.models import SearchEntry
from clientela.tickets.models import Article, ArticleCategory, Ticket
from clientela.users.models import User
from django.db.models import F
import django.utils.timezone

plan = Plan(contacts=300, companies=30, activities=1200, seed=10, tickets=40, projects=10,
            articles=60)
generate(plan, lambda line: None)
client = Client()
client.force_login(User.objects.get(email=ADMIN_EMAIL))
from django.db import connection
with connection.cursor() as cursor:  # the people page's SQL floor runs as written
    people_floor = []
    for sql, params in dashboards.people_sql(None):
        cursor.execute(sql, params)
        people_floor.append(len(cursor.fetchall()) > 0)
    # The marketing page's stage moves into and out of each stage over the last year.
    marketing_floor = []
    for sql, params in dashboards.marketing_sql(None)[1:3]:
        cursor.execute(sql, params)
        marketing_floor.append(sum(row[1] for row in cursor.fetchall()))
from clientela.activities.models import Task
from clientela.customers.models import LifecycleChange
def stage_history_whole():
    # Each contact's last move is into its current stage, and it has one move into the
    # first stage (when it was added) and one more per stage after it.
    moves = {}
    for change in LifecycleChange.objects.order_by("contact_id", "changed_at", "id"):
        moves.setdefault(change.contact_id, []).append(change)
    contacts = Contact.objects.select_related("lifecycle_stage")
    return all(
        moves[c.pk][-1].to_stage_id == c.lifecycle_stage_id
        and moves[c.pk][0].from_stage_id is None
        and len(moves[c.pk]) == 1 + c.lifecycle_stage.position
        for c in contacts
    )
contact = Contact.objects.get(pk=1)
page = client.get(f"/contacts/{contact.pk}/").content.decode()
# The timeline is drawn after the first paint, from its own panel address.
timeline = client.get(f"/contacts/{contact.pk}/panels/timeline/").content.decode()
def knowledge_base():
    article = Article.objects.order_by("pk").first()
    found = client.get("/kb/?q=oven").content.decode()
    ovens = Article.objects.filter(title__contains="oven").order_by("title", "id")
    return {
        "articles": Article.objects.count(),
        "shelves": ArticleCategory.objects.filter(articles__isnull=False).distinct().count(),
        "article_page": article.title in client.get(f"/kb/{article.pk}/").content.decode(),
        "ovens": ovens.count(),
        "oven_found": ovens.first().title in found,
        "other_found": "Refunds for returned goods" in found,
    }
kb_generated = knowledge_base()
# The ticket page's SQL floor runs as written, its suggested articles among its rows.
from bench import tickets
with connection.cursor() as cursor:
    ticket_floor = []
    for sql, params in tickets.ticket_page_sql(context(), False):
        cursor.execute(sql, params)
        ticket_floor.append(len(cursor.fetchall()))
# The knowledge base alone, into a database that was generated without it.
Article.objects.all().delete()
SearchEntry.objects.filter(content_type__model="article").delete()
add_articles(plan, lambda line: None)
kb_added = knowledge_base()
from clientela.analytics import effectiveness
from clientela.users.models import User as People
admin = People.objects.get(email=ADMIN_EMAIL)
start, end = dashboards.people_span()
span = effectiveness.Span(start.date(), (end - datetime.timedelta(days=1)).date(), datetime.UTC)
timed = effectiveness.done_by(admin, list(People.objects.values_list("pk", flat=True)), span)
calls = Activity.objects.filter(kind="call")
print(json.dumps({
    "kb_generated": kb_generated,
    "kb_added": kb_added,
    "ticket_floor": ticket_floor,
    "counts": [Contact.objects.count(), Company.objects.count(), Activity.objects.count(),
               Ticket.objects.count()],
    "name_shown": contact.given_name in page,
    "entry_shown": "Talked about order 1;" in timeline,
    "company_page": client.get(f"/companies/{contact.company_id}/").status_code,
    "forecast_page": client.get("/dashboards/forecast/").status_code,
    "people_page": client.get(dashboards.people_url(None, False)).status_code,
    "timers": {
        "record": TimeEntry.objects.filter(kind="record", object_id__lte=40).count(),
        "call": TimeEntry.objects.filter(kind="call").count(),
        "calls": calls.count(),
        # a call's timer is its call, of the same length
        "call_matches": TimeEntry.objects.filter(
            kind="call", activity__in=calls, seconds=120, activity__duration_seconds=120
        ).count(),
        "stopped": TimeEntry.objects.filter(stopped_at__isnull=False).count(),
        "ticket_seconds": sum(done.ticket_seconds for done in timed.values()),
    },
    "people_floor": people_floor,
    "marketing_floor": marketing_floor,
    "stage_history_whole": stage_history_whole(),
    "tasks": {
        "all": Task.objects.count(),
        "done": Task.objects.filter(done_at__isnull=False).count(),
        "late": Task.objects.filter(done_at__gt=F("due_at")).count(),
        "in_people_span": Task.objects.filter(
            done_at__gte=start, done_at__lt=end
        ).count(),
        "done_in_future": Task.objects.filter(done_at__gt=django.utils.timezone.now()).count(),
    },
    "people_tasks_done": sum(done.tasks_done for done in timed.values()),
    "backtest": [line.split(":")[0]
                 for line in report.backtest_lines(dashboards.backtest(context()))],
}))
"""


def test_a_small_bench_database_is_generated_whole(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=clientela_env(tmp_path, DJANGO_SETTINGS_MODULE="bench.settings", PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["counts"] == [300, 30, 1200, 40]
    # The knowledge base: its articles on several shelves, their page, and its search
    # finding the articles about ovens and no others; the same when added afterwards.
    assert result["kb_generated"] == result["kb_added"]
    kb = result["kb_generated"]
    assert kb["articles"] == 60 and kb["shelves"] >= 8
    assert kb["article_page"]
    assert 0 < kb["ovens"] < 60
    assert kb["oven_found"] and not kb["other_found"]
    # The ticket page's floor: the ticket, its timeline, and articles its words point to.
    assert len(result["ticket_floor"]) == 3
    assert result["ticket_floor"][0] == 1 and result["ticket_floor"][2] > 0
    # The records are whole: their pages open and their timelines show the entries.
    assert result["name_shown"] and result["entry_shown"]
    assert result["company_page"] == 200
    # The forecast page opens on it, and its back-test is reported beside the timings.
    assert result["forecast_page"] == 200
    # So does the people page, and each of its SQL floor's six statements runs; its 30 days
    # have calls and timed tickets in them, so its time figure is measured with data.
    assert result["people_page"] == 200
    assert len(result["people_floor"]) == 6
    assert result["people_floor"][0] and result["people_floor"][-1]
    # The dashboards' windows hold data: the data ends today. Each contact's stage history
    # leads to its current stage, with moves in the last year into and out of stages.
    assert result["stage_history_whole"]
    assert all(moved > 0 for moved in result["marketing_floor"])
    # One activity in three left a follow-up task: most done, some late, some still open,
    # none done after today; the people page's 30 days count tasks done.
    tasks = result["tasks"]
    assert tasks["all"] == 1200 // 3
    assert tasks["all"] * 0.5 < tasks["done"] < tasks["all"]
    assert 0 < tasks["late"] < tasks["done"]
    assert tasks["done_in_future"] == 0
    assert result["people_floor"][1] and tasks["in_people_span"] > 0
    assert result["people_tasks_done"] == tasks["in_people_span"]
    # Timers in proportion to the activities: one in two has one on a ticket (of the 40),
    # and about one call in two was timed; every timer is stopped.
    timers = result["timers"]
    assert timers["record"] == 1200 // 2
    assert timers["calls"] * 0.3 < timers["call"] < timers["calls"] * 0.7
    assert timers["call_matches"] == timers["call"]
    assert timers["stopped"] == timers["record"] + timers["call"]
    assert timers["ticket_seconds"] > 0
    assert result["backtest"] == [
        "forecast back-test, revenue",
        "forecast back-test, new customers",
    ]
