"""The marketing dashboard, counted by hand: new contacts by source and month, moves
between lifecycle stages, consent, for a marketer (who sees every contact) and for a
representative (who sees his team's); every value links to exactly the contacts it counts.

Mara (marketing) sees all five contacts; Radu (sales, team Nord) sees his three. Times are
last month's 15th (LM), 20th, or now (TM); Vechi Client was added 14 months ago."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone

from clientela.customers import services as customers
from clientela.customers.models import Contact, LifecycleChange, LifecycleStage
from clientela.users.services import create_user, role_named
from tests.analytics.conftest import PASSWORD, last_month, two_reps

pytestmark = pytest.mark.django_db

PAGE = "/dashboards/marketing/"
NAMES = ["Irina Web", "Mihai Eveniment", "Elena Web", "Dan Campanie", "Vechi Client"]


@pytest.fixture
def people():
    mara = create_user(
        email="mara@firma.ro",
        full_name="Mara Ionescu",
        password=PASSWORD,
        role=role_named("marketing"),
    )
    radu, bogdan = two_reps()
    now = timezone.now()
    lm = last_month(15)
    stages = {s.key: s for s in customers.ensure_stages()}

    def contact(owner, name, source, consent, created):
        made = customers.create_contact(
            actor=owner,
            data={"full_name": name, "source": source, "marketing_consent": consent},
        )
        Contact.objects.filter(pk=made.pk).update(created_at=created)
        LifecycleChange.objects.filter(contact=made).update(changed_at=created)
        return Contact.objects.get(pk=made.pk)

    def move(owner, who, stage, when):
        customers.change_stage(actor=owner, contacts=[who], stage=stages[stage])
        LifecycleChange.objects.filter(contact=who, to_stage=stages[stage]).update(changed_at=when)
        who.refresh_from_db()

    irina = contact(radu, "Irina Web", "web", True, lm)
    move(radu, irina, "prospect", last_month(20))
    contact(radu, "Mihai Eveniment", "event", False, lm)
    contact(radu, "Elena Web", "web", True, now)
    dan = contact(bogdan, "Dan Campanie", "campaign", True, lm)
    move(bogdan, dan, "prospect", now)
    move(bogdan, dan, "customer", now)
    contact(bogdan, "Vechi Client", "referral", False, now - datetime.timedelta(days=430))
    return {"mara": mara, "radu": radu, "bogdan": bogdan}


def tables(body: str) -> dict[str, list[list[str]]]:
    """Each chart's data table as text, by its title: the header, then each row."""
    found = {}
    for section in re.findall(r'<section class="card chart[ "].*?</section>', body, re.S):
        title = unescape(re.search(r'class="card__title">(.*?)</h2>', section).group(1))
        rows = []
        for row in re.findall(r"<tr>(.*?)</tr>", section, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
        found[title] = rows
    return found


def month_row(table: list[list[str]], when: datetime.datetime) -> list[str]:
    from django.utils import formats

    label = formats.date_format(when.date(), "YEAR_MONTH_FORMAT")
    return next(row for row in table if row[0] == label)


def links(body: str) -> dict[str, str]:
    """Each contacts-list link of the page by its (unescaped) URL."""
    return [unescape(href) for href in re.findall(r'href="(/contacts/\?[^"]+)"', body)]


def listed(client, url: str) -> list[str]:
    body = client.get(url).content.decode()
    return sorted(name for name in NAMES if name in body)


def test_the_marketer_sees_every_contact_counted_by_hand(client, people):
    client.force_login(people["mara"])
    response = client.get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    charts = tables(body)

    sources = charts["New contacts by source"]
    assert sources[0] == ["Month", "Web", "Campaign", "Event"]
    assert month_row(sources, last_month(15))[1:] == ["1", "1", "1"]
    assert month_row(sources, timezone.now())[1:] == ["1", "0", "0"]
    assert len(sources) == 13  # twelve months and the header
    assert "4 contacts added in the period" in body

    assert charts["Lifecycle stage movement"] == [
        ["Lifecycle stage", "Moved in", "Moved out", "In the stage now"],
        ["Lead", "4", "2", "3"],
        ["Prospect", "2", "1", "1"],
        ["Customer", "1", "0", "1"],
        ["Former customer", "0", "0", "0"],
    ]
    assert charts["Marketing consent"] == [
        ["Consent", "Contacts"],
        ["Agree to marketing", "3"],
        ["Do not agree", "2"],
    ]
    assert "3 of 5 contacts agree to marketing (60%)." in body


def test_a_representative_counts_only_his_teams_contacts(client, people):
    client.force_login(people["radu"])
    body = client.get(PAGE).content.decode()
    charts = tables(body)
    sources = charts["New contacts by source"]
    assert sources[0] == ["Month", "Web", "Event"]
    assert month_row(sources, last_month(15))[1:] == ["1", "1"]
    assert month_row(sources, timezone.now())[1:] == ["1", "0"]
    assert charts["Lifecycle stage movement"][1:3] == [
        ["Lead", "3", "1", "2"],
        ["Prospect", "1", "0", "1"],
    ]
    assert charts["Marketing consent"][1:] == [["Agree to marketing", "2"], ["Do not agree", "1"]]
    assert "2 of 3 contacts agree to marketing (67%)." in body


def test_every_value_links_to_exactly_the_contacts_it_counts(client, people):
    client.force_login(people["mara"])
    found = {url: listed(client, url) for url in links(client.get(PAGE).content.decode())}
    assert sorted(found.values()) == sorted(
        [
            ["Irina Web"],  # web, last month
            ["Mihai Eveniment"],  # event, last month
            ["Dan Campanie"],  # campaign, last month
            ["Elena Web"],  # web, this month
            ["Elena Web", "Mihai Eveniment", "Vechi Client"],  # in Lead now
            ["Irina Web"],  # in Prospect now
            ["Dan Campanie"],  # a customer now
            ["Dan Campanie", "Elena Web", "Irina Web"],  # agree to marketing
            ["Mihai Eveniment", "Vechi Client"],  # do not agree
        ]
    )
    # The same links for Radu list only what he may see.
    client.force_login(people["radu"])
    agree = next(url for url in found if "marketing_consent" in url and "true" in url)
    assert listed(client, agree) == ["Elena Web", "Irina Web"]


def test_the_dashboard_is_a_tab_for_roles_that_see_contacts(client, people):
    client.force_login(people["mara"])
    assert f'href="{PAGE}"' in client.get("/dashboards/").content.decode()
    assert LifecycleStage.objects.count() == 4
