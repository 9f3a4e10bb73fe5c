"""How customers rate the help, per agent and per queue, over a dashboard's period.

A survey after an order's delivery rates the delivery (the goods, the courier, the
wait), which no support agent handled and no queue held: crediting it to the order's
owner or to a queue would move a person's or a desk's rating for work that was not
theirs. So those answers stand on a line of their own ("Order deliveries"), outside the
agents' and queues' averages and outside the summary, which is the help's rating.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clientela.analytics.figures import Cell, Chart, Row
from clientela.analytics.selectors import RATING, Period, _url
from clientela.tickets import selectors as ticket_selectors


def _chart(
    key: str,
    title: str | Promise,
    axis: str | Promise,
    rows: list[dict],
    label_of,
    link_of,
    note: str | Promise,
) -> Chart:
    """The rating and count of each row, the deliveries' last; the summary is the help's
    (the tickets' answers) alone."""
    table = [
        Row(
            str(_("Order deliveries")) if row["delivery"] else label_of(row),
            [
                Cell(Decimal(row["average"]).quantize(RATING)),
                Cell(row["count"], "" if row["delivery"] else link_of(row)),
            ],
        )
        for row in rows
    ]
    helped = [row for row in rows if not row["delivery"]]
    answers = sum(row["count"] for row in helped)
    average = (
        (sum(Decimal(row["average"]) * row["count"] for row in helped) / answers).quantize(RATING)
        if answers
        else None
    )
    return Chart(
        key,
        title,
        "bar",
        [_("Average rating"), _("Answers")],
        table,
        drawn=1,
        axis=axis,
        summary=ngettext(
            "%(average)s out of 5 from %(count)s answer",
            "%(average)s out of 5 from %(count)s answers",
            answers,
        )
        % {"average": formats.number_format(average), "count": answers}
        if average is not None
        else "",
        note=note,
    )


def by_agent(user, period: Period, *, mine: bool = False) -> Chart:
    """Satisfaction surveys answered in the period that the user may see, by the agent the
    ticket was with when resolved; order deliveries on their own line (not with `mine`:
    they are no one's)."""
    rows = ticket_selectors.satisfaction_by(
        user, "agent", period.start, agent=user if mine else None
    )
    return _chart(
        "csat",
        _("Customer satisfaction by agent"),
        _("Agent"),
        rows,
        lambda row: (
            row["agent__full_name"] or (row["agent__email"] or "").split("@", 1)[0]
            if row["agent_id"] is not None
            else str(_("Nobody"))
        ),
        lambda row: (
            _url("tickets:list", status="resolved", assignee=row["agent_id"])
            if row["agent_id"] is not None
            else ""
        ),
        _(
            "Surveys answered in the period, by the agent the ticket was with when resolved;"
            " those after an order's delivery on a line of their own, outside the summary."
        ),
    )


def by_queue(user, period: Period, *, mine: bool = False) -> Chart:
    """Satisfaction surveys answered in the period that the user may see, by the queue the
    ticket was in when resolved; order deliveries on their own line."""
    rows = ticket_selectors.satisfaction_by(
        user, "department", period.start, agent=user if mine else None
    )
    return _chart(
        "csat-queue",
        _("Customer satisfaction by department"),
        _("Department"),
        rows,
        lambda row: row["department__name"] or str(_("No department")),
        lambda row: _url("tickets:list", status="resolved", department=row["department_id"]),
        _(
            "Surveys answered in the period, by the department the ticket was in when resolved;"
            " those after an order's delivery on a line of their own, outside the summary."
        ),
    )
