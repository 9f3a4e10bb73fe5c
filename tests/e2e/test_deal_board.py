"""The sales rep's pipeline: drag a deal across two stages, move it with the keyboard,
drop it on Won; the deal page then shows its stage history and time in each stage."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from clientela.customers import services as customer_services
from clientela.deals import services
from clientela.deals.models import Deal, StageChange
from clientela.users.services import create_user, role_named, team_named

PASSWORD = "Corect-cal-baterie-9"


@pytest.fixture
def seller(db):
    return create_user(
        email="maria@firma.ro",
        full_name="Maria Ionescu",
        password=PASSWORD,
        role=role_named("manager"),
        team=team_named("Vânzări"),
    )


@pytest.fixture
def deals(seller):
    pipeline = services.ensure_pipeline()
    stages = list(pipeline.stages.all())
    company = customer_services.create_company(actor=seller, data={"name": "Fabrica de Pâine"})
    contact = customer_services.create_contact(
        actor=seller, data={"full_name": "Ioana Dumitrescu", "company": company}
    )
    today = datetime.date.today()
    made = {}
    for name, stage, amount, days in [
        ("Cuptoare noi", 0, "12500.00", 20),
        ("Service anual", 0, "3200.00", 45),
        ("Linie de ambalare", 1, "48000.00", 60),
        ("Extindere depozit", 2, "150000.00", 90),
        ("Abonament software", 3, "9900.00", 10),
    ]:
        made[name] = services.create_deal(
            actor=seller,
            data={
                "name": name,
                "stage": stages[stage],
                "company": company,
                "contacts": [contact],
                "amount": amount,
                "expected_close": today + datetime.timedelta(days=days),
            },
        )
    return pipeline, stages, made


def column(page, stage):
    return page.locator("[data-drop]").filter(has=page.get_by_role("heading", name=stage.name))


@pytest.mark.django_db(transaction=True)
def test_drag_across_two_stages_then_win(page, live_server, seller, deals, screenshot):
    pipeline, stages, made = deals
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail").fill(seller.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/deals/")
    expect(page.get_by_role("heading", name="Deals", level=1)).to_be_visible()
    expect(column(page, stages[0])).to_contain_text("12,500.00 RON")
    screenshot(page, "deals-board")

    card = page.locator(".kanban-card", has_text="Cuptoare noi")
    # Drag from the first stage to the second, then on to the third.
    card.drag_to(column(page, stages[1]))
    expect(column(page, stages[1]).locator(".kanban-card", has_text="Cuptoare noi")).to_be_visible()
    expect(page.locator(".toasts")).to_contain_text("Cuptoare noi moved to")
    card = page.locator(".kanban-card", has_text="Cuptoare noi")
    card.drag_to(column(page, stages[2]))
    expect(column(page, stages[2]).locator(".kanban-card", has_text="Cuptoare noi")).to_be_visible()
    # The column totals follow the card.
    expect(column(page, stages[2])).to_contain_text("162,500.00 RON")

    # With the keyboard: focus the card, Shift + → moves it one stage on.
    card = page.locator(".kanban-card", has_text="Cuptoare noi")
    card.focus()
    page.keyboard.press("Shift+ArrowRight")
    expect(column(page, stages[3]).locator(".kanban-card", has_text="Cuptoare noi")).to_be_visible()

    # Dropped on Won: closed as won, gone from the board.
    page.locator(".kanban-card", has_text="Cuptoare noi").drag_to(
        page.locator(".kanban__close--won")
    )
    expect(page.locator(".kanban-card", has_text="Cuptoare noi")).to_have_count(0)
    deal = Deal.objects.get(pk=made["Cuptoare noi"].pk)
    assert deal.status == "won"
    assert [c.to_stage.name for c in StageChange.objects.filter(deal=deal)] == [
        stages[0].name,
        stages[1].name,
        stages[2].name,
        stages[3].name,
        stages[3].name,
    ]

    page.goto(live_server.url + deal.get_absolute_url())
    history = page.locator("[data-stage-history]")
    expect(history).to_contain_text(f"{stages[0].name} → {stages[1].name}")
    expect(history).to_contain_text(f"{stages[1].name} → {stages[2].name}")
    expect(history).to_contain_text("Won")
    times = page.locator("[data-stage-times]")
    for stage in stages:
        expect(times).to_contain_text(stage.name)
    expect(times).to_contain_text("less than a day")
    screenshot(page, "deal-page")

    # A lost deal needs its reason, given in the same step.
    other = made["Service anual"]
    page.goto(live_server.url + other.get_absolute_url())
    page.get_by_label("Lost because").fill("Went with a competitor")
    page.get_by_role("button", name="Mark lost").click()
    expect(page.get_by_role("heading", name="Lost", exact=False).first).to_be_visible()
    other.refresh_from_db()
    assert (other.status, other.lost_reason) == ("lost", "Went with a competitor")

    page.goto(live_server.url + "/deals/list/")
    expect(page.get_by_role("link", name="Cuptoare noi")).to_be_visible()
    screenshot(page, "deals-list")
    page.goto(live_server.url + f"/deals/funnel/?pipeline={pipeline.pk}")
    expect(page.locator("[data-funnel]")).to_contain_text(stages[0].name)
    expect(page.locator("[data-forecast]")).to_be_visible()
    screenshot(page, "deals-funnel")
