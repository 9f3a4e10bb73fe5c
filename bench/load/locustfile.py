"""The load test's people (scripts/loadtest): sales reps browsing and searching through the
pages, reps logging calls through the API, editors changing the same few contacts at once
(so that some edits meet a newer version and must be refused with 409, never lost), and an
administrator importing CSV files through the import pages while the others work.

Run by scripts/loadtest against two `clientela run` processes in server mode; each user
talks to one of them (LOAD_HOSTS, comma-separated), as a load balancer would spread them.
LOAD_ACCOUNTS names a JSON file written by the script: the accounts' e-mails, the password
and an API token per account. Not part of the tests; never run against a real installation.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time

from locust import HttpUser, between, task

with open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8") as accounts:
    ACCOUNTS = json.load(accounts)
HOSTS = os.environ["LOAD_HOSTS"].split(",")
TERMS = ["ana", "popescu", "maria", "ion", "elena", "radu", "0722", "gmail", "ionescu", "stan"]
CONTACT_LINK = re.compile(r'href="/contacts/(\d+)/"')
COMPANY_LINK = re.compile(r'href="/companies/(\d+)/"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
IMPORT_RUN = re.compile(r"/imports/(\d+)/")
_host = itertools.cycle(HOSTS)
_rep = itertools.cycle(ACCOUNTS["reps"])
# Editors share a handful of contacts so that their edits collide.
SHARED = 8


def _csrf(response) -> str:
    found = CSRF_FIELD.search(response.text)
    return found.group(1) if found else ""


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 4)

    def __init__(self, environment):
        self.host = next(_host)
        super().__init__(environment)


class Browser(Person):
    """A rep at the pages: lists, search, a contact's and a company's page, My day."""

    weight = 6

    def on_start(self) -> None:
        self.account = next(_rep)
        self.contacts: list[str] = []
        self.companies: list[str] = []
        login = self.client.get("/login/", name="login form")
        self.client.post(
            "/login/",
            data={
                "username": self.account,
                "password": ACCOUNTS["password"],
                "csrfmiddlewaretoken": _csrf(login),
            },
            name="log in",
        )
        self.contacts_list()

    @task(4)
    def contacts_list(self) -> None:
        page = self.client.get("/contacts/", name="contacts list")
        self.contacts = CONTACT_LINK.findall(page.text) or self.contacts

    @task(3)
    def search(self) -> None:
        page = self.client.get(f"/contacts/?q={random.choice(TERMS)}", name="contacts search")
        self.contacts = CONTACT_LINK.findall(page.text) or self.contacts

    @task(4)
    def contact_page(self) -> None:
        if self.contacts:
            page = self.client.get(
                f"/contacts/{random.choice(self.contacts)}/", name="contact page"
            )
            self.companies = COMPANY_LINK.findall(page.text) or self.companies

    @task(2)
    def company_page(self) -> None:
        if self.companies:
            path = f"/companies/{random.choice(self.companies)}/"
            with self.client.get(path, name="company page", catch_response=True) as page:
                if page.status_code != 200:
                    page.failure(f"{page.status_code} for {path} as {self.account}")

    @task(1)
    def companies_list(self) -> None:
        page = self.client.get("/companies/", name="companies list")
        self.companies = COMPANY_LINK.findall(page.text) or self.companies

    @task(1)
    def deals(self) -> None:
        self.client.get("/deals/", name="deals")

    @task(1)
    def my_day(self) -> None:
        self.client.get("/my-day/", name="my day")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="home")


class Caller(Person):
    """A rep on the phone, logging each call through the API against a contact they see."""

    weight = 3

    def on_start(self) -> None:
        account = next(_rep)
        self.client.headers["Authorization"] = f"Bearer {ACCOUNTS['tokens'][account]}"
        listed = self.client.get("/api/v1/contacts/?limit=50", name="api contacts list")
        self.contacts = [row["id"] for row in listed.json()["items"]] if listed.ok else []

    @task(3)
    def log_call(self) -> None:
        if not self.contacts:
            return
        self.client.post(
            "/api/v1/activities/",
            json={
                "record": f"contact:{random.choice(self.contacts)}",
                "kind": "call",
                "direction": random.choice(["inbound", "outbound"]),
                "duration_seconds": random.randint(20, 900),
                "subject": "Load test call",
                "body": "Talked about the next order.",
            },
            name="api log a call",
        )

    @task(1)
    def read_contact(self) -> None:
        if self.contacts:
            self.client.get(f"/api/v1/contacts/{random.choice(self.contacts)}", name="api contact")


class Editor(Person):
    """Edits one of a few shared contacts with the version it read; a 409 is the right
    answer when someone else saved in between, and is counted apart, not as a failure."""

    weight = 2

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {ACCOUNTS['tokens'][ACCOUNTS['admin']]}"
        listed = self.client.get(f"/api/v1/contacts/?limit={SHARED}", name="api contacts list")
        self.contacts = [row["id"] for row in listed.json()["items"]] if listed.ok else []

    @task
    def edit(self) -> None:
        if not self.contacts:
            return
        pk = random.choice(self.contacts)
        read = self.client.get(f"/api/v1/contacts/{pk}", name="api contact")
        if not read.ok:
            return
        time.sleep(random.uniform(0, 0.5))  # a person typing: others may save meanwhile
        with self.client.patch(
            f"/api/v1/contacts/{pk}",
            json={"position": f"Buyer {random.randint(1, 10_000)}"},
            headers={"If-Match": read.headers.get("ETag", "")},
            name="api edit (409 when stale)",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                self.environment.events.request.fire(
                    request_type="CONFLICT",
                    name="edit refused as stale (409)",
                    response_time=response.elapsed.total_seconds() * 1000,
                    response_length=0,
                    exception=None,
                    context={},
                )
                response.success()


class Importer(Person):
    """An administrator importing a CSV of new people through the pages, start to finish."""

    weight = 1
    wait_time = between(20, 40)
    sequence = itertools.count(1)

    def on_start(self) -> None:
        login = self.client.get("/login/", name="login form")
        self.client.post(
            "/login/",
            data={
                "username": ACCOUNTS["admin"],
                "password": ACCOUNTS["password"],
                "csrfmiddlewaretoken": _csrf(login),
            },
            name="log in",
        )

    @task
    def import_file(self) -> None:
        batch = next(self.sequence)
        rows = ["Given name,Family name,E-mail,City"] + [
            f"Load{batch},Person{n},load{batch}.{n}.{random.randint(0, 10**9)}@example.org,Cluj"
            for n in range(200)
        ]
        start = self.client.get("/imports/", name="import page")
        sent = self.client.post(
            "/imports/",
            data={"record_type": "contact", "csrfmiddlewaretoken": _csrf(start)},
            files={"file": (f"load-{batch}.csv", "\n".join(rows).encode(), "text/csv")},
            name="import upload",
        )
        found = IMPORT_RUN.search(sent.url or "")
        if not found:
            return
        run = f"/imports/{found.group(1)}/"
        page = self.client.get(run, name="import run page")
        for _ in range(30):  # the upload is inspected by a worker first
            if 'name="col_0"' in page.text:
                break
            time.sleep(1)
            page = self.client.get(run, name="import run page")
        self.client.post(
            run,
            data={
                "action": "start",
                "csrfmiddlewaretoken": _csrf(page),
                "col_0": "given_name",
                "col_1": "family_name",
                "col_2": "email",
                "col_3": "city",
                "duplicate_mode": "skip",
            },
            name="import start",
        )
        for _ in range(60):
            progress = self.client.get(f"{run}progress/", name="import progress")
            if progress.ok and "hx-trigger" not in progress.text:  # finished: no more polling
                break
            time.sleep(2)
