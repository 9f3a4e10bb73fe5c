"""Every read of deals, limited to what the user may see: the board, the list, a deal's
stage history, the funnel and the weighted forecast."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from clientela.core import presenting
from clientela.core.listing import day_start
from clientela.core.search import matching_ids
from clientela.deals.models import Deal, DealStatus, Pipeline, Stage, StageChange

BOARD_CARDS = 50  # cards per column; the rest are one click away in the list
CENT = Decimal("0.01")


def deals_for(user, action: str = "view") -> QuerySet[Deal]:
    """The one visibility rule for deals: live ones, within the user's role scope."""
    return Deal.objects.live().visible_to(user, action)


def deal_list(user) -> QuerySet[Deal]:
    return deals_for(user).select_related("company", "owner", "stage", "pipeline")


def stale_cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.DEAL_STALE_AFTER_DAYS)


def stale_filter() -> Q:
    """Open deals with nothing logged on them for the configured days (one never worked on
    counts from its creation)."""
    cutoff = stale_cutoff()
    quiet = Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)
    return Q(status=DealStatus.OPEN) & quiet


def is_stale(deal: Deal, cutoff: datetime.datetime | None = None) -> bool:
    cutoff = cutoff or stale_cutoff()
    return deal.status == DealStatus.OPEN and (deal.last_activity_at or deal.created_at) < cutoff


def stale_deals(user, owner_ids: list[int], limit: int = 8) -> QuerySet[Deal]:
    """The open deals of these owners gone quiet longest first: for a home page."""
    return (
        deal_list(user)
        .filter(stale_filter(), owner_id__in=owner_ids)
        .order_by("last_activity_at", "id")[:limit]
    )


def _customer_filter(customer) -> Q:
    """A contact's deals are those it is on; a company's, those made for it."""
    if customer._meta.model_name == "contact":
        return Q(contacts=customer)
    return Q(company=customer)


def customer_deals(user, customer, limit: int) -> list[Deal]:
    """A contact's or company's latest deals, for its page (one query)."""
    return list(
        deals_for(user)
        .filter(_customer_filter(customer))
        .select_related("stage")
        .order_by("-updated_at", "-id")[:limit]
    )


def deal_detail(user, pk: int) -> Deal:
    return (
        deal_list(user)
        .select_related("order")
        .prefetch_related("contacts", "lines__product")
        .get(pk=pk)
    )


def filter_list(user, queryset: QuerySet[Deal], data: dict) -> QuerySet[Deal]:
    """The deals list's filters and its search, as the list page and the API offer them."""
    queryset = apply_filters(user, queryset, data)
    if data.get("q"):
        queryset = queryset.filter(pk__in=matching_ids(data["q"], Deal))
    return queryset


def pipelines() -> list[Pipeline]:
    return list(Pipeline.objects.prefetch_related("stages"))


def apply_filters(user, queryset: QuerySet[Deal], data: dict) -> QuerySet[Deal]:
    """Owner, team, expected close and closed dates, status, pipeline and stage: the
    filters the board and the list share."""
    owner = data.get("owner")
    if owner == "me":
        queryset = queryset.filter(owner=user)
    elif owner == "none":
        queryset = queryset.filter(owner__isnull=True)
    elif owner:
        queryset = queryset.filter(owner_id=owner.pk if hasattr(owner, "pk") else owner)
    if data.get("team"):
        queryset = queryset.filter(owner__team=data["team"])
    if data.get("close_from"):
        queryset = queryset.filter(expected_close__gte=data["close_from"])
    if data.get("close_to"):
        queryset = queryset.filter(expected_close__lte=data["close_to"])
    if data.get("status"):
        queryset = queryset.filter(status=data["status"])
    if data.get("closed_from"):
        queryset = queryset.filter(closed_at__gte=day_start(data["closed_from"]))
    if data.get("closed_to"):
        end = day_start(data["closed_to"]) + datetime.timedelta(days=1)
        queryset = queryset.filter(closed_at__lt=end)
    if data.get("pipeline"):
        queryset = queryset.filter(pipeline=data["pipeline"])
    if data.get("stage"):
        queryset = queryset.filter(stage=data["stage"])
    if data.get("stale"):
        queryset = queryset.filter(stale_filter())
    if data.get("customer") is not None:
        queryset = queryset.filter(_customer_filter(data["customer"]))
    return queryset


