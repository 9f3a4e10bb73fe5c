"""Deterministic bench data, written through bulk paths (COPY on PostgreSQL, executemany on
SQLite): users in two teams, companies, contacts with their e-mails, phones and search
entries, each contact's lifecycle stage history, activities on timelines with the
follow-up tasks some of them left (due, and mostly done, some late: FOLLOW_UPS), and the
time people timed on calls and tickets (as many timers as activities, in proportion:
TIMED_CALLS, TIMED_TICKETS). Every value is a pure function of (seed, row id) and the
day it is generated on (NOW), so a chunk can be built in any process and the same seed
always gives the same database, its dates ending on that day."""

from __future__ import annotations

import datetime
import importlib
import multiprocessing
import time
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from django.db.models import Model

from clientela.activities.models import (
    Activity,
    ActivityKind,
    Task,
    TimeEntry,
    TimelineLink,
    TimerKind,
)
from clientela.core import events
from clientela.core.models import SearchEntry
from clientela.core.phones import as_written as phone_as_written
from clientela.core.phones import normalize as normalize_phone
from clientela.core.search import entry_fields
from clientela.core.text import fold
from clientela.customers.models import (
    Company,
    Contact,
    EmailAddress,
    LifecycleChange,
    LifecycleStage,
    PhoneNumber,
    Source,
)
from clientela.customers.search_documents import (
    company_document_from,
    contact_document_from,
)
from clientela.projects.models import Project
from clientela.tickets.models import Article, Ticket
from clientela.users import services as user_services
from clientela.users.models import User

CHUNK = 10_000
USERS = 20
TEAM_SIZE = 10  # reps 1-10 are team A, the limited user's team; 11-20 team B
PASSWORD = "Bench-password-not-secret-1"  # noqa: S105 - throw-away bench databases only
BENCH_COMPANY_ID = 1  # the company whose page has TIMELINE_ENTRIES entries
BENCH_COMPANY_PEOPLE = 20  # contacts 1-20 work there; each has 50 of those entries
TIMELINE_ENTRIES = 1000
# The data ends today (midnight UTC): the dashboards' windows ("the last 30 days", "the
# last year") are the calendar's, and hold the data only if it is dated up to now.
NOW = datetime.datetime.combine(
    datetime.datetime.now(datetime.UTC).date(), datetime.time.min, tzinfo=datetime.UTC
)
YEARS = 3 * 365 * 86400

