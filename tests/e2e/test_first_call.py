"""The first hour's errand, counted: a new user logs a call with a new customer at a new
company, from the home page, in at most five actions, the company picked from what the
company field suggests; a colleague of hers at the same company is then linked to it by
picking its name, and no second company is made."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.activities.models import Activity, ActivityKind
from clientela.customers.models import Company, Contact
from tests.e2e.conftest import log_in

MOST_ACTIONS = 5


class Actions:
    """What the user does besides typing: each click and each key pressed to move on."""

    def __init__(self, page):
        self.page, self.done = page, []

    def key(self, key: str, why: str) -> None:
        self.page.wait_for_load_state("load")  # the page's script hears shortcuts
        self.page.keyboard.press(key)
        self.done.append(f"press {key}: {why}")

    def click(self, locator, why: str) -> None:
        locator.click()
        self.done.append(f"click: {why}")


def open_quick_add(actions: Actions):
    actions.key("c", "open quick add")
    dialog = actions.page.get_by_role("dialog", name="Add a contact")
    # The form arrives through htmx and focuses its first field once it listens.
    expect(dialog.get_by_label("Name")).to_be_focused()
    return dialog


@pytest.mark.django_db(transaction=True)
def test_a_new_user_logs_a_call_at_a_new_company_in_five_actions(page, live_server, user):
    log_in(page, live_server, user)
    actions = Actions(page)

    dialog = open_quick_add(actions)
    dialog.get_by_label("Name").fill("Ioana Pomi")
    dialog.get_by_label("E-mail").fill("ioana@livadaverde.ro")
    dialog.get_by_label("Company").fill("Livada Verde")
    offered = dialog.get_by_role("option", name="New company “Livada Verde”")
    actions.click(offered, "pick the new company from the suggestions")
    expect(dialog.get_by_label("Company")).to_have_value("Livada Verde")
    actions.click(dialog.get_by_role("button", name="Add contact"), "add the contact")
    expect(page.get_by_role("heading", name="Ioana Pomi", level=1)).to_be_visible()

    actions.key("l", "log a call")
    page.get_by_placeholder("What happened? What was agreed?").fill("Wants 200 apple trees")
    actions.click(page.get_by_role("button", name="Save to timeline"), "save the call")
    expect(page.locator(".timeline")).to_contain_text("Wants 200 apple trees")

    assert len(actions.done) <= MOST_ACTIONS, "\n".join(actions.done)
    ioana = Contact.objects.select_related("company").get(full_name="Ioana Pomi")
    assert ioana.company.name == "Livada Verde" and ioana.owner == user
    call = Activity.objects.get(kind=ActivityKind.CALL)
    assert call.body == "Wants 200 apple trees"
    on = {(link.content_type.model, link.object_id) for link in call.links.all()}
    assert on == {("contact", ioana.pk), ("company", ioana.company_id)}

    # Her colleague: typing part of the name offers the company now there; picked, it is
    # the same company, not a second "Livada Verde".
    page.goto(live_server.url + "/")
    dialog = open_quick_add(actions)
    dialog.get_by_label("Name").fill("Radu Pomi")
    dialog.get_by_label("Phone").fill("0722 555 111")
    dialog.get_by_label("Company").fill("livada")
    offered = dialog.get_by_role("option", name="Livada Verde", exact=True)
    expect(dialog.get_by_role("option", name="New company “livada”")).to_be_visible()
    actions.click(offered, "pick the company")
    actions.click(dialog.get_by_role("button", name="Add contact"), "add the contact")
    expect(page.get_by_role("heading", name="Radu Pomi", level=1)).to_be_visible()
    assert Contact.objects.get(full_name="Radu Pomi").company == ioana.company
    assert Company.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_similar_company_is_offered_before_a_second_one_is_made(page, live_server, user):
    from clientela.customers import services

    existing = services.create_company(actor=user, data={"name": "Livada Verde SRL"})
    log_in(page, live_server, user)
    actions = Actions(page)
    dialog = open_quick_add(actions)
    dialog.get_by_label("Name").fill("Ioana Pomi")
    dialog.get_by_label("E-mail").fill("ioana@livadaverde.ro")
    company = dialog.get_by_label("Company")
    company.fill("Livada Verde")
    expect(dialog.get_by_role("option", name="Livada Verde SRL")).to_be_visible()
    # Typed on and sent as it is, the form stops and offers the company like it.
    company.press("Escape")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Add contact").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Looks like Livada Verde SRL")
    dialog.get_by_role("button", name="Use this one").click()
    expect(company).to_have_value("Livada Verde SRL")
    dialog.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="Ioana Pomi", level=1)).to_be_visible()
    assert Contact.objects.get().company == existing
    assert Company.objects.count() == 1
