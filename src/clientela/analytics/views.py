"""The dashboards' pages and the forecast: thin, the figures come from analytics.selectors
and analytics.forecasts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_safe

from clientela.analytics import dashboards, forecasting, forecasts
from clientela.analytics import selectors as figures
from clientela.core import permissions
from clientela.deals import selectors as deal_selectors


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
            "may_forecast": permissions.can(request.user, "view_reports"),
            "charts": board.charts(request.user, period),
            "period": period,
            "first_month": period.label(period.months[0]),
            "last_month": period.label(period.months[-1]),
        },
    )


@require_safe
@permissions.capability_required("view_reports")
def forecast(request):
    """The weighted pipeline by month, the statistical forecasts of revenue and new
    customers with their back-test, and the stage probabilities the history teaches."""
    user = request.user
    weighted = [month.presented(user) for month in deal_selectors.forecast(user)]
    shown = [
        item
        for record_type, item in (
            ("order", forecasts.revenue),
            ("contact", forecasts.new_customers),
        )
        if permissions.scope(user, record_type) != permissions.NONE
    ]
    return render(
        request,
        "analytics/forecast.html",
        {
            "tabs": dashboards.open_to(user),
            "forecast": weighted,
            "forecasts": [make(user) for make in shown],
            "odds": forecasts.learned_probabilities(user),
            "holdout": forecasting.HOLDOUT,
            "may_forecast": True,
            "may_settings": permissions.can(user, "manage_settings"),
        },
    )