GIVEN = [
    "Ana",
    "Andrei",
    "Maria",
    "Ion",
    "Elena",
    "Mihai",
    "Ioana",
    "Alexandru",
    "Cristina",
    "Stefan",
    "Ștefan",
    "Gabriela",
    "Radu",
    "Andreea",
    "Vlad",
    "Bianca",
    "Florin",
    "Raluca",
    "Tudor",
    "Irina",
    "Dan",
    "Oana",
    "Sorin",
    "Carmen",
    "Bogdan",
    "Adriana",
    "José",
    "María",
    "Carmen",
    "Javier",
    "Lucía",
    "Pablo",
    "Sofía",
    "Diego",
    "Elena",
    "Carlos",
    "Marta",
    "Jorge",
    "Paula",
    "Miguel",
    "Laura",
    "Alejandro",
    "Isabel",
    "Fernando",
    "Pilar",
    "Raúl",
    "Aarav",
    "Priya",
    "Rahul",
    "Ananya",
    "Vikram",
    "Kavya",
    "Arjun",
    "Diya",
    "Rohan",
    "Isha",
    "Sanjay",
    "Neha",
    "Amit",
    "Pooja",
    "Vivek",
    "Sneha",
    "Karan",
    "Meera",
    "Nikhil",
    "Riya",
    "John",
    "Emma",
    "Oliver",
    "Olivia",
    "James",
    "Amelia",
    "William",
    "Grace",
    "Thomas",
    "Chloe",
    "George",
    "Lily",
    "Henry",
    "Sophie",
    "Jack",
    "Ella",
    "Samuel",
    "Ruby",
    "Daniel",
    "Alice",
    "Matthew",
    "Zoe",
    "Lucas",
    "Hannah",
]
FAMILY = [
    "Popescu",
    "Ionescu",
    "Popa",
    "Pop",
    "Radu",
    "Dumitru",
    "Stan",
    "Stoica",
    "Gheorghe",
    "Matei",
    "Ciobanu",
    "Rusu",
    "Munteanu",
    "Mocanu",
    "Constantin",
    "Marin",
    "Dinu",
    "Lazăr",
    "Tudor",
    "Florea",
    "Ilie",
    "Ene",
    "Sandu",
    "Barbu",
    "Nistor",
    "Moldovan",
    "Simion",
    "Cristea",
    "Toma",
    "Neagu",
    "García",
    "Martínez",
    "López",
    "Sánchez",
    "González",
    "Rodríguez",
    "Fernández",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Serrano",
    "Blanco",
    "Sharma",
    "Verma",
    "Gupta",
    "Singh",
    "Kumar",
    "Patel",
    "Reddy",
    "Iyer",
    "Nair",
    "Mehta",
    "Joshi",
    "Agarwal",
    "Chopra",
    "Malhotra",
    "Bose",
    "Das",
    "Rao",
    "Kapoor",
    "Banerjee",
    "Mishra",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Robinson",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Lewis",
    "Clarke",
    "Jackson",
    "Turner",
    "Hill",
    "Moore",
    "Cooper",
]
WORDS = [
    "Nord",
    "Sud",
    "Carpați",
    "Dunărea",
    "Atlas",
    "Delta",
    "Orion",
    "Vega",
    "Sol",
    "Luna",
    "Terra",
    "Apex",
    "Nova",
    "Prima",
    "Vista",
    "Alfa",
    "Omega",
    "Lumen",
    "Verde",
    "Azul",
    "Rojo",
    "Blanco",
    "Iberia",
    "Andes",
    "Ganga",
    "Himalaya",
    "Lotus",
    "Indus",
    "Surya",
    "Kiran",
    "Taj",
    "Nexus",
    "Pioneer",
    "Summit",
    "Harbor",
    "Bridge",
    "Oak",
    "Cedar",
    "Maple",
    "Granite",
    "Silver",
    "Golden",
    "Crystal",
    "Pixel",
    "Vector",
    "Quantum",
    "Fabrica",
    "Brutăria",
    "Tipografia",
    "Logistica",
    "Construct",
    "Agro",
    "Med",
    "Foods",
    "Tech",
    "Soft",
    "Data",
    "Trans",
    "Energy",
    "Textil",
    "Mobila",
    "Farma",
    "Auto",
    "Turism",
    "Consult",
]
SUFFIXES = ["SRL", "SA", "S.L.", "S.A.", "Pvt Ltd", "Ltd", "Group"]
DOMAINS = [
    "firma.ro",
    "empresa.es",
    "company.in",
    "example.co.uk",
    "mail.ro",
    "correo.es",
]
INDUSTRIES = [
    "Retail",
    "Manufacturing",
    "Software",
    "Logistics",
    "Food",
    "Health",
    "Energy",
]
POSITIONS = ["", "CEO", "Sales manager", "Buyer", "Engineer", "Accountant", "Director"]


def mix(seed: int, salt: int, n: int) -> int:
    """A well-spread 64-bit number from (seed, salt, n): splitmix64's finaliser."""
    z = (n * 0x9E3779B97F4A7C15 + seed * 0xBF58476D1CE4E5B9 + salt * 0x94D049BB133111EB) & (
        2**64 - 1
    )
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
    return z ^ (z >> 31)


