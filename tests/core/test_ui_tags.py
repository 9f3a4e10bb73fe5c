"""The list and timeline template helpers: what they print is what Django would."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.humanize.templatetags import humanize
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone, translation

from clientela.core.templatetags.ui import relative, when

AGES = [
    timedelta(0),
    timedelta(seconds=1),
    timedelta(seconds=59),
    timedelta(minutes=1),
    timedelta(minutes=42, seconds=3),
    timedelta(hours=1),
    timedelta(hours=23, minutes=59),
    timedelta(days=1),
    timedelta(days=1, hours=5),
    timedelta(days=9, hours=2),
    timedelta(days=45),
    timedelta(days=400),
    timedelta(days=3000, hours=7),
]


@pytest.fixture
def now(monkeypatch):
    """One "now" for Django's naturaltime and ours, which reads it the same way."""
    frozen = timezone.now()

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return frozen

    monkeypatch.setattr(humanize, "datetime", Frozen)
    return frozen


@pytest.mark.parametrize("language", ["en", "ro", "es"])
def test_relative_times_read_as_djangos_in_each_language(language, now):
    moments = [now - age for age in AGES] + [now + age for age in AGES[1:]]
    with translation.override(language):
        for moment in moments:
            assert relative(moment) == str(naturaltime(moment)), moment
            # Asked again (the phrases are kept), the same words.
            assert relative(moment) == str(naturaltime(moment)), moment


def test_relative_time_follows_the_language_of_each_request(now):
    moment = now - timedelta(days=9, hours=2)
    with translation.override("en"):
        english = relative(moment)
    with translation.override("ro"):
        romanian = relative(moment)
    assert english == "1\xa0week, 2\xa0days ago"
    assert romanian != english and "2\xa0zile" in romanian


def test_when_carries_the_instant_for_the_browser(now):
    moment = now - timedelta(hours=3)
    html = when(moment)
    assert html == f'<time datetime="{moment.isoformat(timespec="seconds")}">3\xa0hours ago</time>'
    assert when(None) == "—"


@pytest.mark.parametrize("seconds", [0, 7, 60, 125])
def test_a_running_duration_reads_as_a_stopped_one_and_carries_the_servers_count(seconds):
    """What the page first shows is the server's count; the patterns app.js ticks on with
    are the page language's (a Hindi page keeps counting in Hindi)."""
    from django.template import Context, Template

    from clientela.core.templatetags.ui import duration, ticking_duration

    with translation.override("hi"):
        html = str(ticking_duration(seconds))
        shown = duration(seconds)
        patterns = (
            translation.gettext("%(s)d s"),
            translation.gettext("%(m)d min"),
            translation.gettext("%(m)d min %(s)d s"),
        )
        inside = Template(
            "{% load i18n ui %}{% blocktranslate with time=n|ticking_duration %}"
            "running, {{ time }}{% endblocktranslate %}"
        ).render(Context({"n": seconds}))
    assert f">{shown}</time>" in html
    assert f'data-seconds="{seconds}"' in html and f'datetime="PT{seconds}S"' in html
    assert 'data-pattern-s="{}" data-pattern-m="{}" data-pattern-ms="{}"'.format(*patterns) in html
    assert patterns == ("%(s)d सेकंड", "%(m)d मिनट", "%(m)d मिनट %(s)d सेकंड")
    # In a translated sentence the element is markup, not escaped text.
    assert "<time data-ticking" in inside and "&lt;time" not in inside


def test_a_running_duration_below_zero_starts_at_zero():
    from clientela.core.templatetags.ui import ticking_duration

    assert 'data-seconds="0"' in str(ticking_duration(-3))
    assert ticking_duration(None) == ""


@pytest.mark.django_db
def test_related_links_in_one_list_open_only_the_records_the_reader_may_open(rf):
    from django.template import Context, Template

    from clientela.customers import services as customers
    from clientela.users.services import create_user, role_named, team_named

    sales, support = team_named("Sales"), team_named("Support")
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"), team=sales)
    mate = create_user(email="mate@firma.ro", role=role_named("sales-representative"), team=sales)
    other = create_user(
        email="other@firma.ro", role=role_named("sales-representative"), team=support
    )
    ours = customers.create_company(actor=mate, data={"name": "Lactate Sud SRL"})
    theirs = customers.create_company(actor=other, data={"name": "Mobila Nord SRL"})
    request = rf.get("/")
    request.user = rep
    rows = Template("{% load ui %}{% for c in rows %}{% related_link c %}|{% endfor %}")
    shown = rows.render(Context({"request": request, "rows": [ours, theirs, ours]}))
    link = f'<a href="{ours.get_absolute_url()}">Lactate Sud SRL</a>'
    assert shown == f"{link}|Mobila Nord SRL|{link}|"
