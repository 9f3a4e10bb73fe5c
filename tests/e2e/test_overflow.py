"""Every page at 1440 and 390 px wide: nothing sticks out of the window, no table is cut,
and no id names two elements (a label tied to the wrong field reads as missing).

The pages are the access matrix's (tests/test_access_matrix.py): every URL name has a
probe there with real ids, so a new page is visited here as soon as it exists. A GET
answer that is not a page of its own (JSON, a file, an htmx fragment, a POST-only URL's
405) is passed by what it is; any other answer than a page fails and asks for a reason
in NOT_PAGES. The records hold what a working business has: long names and e-mails,
amounts, a contact with several e-mails, phones and addresses, an order with many lines.

A failure names the page, the width and the element that sticks out furthest, and leaves
a screenshot under test-artifacts/screenshots/overflow/."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from clientela.activities import services as activity_services
from clientela.analytics.models import Report
from clientela.customers import services as customer_services
from clientela.dataio.models import ImportRun
from clientela.deals import services as deal_services
from clientela.orders import services as order_services
from clientela.orders.models import Price, PriceList, Product
from clientela.users.services import create_user, team_named
from tests import test_access_matrix as matrix
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, log_in

world = matrix.world  # the access matrix's records, so every URL gets its real ids

PASSWORD = "Corect-cal-baterie-9"
SHOTS = ARTIFACTS / "overflow"

# URL names whose GET answer is not a page an administrator opens, and why.
NOT_PAGES = {
    "admin": "Django's own admin, for technical staff",
    "api:api-root": "django-ninja's root, which answers 404 (the API's page is /api/docs)",
    "activities:calendar-feed": "an iCalendar feed for calendar apps, at a secret address",
    "inbox:webhook": "the messengers' webhook, which the providers call (403 without a secret)",
    "dataio:download": "a backup file download (the probe names no real backup)",
    "exports:full_download": "an export file download (the probe names no real export)",
    "tickets:survey": "the probe's link is refused on purpose (400); test_survey_walk.py "
    "measures the survey's pages at both widths",
}

LONG_TEAM = "Vânzări corporative Transilvania, Banat și Crișana"
LONG_COMPANY = "Secretariatul General al Întreprinderii de Distribuție Nord-Vest SA"
LONG_DOMAIN = "secretariatul-general-distributie-nord-vest.ro"

# What sticks out of the window, and what is cut by a box that hides its overflow. Run in
# the page; `limit` is the window's width without its scroll bar.
MEASURE = """() => {
  const limit = document.documentElement.clientWidth;
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (el.classList.length) text += "." + Array.from(el.classList).join(".");
    const words = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return text + (words ? ` "${words}"` : "") + ` (${Math.round(el.getBoundingClientRect().width)} px wide)`;
  };
  const clipper = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return up;
    }
    return null;
  };
  // What a person sees: not folded away, not the closed drawer or the skip link.
  const shown = (el) => el.checkVisibility({ visibilityProperty: true }) && !el.closest("#sidebar, .skip-link");
  const found = { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, widest: null, left: null, cut: [], crowded: [] };
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width > 1 && box.left < -1 && shown(el) && !clipper(el)) { found.left = describe(el); break; }
  }
  if (found.scrollWidth > found.innerWidth) {
    let widest = null, right = 0;
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (!box.width || box.right <= limit + 1 || !shown(el) || clipper(el)) continue;
      if (box.right > right + 0.5 || (Math.abs(box.right - right) <= 0.5 && widest.contains(el))) {
        widest = el; right = box.right;
      }
    }
    found.widest = widest ? describe(widest) : "nothing visible (a margin or a shadow)";
  }
  for (const wrap of document.querySelectorAll(".table-wrap")) {
    const box = wrap.getBoundingClientRect();
    if (!box.width) continue;
    const up = clipper(wrap);
    if (up) {
      const frame = up.getBoundingClientRect();
      if (box.left < frame.left - 0.5 || box.right > frame.right + 0.5) {
        found.cut.push(describe(wrap.querySelector("th, td") || wrap) + " cut by " + describe(up));
      }
    }
    if (wrap.scrollWidth > wrap.clientWidth + 1) found.crowded.push(describe(wrap.querySelector("table") || wrap));
  }
  return found;
}"""


def rich_records(world) -> dict:
    """What a business that has used Clientela for a while holds, on top of the access
    matrix's records (whose ids the probes use)."""
    colleague = create_user(
        email=f"maria-magdalena.constantinescu-radulescu@{LONG_DOMAIN}",
        full_name="Maria-Magdalena Constantinescu-Rădulescu",
        team=team_named(LONG_TEAM),
    )
    admin = create_user(
        email="administrator@clientela.example",
        full_name="Ana Administrator",
        password=PASSWORD,
        administrator=True,
    )
    for n in range(1, 13):
        customer_services.create_contact(
            actor=colleague,
            data={
                "full_name": f"Alexandru-Constantin {n} Vasilescu-Dumitrescu de la Secretariat",
                "emails": [f"alexandru-constantin.vasilescu-dumitrescu.{n}@{LONG_DOMAIN}"],
                "phones": [f"+40 722 123 {n:03d}"],
                "company_name": LONG_COMPANY,
                "position": "Director general adjunct pentru dezvoltarea afacerilor",
                "tags": ["client-strategic-regiunea-nord-vest", "reînnoire 2027"],
            },
        )
    contact = world["contact"]
    customer_services.update_contact(
        actor=admin,
        contact=contact,
        data={
            "position": "Directoare financiară și responsabilă de achiziții publice",
            "emails": [
                {"address": f"secreta.ionescu.directoare.financiara@{LONG_DOMAIN}"},
                {"address": "secreta@firma-b.ro", "kind": "home"},
                {"address": "facturare.achizitii.publice@firma-b.ro", "kind": "other"},
            ],
            "phones": ["+40 722 123 456", "+40 264 555 012", "+34 612 345 678"],
            "addresses": [
                {
                    "address_kind": "billing",
                    "street": "Strada Avram Iancu nr. 123, bloc A4, scara 2, etaj 7, ap. 45",
                    "city": "Cluj-Napoca",
                    "region": "Cluj",
                    "postal_code": "400089",
                    "country": "RO",
                },
                {"address_kind": "shipping", "street": "Calea Turzii 200", "city": "Cluj"},
            ],
            "tags": ["client-strategic-regiunea-nord-vest", "VIP", "plată la 60 de zile"],
        },
        expected_version=None,
    )
    activity_services.log_activity(
        actor=admin,
        record=contact,
        kind="note",
        body="Discutat condițiile contractului-cadru de mentenanță pentru toate punctele "
        "de lucru din regiunea de nord-vest; " * 4,
    )
    for title in (
        "Trimite oferta revizuită pentru contractul-cadru de mentenanță preventivă",
        "Sună înapoi",
    ):
        activity_services.create_task(
            actor=admin,
            title=title,
            assignee=admin,
            record=contact,
            due_at=timezone.now() + datetime.timedelta(days=1),
            priority="high",
        )
    deal_services.create_deal(
        actor=admin,
        data={
            "name": "Contract-cadru de mentenanță preventivă pentru toate punctele de lucru",
            "company": contact.company,
            "contacts": [contact],
            "amount": "12345678.90",
        },
    )
    price_list = PriceList.objects.get(is_default=True)
    for n in range(1, 13):
        product = Product.objects.create(
            sku=f"ECHIP-INDUSTRIAL-{n:04d}",
            name=f"Scaun ergonomic de birou cu suport lombar reglabil, model {n}",
            allows_backorder=True,
        )
        Price.objects.create(price_list=price_list, product=product, unit_price=Decimal("12499.99"))
        order_services.add_line(actor=admin, order=world["order"], product=product, quantity=120)
    # Only its owner opens an import's page: the administrator ran this one.
    ImportRun.objects.filter(pk=world["import_run"].pk).update(created_by=admin)
    # And only its author, or those it is shared with, a report.
    Report.objects.filter(pk=world["report"].pk).update(owner=admin)
    return {"admin": admin}