@dataclass(frozen=True)
class Plan:
    contacts: int
    companies: int
    activities: int
    seed: int
    tickets: int = 0  # bench/tickets.py writes them, each for one of the contacts
    projects: int = 0  # bench/projects.py writes them, one for each of the first companies
    articles: int = 0  # knowledge base articles on its shelves (bench/tickets.py)

    def company_of(self, contact_id: int) -> int | None:
        """The company contact `contact_id` works at (four in five have one), or None."""
        if contact_id <= BENCH_COMPANY_PEOPLE:
            return BENCH_COMPANY_ID
        if self.companies < 2 or mix(self.seed, 1, contact_id) % 5 == 0:
            return None
        return 2 + mix(self.seed, 2, contact_id) % (self.companies - 1)

    def contact_of(self, activity_id: int) -> int:
        """The contact an activity is logged on: the first TIMELINE_ENTRIES go to the bench
        company's people, the rest to anyone else."""
        if activity_id <= TIMELINE_ENTRIES:
            return 1 + (activity_id - 1) % BENCH_COMPANY_PEOPLE
        others = self.contacts - BENCH_COMPANY_PEOPLE
        return BENCH_COMPANY_PEOPLE + 1 + mix(self.seed, 3, activity_id) % max(others, 1)

    def age(self, activity_id: int) -> int:
        """How many seconds before NOW the activity happened."""
        return mix(self.seed, 4, activity_id) % (2 * 365 * 86400)

    def occurred_at(self, activity_id: int) -> datetime.datetime:
        return NOW - datetime.timedelta(seconds=self.age(activity_id))

    def kind(self, activity_id: int) -> str:
        return KINDS[mix(self.seed, 40, activity_id) % len(KINDS)]


NONE = -1  # no activity


@dataclass(frozen=True)
class Latest:
    """Each record's newest activity, as seconds before NOW (NONE without one), worked out
    from the plan before the rows are built, so they are written with their dates (an
    UPDATE of every row afterwards took 85 s at 1M on PostgreSQL)."""

    contacts: array  # by contact id
    conversations: array  # by contact id: the newest activity that is not a note
    companies: array  # by company id

    @classmethod
    def of(cls, plan: Plan) -> Latest:
        contacts = array("q", [NONE]) * (plan.contacts + 1)
        talked = array("q", [NONE]) * (plan.contacts + 1)
        companies = array("q", [NONE]) * (plan.companies + 1)

        def newer(table: array, index: int, age: int) -> None:
            if table[index] == NONE or age < table[index]:
                table[index] = age

        for n in range(1, plan.activities + 1):
            age = plan.age(n)
            contact_id = plan.contact_of(n)
            newer(contacts, contact_id, age)
            if plan.kind(n) != "note":
                newer(talked, contact_id, age)
            company_id = plan.company_of(contact_id)
            if company_id:
                newer(companies, company_id, age)
        return cls(contacts, talked, companies)

    def when(self, table: array, n: int):
        age = table[n]
        return None if age == NONE else _dt(NOW - datetime.timedelta(seconds=age))


@dataclass(frozen=True)
class Ids:
    """What the rows refer to, looked up once before the chunks are built."""

    users: list[int]
    stages: list[int]
    contact_type: int
    company_type: int
    # Filled in only when the plan has tickets (bench/tickets.py).
    ticket_type: int = 0
    departments: list[int] = field(default_factory=list)
    project_type: int = 0
    article_type: int = 0


def user_email(n: int) -> str:
    return f"rep{n:02d}@bench.clientela.test"


ADMIN_EMAIL = "admin@bench.clientela.test"
LIMITED_EMAIL = user_email(1)


def team_emails() -> list[str]:
    return [user_email(n) for n in range(1, TEAM_SIZE + 1)]


# Rows -----------------------------------------------------------------------------------
def _dt(value: datetime.datetime | None):
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


def _record_times(plan: Plan, salt: int, n: int) -> tuple[datetime.datetime, datetime.datetime]:
    created = NOW - datetime.timedelta(seconds=mix(plan.seed, salt, n) % YEARS)
    updated = created + (NOW - created) * ((mix(plan.seed, salt + 1, n) % 100) / 100)
    return created, updated


def _record(n: int, created, updated, owner_id: int | None, last_activity) -> dict:
    """The columns every customer record has, for a new record."""
    return {
        "id": n,
        "created_at": _dt(created),
        "updated_at": _dt(updated),
        "owner": owner_id,
        "version": 1,
        "deleted_at": None,
        "last_activity_at": last_activity,
        "custom": "{}",
    }