# The board -----------------------------------------------------------------------------
@dataclass
class Column:
    stage: Stage
    cards: list[Deal] = field(default_factory=list)
    count: int = 0
    # Currency → amount; None once presented to a user who may not see amounts.
    totals: dict[str, Decimal] | None = field(default_factory=dict)
    weighted: dict[str, Decimal] | None = field(default_factory=dict)

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)

    def presented(self, user) -> Column:
        """The column as the user may see it: its cards and sums without hidden amounts."""
        return replace(
            self,
            cards=presenting.present_all(user, self.cards),
            totals=presenting.shown(user, "deal", "amount", self.totals),
            weighted=presenting.shown(user, "deal", "amount", self.weighted),
        )


def board(user, pipeline: Pipeline, data: dict, *, now=None) -> list[Column]:
    """The pipeline's open deals by stage: up to BOARD_CARDS cards per column, with each
    column's count, total and weighted total over all its deals. Three queries whatever
    the number of deals: stages, per-column sums, and the cards (a window per stage)."""
    now = now or timezone.now()
    stages = list(pipeline.stages.all())
    columns = {stage.pk: Column(stage) for stage in stages}
    deals = apply_filters(user, deals_for(user), data).filter(
        pipeline=pipeline, status=DealStatus.OPEN
    )
    sums = deals.values("stage_id", "currency").annotate(n=Count("id"), total=Sum("amount"))
    for row in sums.order_by():
        column = columns.get(row["stage_id"])
        if column is None:
            continue
        column.count += row["n"]
        totals, weighted_totals = column.totals, column.weighted
        assert totals is not None and weighted_totals is not None  # not presented yet
        total = (row["total"] or Decimal(0)).quantize(CENT)
        totals[row["currency"]] = totals.get(row["currency"], Decimal(0)) + total
        weighted = (total * column.stage.probability / 100).quantize(CENT)
        weighted_totals[row["currency"]] = weighted_totals.get(row["currency"], 0) + weighted
    ranked = deals.select_related("company", "owner").annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("stage_id")],
            order_by=[F("expected_close").asc(nulls_last=True), F("id").asc()],
        )
    )
    for deal in ranked.filter(rank__lte=BOARD_CARDS).order_by("stage_id", "rank"):
        column = columns.get(deal.stage_id)
        if column is not None:
            # For the card only: not a field of Deal.
            deal.days_in_stage = max((now - deal.stage_entered_at).days, 0)  # type: ignore[attr-defined]
            column.cards.append(deal)
    return [columns[stage.pk] for stage in stages]


def board_totals(columns: list[Column]) -> tuple[dict, dict]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    weighted: dict[str, Decimal] = defaultdict(Decimal)
    for column in columns:
        for currency, amount in (column.totals or {}).items():
            totals[currency] += amount
        for currency, amount in (column.weighted or {}).items():
            weighted[currency] += amount
    return dict(totals), dict(weighted)


