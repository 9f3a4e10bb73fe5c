"""Order stages from Settings, in the browser: an administrator adds a stage of her own
and says where an order goes from it, puts it after a built-in one, renames a built-in
one (its key stays), switches hers off, and is told a built-in stage can't be deleted nor
lead back where stock would not follow; the list and its form fit at 1440 and 390 px."""

from __future__ import annotations

from playwright.sync_api import expect

from clientela.orders import services
from clientela.orders.models import OrderStage
from tests.e2e.conftest import log_in
from tests.e2e.test_project_walk import fits


def test_an_administrator_keeps_the_order_stages(page, live_server, make_user, screenshot):
    services.ensure_builtin_stages()
    admin = make_user(full_name="Ana Admin", administrator=True)
    log_in(page, live_server, admin)

    page.goto(live_server.url + "/settings/")
    page.get_by_role("link", name="Order stages").click()
    expect(page.get_by_role("heading", name="Order stages")).to_be_visible()
    expect(page.get_by_role("link", name="Paid", exact=True)).to_be_visible()
    problems = fits(page, "order stages")
    screenshot(page, "settings-order-stages")

    page.get_by_role("link", name="New order stage").click()
    page.get_by_label("Name").fill("Ambalată")
    page.get_by_label("Key", exact=True).fill("packed")
    page.get_by_label("Position").fill("25")
    page.get_by_label("In use").check()
    moves_on = page.get_by_role("group", name="May move on to")
    moves_on.get_by_label("Shipped").check()
    moves_on.get_by_label("Cancelled").check()
    problems += fits(page, "new order stage form")
    screenshot(page, "settings-order-stage-new")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Ambalată” saved.")).to_be_visible()
    packed = OrderStage.objects.get(key="packed")
    assert packed.active and not packed.builtin
    assert set(packed.next_stages.values_list("key", flat=True)) == {"shipped", "cancelled"}
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Ambalată"))
    expect(row).to_contain_text("Shipped, Cancelled")

    # Paid leads to the new stage; Cancelled can't lead back to Placed.
    page.get_by_role("link", name="Paid", exact=True).click()
    page.get_by_role("group", name="May move on to").get_by_label("Ambalată").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Paid” saved.")).to_be_visible()
    assert OrderStage.objects.get(key="paid").next_stages.filter(key="packed").exists()
    page.get_by_role("link", name="Cancelled", exact=True).click()
    page.get_by_role("group", name="May move on to").get_by_label("Placed").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Cancelled” can't lead to “Placed”")).to_be_visible()
    problems += fits(page, "order stage form refused")
    assert not OrderStage.objects.get(key="cancelled").next_stages.exists()
    page.get_by_role("link", name="Order stages").first.click()

    page.get_by_role("link", name="Paid", exact=True).click()
    expect(page.get_by_label("Key", exact=True)).to_be_disabled()
    expect(page.get_by_label("In use")).to_be_disabled()
    expect(page.get_by_text("Built in: the application relies on it.").first).to_be_visible()
    problems += fits(page, "order stage form")
    screenshot(page, "settings-order-stage-built-in")
    page.get_by_label("Name").fill("Achitată")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Achitată", exact=True)).to_be_visible()
    paid = OrderStage.objects.get(pk=OrderStage.objects.get(name="Achitată").pk)
    assert (paid.key, paid.active) == ("paid", True)

    page.get_by_role("link", name="Ambalată", exact=True).click()
    page.get_by_label("In use").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Ambalată” saved.")).to_be_visible()
    assert not OrderStage.objects.get(key="packed").active

    page.get_by_role("link", name="Delivered", exact=True).click()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("“Delivered” is built in: orders rely on it")).to_be_visible()
    assert OrderStage.objects.filter(key="delivered").exists()
    assert not problems, "\n".join(problems)