def company_name(plan: Plan, company_id: int) -> str:
    if company_id == BENCH_COMPANY_ID:
        return "Bench Timeline SRL"
    a = WORDS[mix(plan.seed, 10, company_id) % len(WORDS)]
    b = WORDS[mix(plan.seed, 11, company_id) % len(WORDS)]
    suffix = SUFFIXES[mix(plan.seed, 12, company_id) % len(SUFFIXES)]
    return f"{a} {b} {company_id} {suffix}"


def _owner(plan: Plan, ids: Ids, salt: int, n: int) -> int | None:
    if n == 1:  # the timeline company and the detail page's contact: the limited rep's own
        return ids.users[0]
    pick = mix(plan.seed, salt, n) % (len(ids.users) * 10 + 1)
    return None if pick == 0 else ids.users[pick % len(ids.users)]


def _phone(plan: Plan, salt: int, n: int):
    return normalize_phone(f"07{mix(plan.seed, salt, n) % 10**8:08d}", "RO")


def company_rows(plan: Plan, ids: Ids, first: int, last: int) -> dict[str, list]:
    rows: dict[str, list] = {"company": [], "email": [], "phone": [], "search": []}
    latest = _latest()
    for n in range(first, last + 1):
        name = company_name(plan, n)
        slug = fold(name).replace(" ", "").replace(".", "")[:40]
        phone = _phone(plan, 20, n)
        created, updated = _record_times(plan, 21, n)
        company = Company(
            id=n,
            name=name,
            name_key=fold(name)[:200],
            website=f"https://{slug}.example",
            email=f"office@{slug}.example",
            phone=phone.e164,
            owner_id=_owner(plan, ids, 22, n),
            industry=INDUSTRIES[n % len(INDUSTRIES)],
            tax_id=f"RO{mix(plan.seed, 23, n) % 10**8}",
        )
        rows["company"].append(
            _record(n, created, updated, company.owner_id, latest.when(latest.companies, n))
            | {
                "name": company.name,
                "name_key": company.name_key,
                "legal_name": "",
                "tax_id": company.tax_id,
                "industry": company.industry,
                "size": "",
                "website": company.website,
                "status": "active",
                "email": company.email,
                "phone": company.phone,
            }
        )
        rows["email"].append((_dt(created), _dt(created), None, n, "work", 0, company.email))
        rows["phone"].append(
            (
                _dt(created),
                _dt(created),
                None,
                n,
                "work",
                0,
                phone.raw,
                phone.e164,
                phone.search_digits,
                phone.verified,
            )
        )
        document = company_document_from(company, [company.email], [phone.search_digits])
        rows["search"].append(_search_row(ids.company_type, n, document))
    return rows


def contact_rows(plan: Plan, ids: Ids, first: int, last: int) -> dict[str, list]:
    rows: dict[str, list] = {"contact": [], "email": [], "phone": [], "search": [], "stage": []}
    latest = _latest()
    for n in range(first, last + 1):
        given = GIVEN[mix(plan.seed, 30, n) % len(GIVEN)]
        family = FAMILY[mix(plan.seed, 31, n) % len(FAMILY)]
        full_name = f"{given} {family}"
        email = f"{fold(given)}.{fold(family)}{n}@{DOMAINS[n % len(DOMAINS)]}"
        phone = _phone(plan, 32, n)
        if n % UNVERIFIED_EVERY == 0:  # a number an import kept as written (data health)
            phone = phone_as_written(phone.raw)
        company_id = plan.company_of(n)
        created, updated = _record_times(plan, 33, n)
        stage = mix(plan.seed, 36, n) % len(ids.stages)
        rows["stage"] += _stage_history(plan, ids, n, stage, created, updated)
        contact = Contact(
            id=n,
            full_name=full_name,
            email=email,
            phone=phone.e164,
            owner_id=_owner(plan, ids, 34, n),
            company=Company(id=company_id, name=company_name(plan, company_id))
            if company_id
            else None,
        )
        rows["contact"].append(
            _record(n, created, updated, contact.owner_id, latest.when(latest.contacts, n))
            | {
                "given_name": given,
                "family_name": family,
                "full_name": full_name,
                "name_key": fold(full_name)[:200],
                "position": POSITIONS[mix(plan.seed, 35, n) % len(POSITIONS)],
                "company": company_id,
                "lifecycle_stage": ids.stages[stage],
                "source": SOURCES[mix(plan.seed, 37, n) % len(SOURCES)],
                "email": email,
                "phone": phone.e164,
                "marketing_consent": False,
                "marketing_consent_at": None,
                "last_contacted_at": latest.when(latest.conversations, n),
                "next_step": "",
                "language": "",
            }
        )
        rows["email"].append((_dt(created), _dt(created), n, None, "work", 0, email))
        rows["phone"].append(
            (
                _dt(created),
                _dt(created),
                n,
                None,
                "mobile",
                0,
                phone.raw,
                phone.e164,
                phone.search_digits,
                phone.verified,
            )
        )
        document = contact_document_from(contact, [email], [phone.search_digits])
        rows["search"].append(_search_row(ids.contact_type, n, document))
    return rows