def page_urls(world) -> list[tuple[str, str]]:
    """Each URL name with its probe's URL: those not listed as not pages."""
    probes = matrix.probes(world)
    stale = set(NOT_PAGES) - set(probes)
    assert not stale, f"NOT_PAGES names URLs that have no probe any more: {sorted(stale)}"
    missing = matrix.url_names() - set(probes)
    assert not missing, f"URLs with no probe in tests/test_access_matrix.py: {sorted(missing)}"
    return [(name, probe.url) for name, probe in probes.items() if name not in NOT_PAGES]


def is_page(response) -> bool | str:
    """True for a whole HTML page, False for what is not a page by its nature, and the
    reason to fail otherwise."""
    kind = response.headers.get("content-type", "")
    if response.status == 405:
        return False  # POST only
    if kind.startswith("application/json"):
        return False  # the API, found or not
    if not response.ok:
        return f"answers {response.status}"
    if not kind.startswith("text/html"):
        return False  # a CSV, a PDF, a file
    # An htmx fragment is checked inside the page that shows it.
    return "<html" in response.text()[:400].lower()


def check(page, label: str, desktop: bool) -> list[str]:
    found = page.evaluate(MEASURE)
    problems = []
    if found["scrollWidth"] > found["innerWidth"]:
        problems.append(
            f"{label}: the page is {found['scrollWidth']} px wide in a {found['innerWidth']} px "
            f"window; sticking out furthest: {found['widest']}"
        )
    if found["left"]:
        problems.append(f"{label}: cut off on the left of the window: {found['left']}")
    problems += [f"{label}: table cut: {cut}" for cut in found["cut"]]
    if desktop:
        problems += [
            f"{label}: at 1440 px the table must fit, it scrolls: {table}"
            for table in found["crowded"]
        ]
    if problems:
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = label.replace(" ", "-").replace(":", "-").replace("/", "-")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, animations="disabled")
    return problems


