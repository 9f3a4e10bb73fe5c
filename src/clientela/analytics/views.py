"""The dashboards' pages and the forecast: thin, the figures come from analytics.selectors
and analytics.forecasts."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from clientela.activities import selectors as activity_selectors
from clientela.analytics import dashboards, effectiveness, forecasting, forecasts, rating, services
from clientela.analytics import selectors as figures
from clientela.analytics.forms import RatingWeightsForm
from clientela.core import permissions
from clientela.deals import selectors as deal_selectors
from clientela.users import selectors as user_selectors


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
    made = [make(user) for make in shown]
    return render(
        request,
        "analytics/forecast.html",
        {
            "tabs": dashboards.open_to(user),
            "forecast": weighted,
            "forecasts": made,
            "charts": [item.chart for item in made],
            "odds": forecasts.learned_probabilities(user),
            "holdout": forecasting.HOLDOUT,
            "may_forecast": True,
            "may_settings": permissions.can(user, "manage_settings"),
        },
    )


def _day(raw: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@require_safe
def people(request):
    return _people(request, None)


@require_POST
def people_weights(request):
    """The rating's weights, for the whole installation: saved and audited, then the page
    again; a number out of range is said beside its field, keeping what was typed."""
    if not rating.may_change(request.user):
        raise PermissionDenied
    form = RatingWeightsForm(request.POST)
    if form.is_valid():
        services.set_rating_weights(actor=request.user, weights=form.cleaned_data)
        messages.success(request, _("The rating's weights are saved."))
        return redirect("analytics:people")
    return _people(request, form, status=400)


def _people(request, form: RatingWeightsForm | None, status: int = 200):
    """Employee effectiveness: the reader's own figures, and those of whoever they oversee
    (a manager's team); one person's when asked, if the reader may see them."""
    user = request.user
    span = effectiveness.span_for(
        user, _day(request.GET.get("from", "")), _day(request.GET.get("to", ""))
    )
    shown = everyone = user_selectors.overseen(user)
    chosen = request.GET.get("person", "")
    if chosen:
        shown = [person for person in everyone if str(person.pk) == chosen]
        if not shown:
            raise PermissionDenied
    may_weigh = rating.may_change(user)
    weights = rating.weights()
    if form is None and may_weigh:
        form = RatingWeightsForm(initial=weights)
    return render(
        request,
        "analytics/people.html",
        {
            "tabs": dashboards.open_to(user),
            "may_forecast": permissions.can(user, "view_reports"),
            "charts": effectiveness.charts(
                user, shown, span, weights, overseen=activity_selectors.overseen_ids(user, everyone)
            ),
            "span": span,
            "people": everyone,
            "chosen": chosen,
            "weights_form": form if may_weigh else None,
        },
        status=status,
    )
