"""Settings → Currencies: the base currency and the exchange rates, for roles that manage
settings."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientela.core import permissions
from clientela.core.currencies import selectors, services
from clientela.core.currencies.forms import BaseCurrencyForm, RateForm
from clientela.core.forms import submitted
from clientela.core.models import ExchangeRate
from clientela.core.money import format_rate

if TYPE_CHECKING:
    from clientela.core.actors import ActorRequest


def _page(
    request: ActorRequest,
    *,
    base_form: BaseCurrencyForm | None = None,
    rate_form: RateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    base = selectors.base_currency()
    context = {
        "base": base,
        "base_form": base_form or BaseCurrencyForm(initial={"currency": base}, prefix="base"),
        "rate_form": rate_form or RateForm(base=base, prefix="rate"),
        "rates": [(rate, format_rate(rate.rate)) for rate in selectors.recent_rates(base)],
        "valid_days": selectors.RATE_VALID_DAYS,
    }
    return render(request, "core/currencies.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permissions.capability_required("manage_settings")
def currencies(request: ActorRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = BaseCurrencyForm(request.POST, prefix="base")
    if submitted(request, form, partial(services.set_base_currency, actor=request.user)):
        messages.success(request, _("The base currency is saved."))
        return redirect("core:currencies")
    return _page(request, base_form=form, status=400)


@require_POST
@permissions.capability_required("manage_settings")
def add_rate(request: ActorRequest) -> HttpResponse:
    form = RateForm(request.POST, base=selectors.base_currency(), prefix="rate")
    if submitted(request, form, partial(services.save_rate, actor=request.user)):
        messages.success(request, _("The rate is saved."))
        return redirect("core:currencies")
    return _page(request, rate_form=form, status=400)


@require_POST
@permissions.capability_required("manage_settings")
def delete_rate(request: ActorRequest, pk: int) -> HttpResponse:
    rate = get_object_or_404(ExchangeRate, pk=pk)
    services.delete_rate(actor=request.user, rate=rate)
    messages.success(request, _("The rate is removed."))
    return redirect("core:currencies")