def _stage_history(plan: Plan, ids: Ids, n: int, stage: int, created, updated) -> list[tuple]:
    """Contact `n`'s moves, as the contacts service writes them: into the first stage when
    it was added, then one stage at a time up to its current one (`stage`, an index of
    ids.stages), the last when it was last changed; by its owner."""
    owner = _owner(plan, ids, 34, n)
    moves = [(n, None, ids.stages[0], _dt(created), owner)]
    for step in range(1, stage + 1):
        when = created + (updated - created) * step / stage
        moves.append((n, ids.stages[step - 1], ids.stages[step], _dt(when), owner))
    return moves


def _search_row(content_type_id: int, object_id: int, document) -> tuple:
    fields = entry_fields(document)
    return (
        content_type_id,
        object_id,
        fields["owner_id"],
        fields["title"],
        fields["title_key"],
        fields["subtitle"],
        fields["text"],
    )


SOURCES = Source.values
SUBJECTS = {
    "note": "Note after the visit",
    "call": "Call about the offer",
    "meeting": "Meeting at their office",
    "email": "Re: quotation",
    "message": "WhatsApp message",
}
# The hand-written kinds only: an order's entry is written by the order service, and a
# kind added later must not change what the same seed generates.
KINDS = [kind for kind in ActivityKind.values if kind in SUBJECTS]


# The timers people ran, in proportion to the activities: one call in TIMED_CALLS was timed
# (its timer logged it, with the call's length), and with tickets, one activity in
# TIMED_TICKETS comes with a timer run on a ticket by its owner, for the people page's
# "Time logged" figure.
TIMED_CALLS = 2
TIMED_TICKETS = 2
CALL_SECONDS = 120
# One activity in FOLLOW_UPS left a task for its author on the same contact, due within
# two weeks of it; one in LEFT_OPEN of those past due is still open, the others were done
# up to three days before or two days after their due time (late when after).
FOLLOW_UPS = 3
LEFT_OPEN = 10
DAY = 86400


def _follow_up(plan: Plan, ids: Ids, n: int, author: int, contact_id: int, when) -> tuple:
    """The follow-up task activity `n` left (FOLLOW_UPS)."""
    due = when + datetime.timedelta(seconds=3600 + mix(plan.seed, 80, n) % (14 * DAY))
    done = due + datetime.timedelta(seconds=mix(plan.seed, 81, n) % (5 * DAY) - 3 * DAY)
    done = max(done, when + datetime.timedelta(minutes=5))
    if done > NOW or mix(plan.seed, 82, n) % LEFT_OPEN == 0:
        done = None
    return (
        "Follow up: send the new quote",
        "",
        _dt(due),
        None,
        "normal",
        author,
        author,
        ids.contact_type,
        contact_id,
        n,
        _dt(done),
        _dt(when),
        None,
        1,
    )


