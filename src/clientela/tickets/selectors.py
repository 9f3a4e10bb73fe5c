"""Every read of tickets, limited to what the user may see: the list and its filters, a
ticket with its conversation and history, a customer's tickets, the desk's settings."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.activities.models import Attachment
from clientela.core import audit, permissions, remembered, search
from clientela.core.search import matching_ids
from clientela.core.text import fold
from clientela.orders.selectors import orders_for
from clientela.tickets.models import (
    DONE,
    Article,
    ArticleCategory,
    CannedReply,
    Department,
    RoutingRule,
    SlaPolicy,
    StatusTransition,
    Survey,
    Ticket,
    TicketArticle,
    TicketMerge,
    TicketMessage,
)

# The list's filters that take a value as sent (the form checks them).
PLAIN_FILTERS = ("status", "priority", "department")


# A ticket's result against its SLA targets, for the list's filter and the dashboards:
# met (answered or resolved by the deadline) or missed (late, or still waiting past it
# while the clock runs). A ticket inside its deadline is in neither yet.
SLA_OUTCOMES = [
    ("response-met", _("First response in time")),
    ("response-missed", _("First response late")),
    ("resolution-met", _("Resolved in time")),
    ("resolution-missed", _("Resolved late")),
]


def sla_outcome(outcome: str, *, now=None) -> Q:
    target, _dash, result = outcome.partition("-")
    done, due = (
        ("first_responded_at", "first_response_due")
        if target == "response"
        else ("resolved_at", "resolution_due")
    )
    if result == "met":
        return Q(**{f"{due}__isnull": False, f"{done}__lte": F(due)})
    late = Q(**{f"{due}__isnull": False, f"{done}__gt": F(due)})
    waiting = Q(
        **{f"{due}__isnull": False, f"{done}__isnull": True, f"{due}__lt": now or timezone.now()}
    ) & Q(sla_paused_at__isnull=True)
    return late | waiting


def tickets_for(user, action: str = "view") -> QuerySet[Ticket]:
    """The one visibility rule for tickets: live ones, within the role's scope for tickets
    (a ticket's owner is the agent it is assigned to)."""
    return Ticket.objects.live().visible_to(user, action)


# What a ticket's row on the list shows (tickets/list.html: its number and subject, the
# customer named and linked as the reader may open it, status, priority, SLA timer, queue,
# assignee, when it was opened): fifty rows of five records built from these columns alone
# cost a third less than from every column. A field read beyond them costs a query per
# row, which the list's query-count test shows.
LIST_RELATED = ("contact", "company", "department", "owner")
LIST_COLUMNS = (
    "subject",
    "status",
    "priority",
    "created_at",
    "contact_id",
    "company_id",
    "department_id",
    "owner_id",
    "first_response_due",
    "first_responded_at",
    "resolution_due",
    "sla_paused_at",
    "contact__full_name",
    "contact__owner_id",
    "company__name",
    "company__owner_id",
    "department__name",
    "owner__full_name",
    "owner__email",
)


def ticket_list(user) -> QuerySet[Ticket]:
    return tickets_for(user).select_related(*LIST_RELATED).only(*LIST_COLUMNS)


def filter_list(user, queryset: QuerySet[Ticket], data: dict) -> QuerySet[Ticket]:
    """The list's filters and search, as the page and the API offer them. `status` "open"
    is also every ticket not yet resolved ("active")."""
    status = data.get("status")
    if status == "active":
        queryset = queryset.exclude(status__in=DONE)
    elif status:
        queryset = queryset.filter(status=status)
    if data.get("priority"):
        queryset = queryset.filter(priority=data["priority"])
    if data.get("department"):
        department = data["department"]
        queryset = queryset.filter(department_id=getattr(department, "pk", department))
    assignee = data.get("assignee")
    if assignee == "me":
        queryset = queryset.filter(owner=user)
    elif assignee == "none":
        queryset = queryset.filter(owner__isnull=True)
    elif assignee:
        queryset = queryset.filter(owner_id=getattr(assignee, "pk", assignee))
    if data.get("contact"):
        queryset = queryset.filter(contact_id=data["contact"])
    if data.get("sla"):
        queryset = queryset.filter(sla_outcome(data["sla"]))
    if data.get("q"):
        queryset = queryset.filter(pk__in=matching_ids(data["q"], Ticket))
    return queryset


def ticket_detail(user, pk: int) -> Ticket:
    return (
        tickets_for(user)
        .select_related(*LIST_RELATED, "order", "deal", "department__lead", "survey")
        .prefetch_related("tags")
        .get(pk=pk)
    )


def ticket_page(user, pk: int) -> Ticket:
    """A ticket as its page shows it, in one query: its customer, order, deal, queue,
    assignee and survey, and `undoable_merge`, the number of the ticket last merged into it
    while that merge may still be undone (merging.last_merge), or None. Its tags come with
    it (one more query)."""
    last_merge = TicketMerge.objects.filter(kept=OuterRef("pk"), undone_at__isnull=True)
    return (
        tickets_for(user)
        .select_related(*LIST_RELATED, "order", "deal", "survey")
        .prefetch_related("tags")
        .annotate(
            undoable_merge=Subquery(
                last_merge.order_by("-created_at", "-id").values("duplicate_id")[:1]
            )
        )
        .get(pk=pk)
    )


def message_flags() -> dict[str, Any]:
    """What each entry of a ticket's conversation is, read with the entries (activities
    .selectors.timeline's `annotations`): a message at all (`is_message`; otherwise an
    update), an internal note (`internal`), the customer's own words (`from_customer`)."""
    message = TicketMessage.objects.filter(activity_id=OuterRef("pk"))
    return {
        "is_message": Exists(message),
        "internal": Coalesce(Subquery(message.values("internal")[:1]), Value(False)),
        "from_customer": Coalesce(Subquery(message.values("from_customer")[:1]), Value(False)),
    }


def conversation(ticket: Ticket) -> list[TicketMessage]:
    """The ticket's messages, oldest first, each with its entry's author and files."""
    return list(
        TicketMessage.objects.filter(ticket=ticket)
        .select_related("activity__author")
        .prefetch_related(
            Prefetch("activity__attachments", queryset=Attachment.objects.order_by("id"))
        )
        .order_by("id")
    )


def history(ticket: Ticket, limit: int = 50) -> list:
    """The ticket's audit entries, newest first: status moves, assignments, transfers."""
    return list(audit.history(ticket)[:limit])


def customer_tickets(user, customer, limit: int = 10) -> list[Ticket]:
    """The latest tickets of a contact or company the user may see."""
    field = "contact" if customer._meta.model_name == "contact" else "company"
    return list(
        tickets_for(user)
        .filter(**{field: customer})
        .select_related("department", "survey")
        .order_by("-created_at", "-id")[:limit]
    )


def merge_candidates(user, ticket: Ticket, limit: int = 10) -> list[Ticket]:
    """The customer's other tickets not merged away, newest first: likely duplicates."""
    if ticket.contact_id is None:
        return []
    return list(
        tickets_for(user, "edit")
        .filter(contact_id=ticket.contact_id, merged_into__isnull=True)
        .exclude(pk=ticket.pk)
        .only("pk", "subject", "created_at")
        .order_by("-created_at", "-id")[:limit]
    )


def departments() -> list[Department]:
    return list(Department.objects.select_related("lead").prefetch_related("members"))


def department_choices() -> QuerySet[Department]:
    return Department.objects.order_by("position", "id")


def rules() -> list[RoutingRule]:
    return list(RoutingRule.objects.select_related("department"))


def sla_policies() -> list[SlaPolicy]:
    return list(SlaPolicy.objects.all())


def transitions() -> dict[str, list[str]]:
    """Status → the statuses it may move to, as the settings page lists them."""
    table: dict[str, list[str]] = {}
    for move in StatusTransition.objects.all():
        table.setdefault(move.from_status, []).append(move.to_status)
    return table


def open_load(department: Department) -> dict[int, int]:
    """Open tickets per member of the department (assignee id → count)."""
    rows = (
        Ticket.objects.live()
        .filter(~Q(status__in=DONE), department=department, owner__isnull=False)
        .values_list("owner")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


# Canned replies and the knowledge base -----------------------------------------------------
def canned_replies_for(user, action: str = "view") -> QuerySet[CannedReply]:
    return CannedReply.objects.live().visible_to(user, action)


def canned_replies(user) -> list[CannedReply]:
    return list(canned_replies_for(user).select_related("owner").order_by("name", "id"))


def articles_for(user, action: str = "view") -> QuerySet[Article]:
    return Article.objects.live().visible_to(user, action)


def article_list(user, *, q: str = "", category: int | None = None) -> QuerySet[Article]:
    """The knowledge base as its page lists it: by title, narrowed by the one search."""
    articles = articles_for(user).select_related("category", "owner").order_by("title", "id")
    if category:
        articles = articles.filter(category_id=category)
    if q:
        articles = articles.filter(pk__in=matching_ids(q, Article))
    return articles


def categories() -> list[ArticleCategory]:
    return list(ArticleCategory.objects.all())


# The longest distinct words of a ticket's text say most about it; a few are enough.
SUGGESTION_WORDS = 8


def ticket_words(ticket: Ticket) -> list[str]:
    words = fold(f"{ticket.subject} {ticket.description[:2000]}")
    found = dict.fromkeys(
        "".join(char for char in word if char.isalnum()) for word in words.split()
    )
    return sorted((word for word in found if len(word) >= 4), key=len, reverse=True)[
        :SUGGESTION_WORDS
    ]


def suggested_articles(user, ticket: Ticket, limit: int = 5) -> list[dict]:
    """Articles the ticket's words point to, best first, through the one search (one
    query): each as its search entry's title and subtitle with the article's id."""
    entries = search.entries_with_any(ticket_words(ticket), Article, articles_for(user), limit)
    return [
        {"id": entry.object_id, "title": entry.title, "subtitle": entry.subtitle}
        for entry in entries
    ]


def ticket_articles(ticket: Ticket) -> list[TicketArticle]:
    """The articles used on the ticket (the trashed ones left out), first used first."""
    return list(
        TicketArticle.objects.filter(ticket=ticket, article__deleted_at__isnull=True)
        .select_related("article", "linked_by")
        .order_by("linked_at", "id")
    )


# Satisfaction ----------------------------------------------------------------------------
def answered_surveys(user) -> QuerySet[Survey]:
    """The answered surveys the user may see: on the tickets they may see, and after the
    delivery of the orders they may see."""
    return Survey.objects.filter(
        Q(ticket__in=tickets_for(user).values("pk")) | Q(order__in=orders_for(user).values("pk")),
        answered_at__isnull=False,
    )


def customer_satisfaction(user, customer, *, tickets: bool = True, orders: bool = False) -> dict:
    """A contact's or company's average rating and how many answers it is from, over the
    tickets the user may see (`average`, `count`) and, with `orders`, over their delivered
    orders the user may see (`delivery_average`, `delivery_count`). One query."""
    kind = "contact" if customer._meta.model_name == "contact" else "company"
    # The customer inside each subquery, where its index finds their few tickets and
    # orders: beside it, the subquery listed every ticket the user may see (23 ms for a
    # company's card at 10k tickets, growing with them).
    about_tickets = Q(ticket__in=tickets_for(user).filter(**{kind: customer}).values("pk"))
    about_orders = Q(order__in=orders_for(user).filter(**{kind: customer}).values("pk"))
    wanted = Q(pk__in=[])
    if tickets:
        wanted |= about_tickets
    if orders:
        wanted |= about_orders
    on_ticket, on_order = Q(ticket__isnull=False), Q(order__isnull=False)
    return Survey.objects.filter(wanted, answered_at__isnull=False).aggregate(
        average=Avg("rating", filter=on_ticket),
        count=Count("id", filter=on_ticket),
        delivery_average=Avg("rating", filter=on_order),
        delivery_count=Count("id", filter=on_order),
    )


SATISFACTION_BY = {
    "agent": ("agent_id", "agent__full_name", "agent__email"),
    "department": ("department_id", "department__name"),
}


def satisfaction_by(user, by: str, since, until=None, *, agent=None) -> list[dict]:
    """Per agent ("agent": who had the ticket when it was resolved) or queue ("department":
    where it was then), the surveys answered between `since` and `until` (only those on
    `agent`'s tickets when given) and their average rating, best first. A survey after an
    order's delivery rates the delivery, not a ticket's help: it has neither agent nor
    queue and counts in no one's average; those are one row of their own, last, with
    `delivery` true. One query."""
    surveys = answered_surveys(user).filter(answered_at__gte=since)
    if until is not None:
        surveys = surveys.filter(answered_at__lt=until)
    if agent is not None:
        surveys = surveys.filter(agent=agent)
    fields = SATISFACTION_BY[by]
    rows = (
        surveys.annotate(
            delivery=Case(
                When(ticket__isnull=True, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values("delivery", *fields)
        .annotate(average=Avg("rating"), count=Count("id"))
        .order_by("delivery", "-average", "-count", fields[1])
    )
    return [dict(row) for row in remembered.rows(rows)]


# The desk's homes ---------------------------------------------------------------------------
HOME_ROWS = 10


def breached(now) -> Q:
    """A target missed while the clock runs: no first answer past its deadline, or not
    resolved past its deadline (done tickets are left out by the caller)."""
    return Q(sla_paused_at__isnull=True) & (
        Q(first_responded_at__isnull=True, first_response_due__lt=now) | Q(resolution_due__lt=now)
    )


def near_breach(now, warning) -> Q:
    """Not breached yet, but a target falls due within `warning`."""
    soon = now + warning
    due_soon = Q(first_responded_at__isnull=True, first_response_due__lt=soon) | Q(
        resolution_due__lt=soon
    )
    return Q(sla_paused_at__isnull=True) & due_soon & ~breached(now)


def _next_due():
    """The deadline that comes next: the first response's until it is given, then the
    resolution's."""
    return Case(
        When(first_responded_at__isnull=True, then=F("first_response_due")),
        default=Coalesce("resolution_due", "first_response_due"),
    )


def desk_home(user, *, now=None) -> dict:
    """What the home page shows of the desk: for an agent (a member of a department, or
    anyone with open tickets assigned) their open tickets by the deadline that comes next,
    so breaches come first, and those waiting on the customer; for a department's lead,
    or a member whose role has reports, every queue with its load, breaches and near
    breaches and the tickets no one has yet. Empty for everyone else."""
    now = now or timezone.now()
    warning = datetime.timedelta(minutes=settings.SLA_WARNING_MINUTES)
    if permissions.scope(user, "ticket") == permissions.NONE:
        return {}
    roles = list(
        Department.objects.filter(Q(lead=user) | Q(members=user))
        .values_list("pk", "lead_id")
        .distinct()
    )
    found: dict = {}
    active = tickets_for(user).exclude(status__in=DONE)
    mine = active.filter(owner=user)
    counts = mine.aggregate(
        open=Count("id", filter=~Q(status="waiting")),
        waiting=Count("id", filter=Q(status="waiting")),
        breached=Count("id", filter=breached(now)),
        near=Count("id", filter=near_breach(now, warning)),
    )
    if roles or counts["open"] or counts["waiting"]:
        related = ("contact", "department")
        found["mine"] = {
            **counts,
            "tickets": list(
                mine.exclude(status="waiting")
                .select_related(*related)
                .annotate(next_due=_next_due())
                .order_by(F("next_due").asc(nulls_last=True), "id")[:HOME_ROWS]
            ),
            "waiting_tickets": list(
                mine.filter(status="waiting")
                .select_related(*related)
                .order_by("status_changed_at", "id")[:HOME_ROWS]
            ),
        }
    leads = [pk for pk, lead in roles if lead == user.pk]
    if leads or (roles and permissions.can(user, "view_reports")):
        load = {
            row["department_id"]: row
            for row in active.values("department_id")
            .annotate(
                open=Count("id"),
                unassigned=Count("id", filter=Q(owner__isnull=True)),
                waiting=Count("id", filter=Q(status="waiting")),
                breached=Count("id", filter=breached(now)),
                near=Count("id", filter=near_breach(now, warning)),
            )
            .order_by()
        }
        empty = {"open": 0, "unassigned": 0, "waiting": 0, "breached": 0, "near": 0}
        found["queues"] = {
            "rows": [
                {"department": department, **{**empty, **load.get(department.pk, {})}}
                for department in Department.objects.select_related("lead")
            ],
            "unassigned": list(
                active.filter(owner__isnull=True)
                .select_related("contact", "department")
                .annotate(next_due=_next_due())
                .order_by(F("next_due").asc(nulls_last=True), "id")[:HOME_ROWS]
            ),
        }
    return found