# A deal's history ----------------------------------------------------------------------
@dataclass
class StageTime:
    stage: Stage
    seconds: float
    current: bool = False

    @property
    def whole_days(self) -> int:
        return int(self.seconds // 86400)


def stage_history(deal: Deal) -> list[StageChange]:
    return list(
        StageChange.objects.filter(deal=deal).select_related("to_stage", "from_stage", "by")
    )


def time_in_stages(deal: Deal, changes: list[StageChange], *, now=None) -> list[StageTime]:
    """Time spent in each stage, in pipeline order: from entering a stage to the next
    change (a move, or the deal being won or lost), and up to now for the current one."""
    now = now or timezone.now()
    spent: dict[int, float] = defaultdict(float)
    stages: dict[int, Stage] = {}
    for i, change in enumerate(changes):
        if change.status != DealStatus.OPEN:
            continue  # closed from here on, until a reopen
        end = changes[i + 1].at if i + 1 < len(changes) else now
        spent[change.to_stage_id] += max((end - change.at).total_seconds(), 0)
        stages[change.to_stage_id] = change.to_stage
    rows = [
        StageTime(
            stages[pk], seconds, current=deal.status == DealStatus.OPEN and pk == deal.stage_id
        )
        for pk, seconds in spent.items()
    ]
    return sorted(rows, key=lambda row: (row.stage.position, row.stage.pk))


# The funnel and the forecast ---------------------------------------------------------
@dataclass
class FunnelStep:
    stage: Stage
    reached: int
    to_next: Decimal | None  # percent of those who reached this stage who reached the next
    to_won: Decimal | None  # percent of those who reached this stage who were won


@dataclass
class Funnel:
    steps: list[FunnelStep]
    deals: int
    won: int
    lost: int


def _percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else None


def funnel(
    user,
    pipeline: Pipeline,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    owner=None,
) -> Funnel:
    """Conversion of the deals created in [start, end] (and owned by `owner`): how many
    reached each stage, what share went on to the next stage, and what share was won.

    A deal reached a stage when it entered that stage or any later one (deals may skip
    stages); a won deal reached every stage. One query, one conditional count per stage."""
    deals = deals_for(user).filter(pipeline=pipeline)
    if start:
        deals = deals.filter(created_at__gte=day_start(start))
    if end:
        deals = deals.filter(created_at__lt=day_start(end + datetime.timedelta(days=1)))
    if owner is not None:
        deals = deals.filter(owner=owner)
    stages = list(pipeline.stages.all())
    won = Q(status=DealStatus.WON)
    counts = deals.aggregate(
        deals=Count("id", distinct=True),
        won=Count("id", filter=won, distinct=True),
        lost=Count("id", filter=Q(status=DealStatus.LOST), distinct=True),
        **{
            f"s{stage.pk}": Count(
                "id",
                filter=won
                | Q(
                    stage_changes__to_stage__pipeline=pipeline,
                    stage_changes__to_stage__position__gte=stage.position,
                ),
                distinct=True,
            )
            for stage in stages
        },
    )
    steps = []
    for i, stage in enumerate(stages):
        reached = counts[f"s{stage.pk}"]
        following = counts[f"s{stages[i + 1].pk}"] if i + 1 < len(stages) else counts["won"]
        steps.append(
            FunnelStep(
                stage, reached, _percent(following, reached), _percent(counts["won"], reached)
            )
        )
    return Funnel(steps=steps, deals=counts["deals"], won=counts["won"], lost=counts["lost"])


@dataclass
class ForecastMonth:
    month: datetime.date | None  # None: open deals with no expected close date
    currency: str
    deals: int
    total: Decimal | None  # None once presented to a user who may not see amounts
    weighted: Decimal | None

    def presented(self, user) -> ForecastMonth:
        return replace(
            self,
            total=presenting.shown(user, "deal", "amount", self.total),
            weighted=presenting.shown(user, "deal", "amount", self.weighted),
        )


def forecast(user, pipeline: Pipeline | None = None, *, owner=None) -> list[ForecastMonth]:
    """The open pipeline by expected close month: the amount, and the amount weighted by
    each stage's win probability. Sums are per month, currency and stage in the database;
    the weighting is done here in Decimal, so no float ever touches money."""
    deals = deals_for(user).filter(status=DealStatus.OPEN)
    if pipeline is not None:
        deals = deals.filter(pipeline=pipeline)
    if owner is not None:
        deals = deals.filter(owner=owner)
    rows = (
        deals.annotate(month=TruncMonth("expected_close"))
        .values("month", "currency", "stage__probability")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    months: dict[tuple, ForecastMonth] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        key = (month, row["currency"])
        entry = months.setdefault(
            key, ForecastMonth(month, row["currency"], 0, Decimal(0), Decimal(0))
        )
        total = (row["total"] or Decimal(0)).quantize(CENT)
        assert entry.total is not None and entry.weighted is not None  # not presented yet
        entry.deals += row["n"]
        entry.total += total
        entry.weighted += (total * row["stage__probability"] / 100).quantize(CENT)
    return sorted(
        months.values(),
        key=lambda m: (m.month is None, m.month or datetime.date.min, m.currency),
    )