def _ticket_timer(plan: Plan, ids: Ids, n: int, author: int) -> tuple:
    """The timer run on a ticket alongside activity `n`: by the ticket's owner (the
    activity's author when it has none), within a day of the ticket's opening."""
    from bench.tickets import ticket_opened

    ticket = 1 + mix(plan.seed, 70, n) % plan.tickets
    seconds = 300 + mix(plan.seed, 71, n) % 3300
    later = datetime.timedelta(seconds=seconds + mix(plan.seed, 72, n) % 86400)
    stop = min(ticket_opened(plan, ticket) + later, NOW)
    start = stop - datetime.timedelta(seconds=seconds)
    user = _owner(plan, ids, 63, ticket) or author  # the owner bench/tickets.py gives it
    record = (ids.ticket_type, ticket, None)
    return (user, TimerKind.RECORD.value, None, *record, _dt(start), _dt(stop), seconds)


def activity_rows(plan: Plan, ids: Ids, first: int, last: int) -> dict[str, list]:
    rows: dict[str, list] = {"activity": [], "link": [], "time": [], "task": []}
    for n in range(first, last + 1):
        kind = plan.kind(n)
        when = plan.occurred_at(n)
        contact_id = plan.contact_of(n)
        is_call = kind == "call"
        values = {
            "subject": SUBJECTS[kind],
            "body": f"Talked about order {n}; they want a new quote next week.",
            "direction": "outbound" if is_call else "",
            "duration_seconds": CALL_SECONDS if is_call else None,
            "outcome": "connected" if is_call else "",
            "ends_at": None,
            "place": "",
            "attendees": "",
            "external_id": "",
            "channel": "whatsapp" if kind == "message" else "",
        }
        author = ids.users[mix(plan.seed, 41, n) % len(ids.users)]
        rows["activity"].append(
            {"id": n, "kind": kind, "occurred_at": _dt(when), "author": author}
            | {"created_at": _dt(when), **values}
        )
        rows["link"].append((n, ids.contact_type, contact_id, _dt(when), kind))
        company_id = plan.company_of(contact_id)
        if company_id:
            rows["link"].append((n, ids.company_type, company_id, _dt(when), kind))
        if is_call and mix(plan.seed, 73, n) % TIMED_CALLS == 0:
            stop = when + datetime.timedelta(seconds=CALL_SECONDS)
            record = (ids.contact_type, contact_id, n)  # the contact, and the call it logged
            rows["time"].append(
                (author, TimerKind.CALL.value, None, *record, _dt(when), _dt(stop), CALL_SECONDS)
            )
        if plan.tickets and ids.ticket_type and n % TIMED_TICKETS == 0:
            rows["time"].append(_ticket_timer(plan, ids, n, author))
        if n % FOLLOW_UPS == 0:
            rows["task"].append(_follow_up(plan, ids, n, author, contact_id, when))
    return rows


UNVERIFIED_EVERY = 500  # one contact in so many has a number an import could not check

# Tables; rows are dicts by field name, or tuples in the order listed here ------------------
POINT_FIELDS = ["created_at", "updated_at", "contact", "company", "kind", "position"]
TABLES: dict[str, tuple[type[Model], list[str]]] = {
    "company": (Company, []),
    "contact": (Contact, []),
    "activity": (Activity, []),
    "ticket": (Ticket, []),
    "project": (Project, []),
    "article": (Article, []),
    "email": (EmailAddress, [*POINT_FIELDS, "address"]),
    "phone": (PhoneNumber, [*POINT_FIELDS, "raw", "e164", "digits", "verified"]),
    "search": (
        SearchEntry,
        [
            "content_type",
            "object_id",
            "owner_id",
            "title",
            "title_key",
            "subtitle",
            "text",
        ],
    ),
    "stage": (LifecycleChange, ["contact", "from_stage", "to_stage", "changed_at", "changed_by"]),
    "task": (
        Task,
        [
            "title",
            "notes",
            "due_at",
            "reminder_at",
            "priority",
            "assignee",
            "created_by",
            "content_type",
            "object_id",
            "source_activity",
            "done_at",
            "created_at",
            "repeat",
            "occurrence",
        ],
    ),
    "link": (
        TimelineLink,
        ["activity", "content_type", "object_id", "occurred_at", "kind"],
    ),
    "time": (
        TimeEntry,
        [
            "user",
            "kind",
            "task",
            "content_type",
            "object_id",
            "activity",
            "started_at",
            "stopped_at",
            "seconds",
        ],
    ),
}


