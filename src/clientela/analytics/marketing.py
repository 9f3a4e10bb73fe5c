"""The marketing dashboard's figures: where new contacts come from, how contacts move
through the lifecycle stages, and how many agree to marketing. Only what the contacts
hold today (their source, their stage and its history, their consent); campaign results
join when campaigns exist. Each figure counts the contacts the reader may see (the
customers app's selector), each value links to the contacts list narrowed to them.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clientela.analytics.figures import Cell, Chart, Row
from clientela.analytics.selectors import Period, _month, _month_rows, _url
from clientela.core import filters, permissions, remembered
from clientela.customers import selectors as customer_selectors
from clientela.customers.models import LifecycleChange, LifecycleStage, Source

LIST = "customers:contact-list"


def _contacts(user, mine: bool):
    contacts = customer_selectors.contacts_for(user)
    return contacts.filter(owner=user) if mine else contacts


def _where(*conditions: dict) -> str:
    return filters.dumps(list(conditions))


def contacts_by_source(user, period: Period, *, mine: bool = False) -> Chart:
    """Contacts added by month, one series per source any of them came from (in the
    sources' order); every value links to the contacts of that source added that month."""
    rows = (
        _contacts(user, mine)
        .filter(created_at__gte=period.start)
        .annotate(month=TruncMonth("created_at", tzinfo=period.zone))
        .values("month", "source")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple, int] = {}
    for row in remembered.rows(rows):
        counts[(_month(row["month"]), row["source"])] = row["n"]
    present = {source for _month_key, source in counts}
    sources = [source for source in Source.values if source in present]
    sources += sorted(present - set(sources))  # a source since dropped from the choices
    labels = dict(Source.choices)

    def cells(month, days) -> list[Cell]:
        return [
            Cell(
                counts.get((month, source), 0),
                _url(
                    LIST,
                    created_from=days["from"],
                    created_to=days["to"],
                    owner="me" if mine else "",
                    where=_where({"field": "source", "op": "eq", "value": source}),
                ),
            )
            for source in sources
        ]

    total = sum(counts.values())
    return Chart(
        "sources",
        _("New contacts by source"),
        "bar",
        [labels.get(source, source) for source in sources] or [_("Contacts")],
        _month_rows(period, cells) if sources else _month_rows(period, lambda m, d: [Cell(0)]),
        stacked=True,
        summary=ngettext(
            "%(count)s contact added in the period", "%(count)s contacts added in the period", total
        )
        % {"count": formats.number_format(total, force_grouping=True)},
        note=_("Contacts added in the month, by where they came from."),
    )


def lifecycle_movement(user, period: Period, *, mine: bool = False) -> Chart:
    """Per lifecycle stage: the contacts that moved into it and out of it in the period
    (from the stage history), and those in it now (linked to their list)."""
    contacts = _contacts(user, mine)
    # The rule said on the join: `contact__in=<visible ids>` made the database gather every
    # visible contact before counting a single move (17.6x the bare page for a representative).
    changes = LifecycleChange.objects.filter(
        permissions.through(user, "contact", "contact"), changed_at__gte=period.start
    )
    if mine:
        changes = changes.filter(contact__owner=user)
    moved_in = dict(
        remembered.rows(
            changes.values("to_stage")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("to_stage", "n")
        )
    )
    moved_out: dict[int, int] = defaultdict(int)
    for stage_id, n in remembered.rows(
        changes.filter(from_stage__isnull=False)
        .values("from_stage")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("from_stage", "n")
    ):
        moved_out[stage_id] = n
    now_in = dict(
        remembered.rows(
            contacts.values("lifecycle_stage")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("lifecycle_stage", "n")
        )
    )
    table = [
        Row(
            stage.label,
            [
                Cell(moved_in.get(stage.pk, 0)),
                Cell(moved_out.get(stage.pk, 0)),
                Cell(
                    now_in.get(stage.pk, 0),
                    _url(LIST, stage=stage.key, owner="me" if mine else ""),
                ),
            ],
        )
        for stage in LifecycleStage.objects.order_by("position", "id")
    ]
    return Chart(
        "lifecycle",
        _("Lifecycle stage movement"),
        "bar",
        [_("Moved in"), _("Moved out"), _("In the stage now")],
        table,
        drawn=2,
        axis=_("Lifecycle stage"),
        note=_(
            "Moves recorded in the period, from each contact's stage history (a new contact "
            "moves into its first stage); the contacts in each stage now link to their list."
        ),
    )


def consent(user, period: Period, *, mine: bool = False) -> Chart:
    """The contacts that agree to marketing and those that do not, now."""
    counts = dict(
        remembered.rows(
            _contacts(user, mine)
            .values("marketing_consent")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("marketing_consent", "n")
        )
    )
    agree, total = counts.get(True, 0), sum(counts.values())
    owner = "me" if mine else ""

    def link(value: bool) -> str:
        where = _where({"field": "marketing_consent", "op": "eq", "value": value})
        return _url(LIST, owner=owner, where=where)

    return Chart(
        "consent",
        _("Marketing consent"),
        "doughnut",
        [_("Contacts")],
        [
            Row(str(_("Agree to marketing")), [Cell(agree, link(True))]),
            Row(str(_("Do not agree")), [Cell(counts.get(False, 0), link(False))]),
        ],
        axis=_("Consent"),
        summary=_("%(agree)s of %(total)s contacts agree to marketing (%(percent)s%%).")
        % {
            "agree": formats.number_format(agree, force_grouping=True),
            "total": formats.number_format(total, force_grouping=True),
            "percent": formats.number_format(round(agree * 100 / total) if total else 0),
        },
        note=_("Only contacts that agree may be sent marketing."),
    )
