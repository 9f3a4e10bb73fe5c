"""The dashboards' pages: thin, the figures come from analytics.selectors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_safe

from clientela.analytics import dashboards
from clientela.analytics import selectors as figures


@require_safe
def dashboard(request, key: str):
    board = dashboards.BY_KEY[key]
    if not board.open_to(request.user):
        raise PermissionDenied
    period = figures.period_for(request.user)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "board": board,
            "tabs": dashboards.open_to(request.user),
            "charts": board.charts(request.user, period),
            "period": period,
            "first_month": period.label(period.months[0]),
            "last_month": period.label(period.months[-1]),
        },
    )