def write(table: str, rows: list[tuple]) -> None:
    """Append rows: COPY on PostgreSQL, one executemany on SQLite."""
    model, fields = TABLES[table]
    if rows and isinstance(rows[0], dict):
        fields = list(rows[0])
        rows = [tuple(row.values()) for row in rows]
    quote = connection.ops.quote_name
    columns = [quote(model._meta.get_field(name).column) for name in fields]
    append_rows(quote(model._meta.db_table), columns, rows)


def append_rows(target: str, columns: list[str], rows: list) -> None:
    """Rows into a table (names already quoted): COPY on PostgreSQL, executemany on SQLite."""
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {target} ({names}) VALUES ({marks})", rows)


# Driving it ------------------------------------------------------------------------------
def _chunks(total: int) -> list[tuple[int, int]]:
    return [(first, min(first + CHUNK - 1, total)) for first in range(1, total + 1, CHUNK)]


_LATEST: dict[str, Latest] = {}


def _latest() -> Latest:
    return _LATEST["plan"]


def _build(job: tuple[Callable, Plan, Ids, int, int]) -> dict[str, list]:
    builder, plan, ids, first, last = job
    return builder(plan, ids, first, last)


def ensure_users() -> Ids:
    """The administrator and USERS sales reps (reps 1-TEAM_SIZE are the limited user's
    team), through the users service like any installation's users."""
    if not User.objects.filter(email=ADMIN_EMAIL).exists():
        user_services.create_user(
            email=ADMIN_EMAIL,
            full_name="Bench Admin",
            password=PASSWORD,
            administrator=True,
        )
    teams = [user_services.team_named("Bench team A"), user_services.team_named("Bench team B")]
    for n in range(1, USERS + 1):
        if not User.objects.filter(email=user_email(n)).exists():
            user_services.create_user(
                email=user_email(n),
                full_name=f"Rep {n:02d}",
                password=PASSWORD,
                team=teams[0] if n <= TEAM_SIZE else teams[1],
            )
    users = list(
        User.objects.filter(email__in=[user_email(n) for n in range(1, USERS + 1)])
        .order_by("email")
        .values_list("pk", flat=True)
    )
    return Ids(
        users=users,
        stages=list(LifecycleStage.objects.order_by("position").values_list("pk", flat=True)),
        contact_type=ContentType.objects.get_for_model(Contact).pk,
        company_type=ContentType.objects.get_for_model(Company).pk,
        project_type=ContentType.objects.get_for_model(Project).pk,
    )


def generate(plan: Plan, log: Callable[[str], None]) -> dict[str, float]:
    """Fill an empty, migrated database; returns seconds per step."""
    call_command("migrate", verbosity=0)
    if Contact.objects.exists():
        raise RuntimeError("The database already has contacts: generate into an empty one.")
    ids = ensure_users()
    if plan.tickets:
        from bench.tickets import ensure_departments

        ids = replace(
            ids,
            ticket_type=ContentType.objects.get_for_model(Ticket).pk,
            departments=ensure_departments(ids.users),
        )
    timings: dict[str, float] = {}
    started = time.perf_counter()
    _LATEST["plan"] = Latest.of(plan)  # before the workers fork: they read it
    timings["latest"] = time.perf_counter() - started
    log(f"  each record's newest activity, from the plan: {timings['latest']:.1f} s")
    # Rows are built in worker processes (both cores) while this one writes; the workers
    # are forked with no database connection open, and never open one.
    connections.close_all()
    deferred = _defer_indexes()
    from bench.projects import project_rows
    from bench.tickets import ticket_rows

    with multiprocessing.get_context("fork").Pool(2) as pool:
        for label, builder, total in [
            ("companies", company_rows, plan.companies),
            ("contacts", contact_rows, plan.contacts),
            ("activities", activity_rows, plan.activities),
            ("tickets", ticket_rows, plan.tickets),
            ("projects", project_rows, min(plan.projects, plan.companies)),
        ]:
            if not total:
                continue
            started = time.perf_counter()
            jobs = [(builder, plan, ids, first, last) for first, last in _chunks(total)]
            _load(pool.imap(_build, jobs))
            timings[label] = time.perf_counter() - started
            log(f"  {label}: {total:,} in {timings[label]:.1f} s")
    if plan.articles:
        started = time.perf_counter()
        _load([_article_rows(plan, ids)])
        timings["articles"] = time.perf_counter() - started
        log(f"  articles: {plan.articles:,} in {timings['articles']:.1f} s")
    started = time.perf_counter()
    _restore_indexes(deferred)
    timings["indexes"] = time.perf_counter() - started
    log(f"  indexes and the search index, built once: {timings['indexes']:.1f} s")
    started = time.perf_counter()
    _finish()
    timings["finish"] = time.perf_counter() - started
    log(f"  sequences, statistics: {timings['finish']:.1f} s")
    # Written without the audit trail: what any cache remembered of the tables is forgotten.
    events.written(apps.get_models())
    return timings