def open_panels(page) -> int:
    """Open every panel a page folds away (<details>: add a task, filters, column picker,
    credit note…), except those that load their content when opened (the bell)."""
    return page.evaluate(
        """() => {
          const panels = document.querySelectorAll("details:not([open]):not([hx-get])");
          panels.forEach((panel) => { panel.open = true; });
          return panels.length;
        }"""
    )


def check_quick_add(page, base: str, label: str) -> list[str]:
    """Quick add, empty and then showing who the typed e-mail may already be."""
    page.goto(base + "/")
    page.wait_for_load_state("load")
    page.get_by_title("Add a record").click()
    page.get_by_role("menuitem", name="Quick add a contact").click()
    dialog = page.get_by_role("dialog", name="Add a contact")
    expect(dialog.get_by_label("Name")).to_be_focused()
    problems = []
    for step in ("empty", "with a duplicate warning"):
        if step != "empty":
            dialog.get_by_label("E-mail").fill(
                f"secreta.ionescu.directoare.financiara@{LONG_DOMAIN}"
            )
            expect(dialog.locator(".suspects")).to_be_visible()
        box = dialog.bounding_box()
        inner = page.evaluate(
            "() => { const d = document.getElementById('quick-add-dialog');"
            " return [d.scrollWidth, d.clientWidth, window.innerWidth]; }"
        )
        if box["x"] < 0 or box["x"] + box["width"] > inner[2] or inner[0] > inner[1] + 1:
            problems.append(
                f"quick add {step} at {label}: the dialog spans {box['x']:.0f} to "
                f"{box['x'] + box['width']:.0f} px, its content {inner[0]} px in {inner[1]} px"
            )
    page.keyboard.press("Escape")
    return problems


# Ids given to more than one element of a page.
TWICE = """() => {
  const seen = new Set(), twice = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    if (seen.has(el.id)) twice.add(el.id);
    seen.add(el.id);
  }
  return Array.from(twice);
}"""


@pytest.mark.django_db(transaction=True)
def test_no_page_is_wider_than_the_window(browser, live_server, world):
    if connection.vendor != "sqlite":
        # The same records draw the same pages on either database; the PostgreSQL pass
        # opens every page as every role in the access matrix.
        pytest.skip("a page's width is drawn the same on either database: the SQLite pass")
    rich = rich_records(world)
    pages = page_urls(world)
    every = os.environ.get("CLIENTELA_OVERFLOW_SCREENSHOTS")  # "1": a screenshot of each page
    problems: list[str] = []
    visited: list[str] = []
    for size, label in ((DESKTOP, "1440"), (PHONE, "390")):
        context = browser.new_context(viewport=size)
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, live_server, rich["admin"], PASSWORD)
        for name, url in pages:
            if label == "1440":
                verdict = is_page(page.request.get(live_server.url + url))
                if verdict is False:
                    continue
                if verdict is not True:
                    problems.append(
                        f"{name}: GET {url} {verdict} for an administrator: give its probe a "
                        "URL that opens, or say in NOT_PAGES why it is not a page"
                    )
                    continue
                visited.append(name)
            elif name not in visited:
                continue
            page.goto(live_server.url + url)
            problems += check(page, f"{name} at {label}", desktop=label == "1440")
            if label == "1440":
                problems += [
                    f"{name}: id {twice!r} names two elements (a label, a link or a script "
                    "finds the wrong one)"
                    for twice in page.evaluate(TWICE)
                ]
            shot = SHOTS / f"all-{name.replace(':', '-')}-{label}"
            if every:
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{shot}.png", full_page=True, animations="disabled")
            if open_panels(page):
                problems += check(page, f"{name} with its panels open at {label}", desktop=False)
                if every:
                    page.screenshot(path=f"{shot}-open.png", full_page=True, animations="disabled")
        problems += check_quick_add(page, live_server.url, label)
        context.close()
    # The pages the issue found too wide are among those visited.
    urls = {url for name, url in pages if name in visited}
    for url in ("/contacts/", "/contacts/new/", world["contact"].get_absolute_url()):
        assert url in urls or any(u.startswith(url + "?") for u in urls), f"{url} not visited"
    assert f"/orders/{world['order'].pk}/" in urls
    assert not problems, "\n".join(problems)
