"""Webhooks settings: subscriptions, their delivery log, redelivery, switching on and off."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clientela.core.forms import submitted
from clientela.core.permissions import capability_required
from clientela.webhooks import selectors, services
from clientela.webhooks.forms import SubscriptionForm
from clientela.webhooks.models import Delivery
from clientela.webhooks.services import SIGNATURE_HEADER


@never_cache
@capability_required("manage_settings")
@require_http_methods(["GET", "POST"])
def index(request):
    form = SubscriptionForm(request.POST or None)
    created = submitted(
        request, form, lambda **data: services.create_subscription(actor=request.user, **data)
    )
    status = 400 if request.method == "POST" and created is None else 200
    if created:
        form = SubscriptionForm()
    context = {
        "form": form,
        "subscriptions": selectors.subscriptions_for(request.user),
        "created": created,
        "signature_header": SIGNATURE_HEADER,
    }
    return render(request, "webhooks/index.html", context, status=status)


@capability_required("manage_settings")
@require_safe
def detail(request, pk: int):
    subscription = get_object_or_404(selectors.subscriptions_for(request.user), pk=pk)
    context = {"subscription": subscription, "deliveries": selectors.delivery_log(subscription)}
    return render(request, "webhooks/detail.html", context)


@capability_required("manage_settings")
@require_POST
def toggle(request, pk: int):
    subscription = get_object_or_404(selectors.subscriptions_for(request.user), pk=pk)
    services.set_active(
        actor=request.user, subscription=subscription, active=not subscription.is_active
    )
    messages.success(
        request, _("The webhook is on.") if subscription.is_active else _("The webhook is off.")
    )
    return redirect("webhooks:detail", pk=pk)


@capability_required("manage_settings")
@require_POST
def delete(request, pk: int):
    subscription = get_object_or_404(selectors.subscriptions_for(request.user), pk=pk)
    services.delete_subscription(actor=request.user, subscription=subscription)
    messages.success(request, _("The webhook is deleted."))
    return redirect("webhooks:index")


@capability_required("manage_settings")
@require_POST
def redeliver(request, pk: int):
    try:
        delivery = selectors.delivery_for(request.user, pk)
    except Delivery.DoesNotExist:
        raise Http404 from None
    services.redeliver(actor=request.user, delivery=delivery)
    messages.success(request, _("Sent again: the new attempt appears in the log."))
    return redirect("webhooks:detail", pk=delivery.subscription_id)