def _article_rows(plan: Plan, ids: Ids) -> dict[str, list]:
    """The knowledge base's shelves (through its service) and its articles' rows, built
    here: a few thousand rows need no workers."""
    from bench.tickets import article_rows, ensure_categories

    ids = replace(ids, article_type=ContentType.objects.get_for_model(Article).pk)
    return article_rows(plan, ids, ensure_categories(), 1, plan.articles)


def add_articles(plan: Plan, log: Callable[[str], None]) -> float:
    """The knowledge base alone, into a database generated without it (its indexes and
    search trigger in place, so the rows are indexed as they come); seconds taken."""
    if Article.objects.exists():
        raise RuntimeError("The database already has articles.")
    started = time.perf_counter()
    _load([_article_rows(plan, ensure_users())])
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Article]):
            cursor.execute(statement)
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Article._meta.db_table)}")
    seconds = time.perf_counter() - started
    log(f"  articles: {plan.articles:,} in {seconds:.1f} s")
    return seconds


# The trigger that keeps SQLite's search index in step, as its migration creates it.
SEARCH_INSERT_TRIGGER = importlib.import_module(
    "clientela.core.migrations.0002_search_indexes"
).SQLITE_FORWARD[1]


def _bulk_tables() -> list[str]:
    return [model._meta.db_table for model, _fields in TABLES.values()]


def _defer_indexes() -> list[str]:
    """Drop the loaded tables' secondary indexes (and, on SQLite, the search trigger) and
    return what recreates them: building an index once over sorted data is far cheaper
    than keeping it up to date row by row. Unique indexes stay, they are constraints."""
    tables = _bulk_tables()
    recreate: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND sql NOT LIKE 'CREATE UNIQUE%%' AND tbl_name IN ({marks})",
                tables,
            )
            for name, sql in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                recreate.append(sql)
            cursor.execute("DROP TRIGGER IF EXISTS core_search_ai")
            # 'rebuild' leaves its large segments on the index's lower levels, where the
            # first writes after it soon merge them (the whole index rewritten twice in an
            # import's first 100,000 rows: ~10 s at 1M); 'optimize' makes them one segment
            # on the top level, where an index grown by writes keeps its oldest entries.
            recreate += [
                "INSERT INTO core_search_fts(core_search_fts) VALUES ('rebuild')",
                "INSERT INTO core_search_fts(core_search_fts) VALUES ('optimize')",
                SEARCH_INSERT_TRIGGER,
            ]
        else:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = "
                "current_schema() AND i.tablename = ANY(%s) AND i.indexdef NOT LIKE "
                "'CREATE UNIQUE%%' AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conname = i.indexname)",
                [tables],
            )
            for name, sql in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                recreate.append(sql)
    return recreate


def _restore_indexes(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _load(chunks: Iterable[dict[str, list]]) -> None:
    if connection.vendor == "sqlite":
        # A throw-away database: no fsync while loading.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    for rows in chunks:
        with transaction.atomic():
            for table, table_rows in rows.items():
                write(table, table_rows)


def _finish() -> None:
    """Sequences past the ids written, and planner statistics."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
            no_style(),
            [Company, Contact, Activity, Ticket, Project, Article, LifecycleChange, Task],
        ):
            cursor.execute(statement)
        cursor.execute("ANALYZE")
