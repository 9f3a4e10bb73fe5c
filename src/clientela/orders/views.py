"""Order pages: the list, a new order for a customer, an order with its invoices and
shipments, and the buttons that move it on. Thin: services write, selectors read."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clientela.activities import record_page
from clientela.core import filters, permissions, presenting, records
from clientela.core.concurrency import StaleRecordError
from clientela.core.forms import add_service_errors
from clientela.core.pagination import keyset_page
from clientela.orders import invoicing, pricing, selectors, services, shipping
from clientela.orders.forms import (
    CreditNoteForm,
    OrderFilterForm,
    OrderForm,
    PaymentForm,
    ShipmentForm,
    ShipmentStatusForm,
    StageForm,
    rearranged,
)
from clientela.orders.models import Invoice, Order, OrderStage, Shipment
from clientela.orders.pdf import invoice_pdf_for

PAGE_SIZE = 50
CUSTOMER_TYPES = {"contact", "company"}


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _refused(request, form, order: Order) -> HttpResponse:
    """A small form on the order page that did not validate: say why, back on the page."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}: {message}" if label else message)
    return redirect(order)


@require_safe
def order_list(request):
    form = OrderFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    stages = list(OrderStage.objects.all())
    orders = selectors.order_list(request.user)
    chosen = next((s for s in stages if s.key == data.get("stage")), None)
    if chosen is not None:
        orders = orders.filter(stage=chosen)
    if data.get("owner") == "me":
        orders = orders.filter(owner=request.user)
    orders = filters.narrow_list(request, selectors.filter_placed(orders, data))
    page = keyset_page(orders, ["-created_at", "-id"], request.GET.get("after"), PAGE_SIZE)
    page = replace(page, items=presenting.present_all(request.user, page.items))
    cutoff = selectors.stuck_cutoff()
    stuck = {order.pk for order in page.items if selectors.is_stuck(order, cutoff)}
    query = request.GET.copy()
    query.pop("after", None)
    next_query = query.copy()
    if page.next_cursor:
        next_query["after"] = page.next_cursor
    return render(
        request,
        "orders/list.html",
        {
            "page": page,
            "stages": stages,
            "chosen": chosen,
            "mine": data.get("owner") == "me",
            "placed": (
                (data.get("placed_from"), data.get("placed_to"))
                if data.get("placed_from") or data.get("placed_to")
                else None
            ),
            "sold": data.get("sold"),
            "stuck": stuck,
            "stuck_only": data.get("stuck"),
            "stuck_days": settings.ORDER_STUCK_AFTER_DAYS,
            "query": query.urlencode(),
            "next_query": next_query.urlencode() if page.next_cursor else "",
            "is_first_page": not request.GET.get("after"),
        },
    )


def _customer(request, token: str):
    if token.partition(":")[0] not in CUSTOMER_TYPES:
        raise Http404
    return records.visible_record(request.user, token)


@require_safe
@permissions.adding_required("order")
def order_customer(request):
    """A new order with no customer yet ("+" → Order): find the contact or company by name,
    e-mail or phone; each one found opens the order form for them (its prices are theirs)."""
    query = request.GET.get("q", "").strip()
    contacts, companies = selectors.customers_matching(request.user, query) if query else ([], [])
    return render(
        request,
        "orders/choose_customer.html",
        {"query": query, "contacts": contacts, "companies": companies},
    )


@require_http_methods(["GET", "POST"])
@permissions.adding_required("order")
def order_create(request):
    token = request.GET.get("customer") or request.POST.get("customer", "")
    if not token:  # the customer is chosen first: the price list and products are theirs
        return redirect("orders:choose-customer")
    customer = _customer(request, token)
    price_list, products = pricing.product_choices(request.user, customer)
    # "Add a row", "remove row n" and a changed row (htmx, which names no action) draw the
    # form again: no order is written.
    action = ""
    if request.method == "POST":
        action = request.POST.get("action", "") or ("recalc" if request.htmx else "")
    if action:  # drawn again as it was typed, unjudged: it is still being written
        form = OrderForm(products=products, initial=rearranged(request.POST, action).dict())
        if action == "add":  # the new row takes the focus
            form.fields[f"product_{form.row_total - 1}"].widget.attrs["autofocus"] = True
    else:
        form = OrderForm(
            request.POST or None, products=products, initial={"customer": token, "quantity_0": 1}
        )
    if form.is_bound and form.is_valid():
        try:
            order = services.create_order_for_customer(
                actor=request.user,
                customer=customer,
                lines=form.cleaned_data["lines"],
                quote=form.cleaned_data["quote"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(order)s saved.") % {"order": order})
            return redirect(order)
    context = {
        "form": form,
        "customer": presenting.present(request.user, customer),
        "price_list": presenting.present(request.user, price_list),
        "has_products": bool(products),
        "totals": form.running_total(),
    }
    if action == "recalc" and request.htmx:
        return render(request, "orders/_totals.html", context)
    return render(
        request,
        "orders/new.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )


def _visible_order(request, pk: int) -> Order:
    try:
        return selectors.order_detail(request.user, pk)
    except Order.DoesNotExist:
        raise Http404 from None


def _with_sums(user, invoices) -> list[Invoice]:
    """Each invoice with what was paid and what is due, as `user` may see them: the sums
    join the invoice through the presenter, so for a role without "see_sensitive" they are
    None before the invoice is presented, not only after."""
    summed = []
    for invoice in invoices:
        paid = sum((p.amount for p in invoice.payments.all()), Decimal(0))
        due = invoice.total - paid
        invoice.settled = due <= 0  # a state the page shows as "Paid", not an amount
        invoice.cancelled = bool(invoice.corrections.all())
        invoice.paid = presenting.shown(user, "invoice", "paid", paid)
        invoice.due = presenting.shown(user, "invoice", "due", due)
        summed.append(invoice)
    return summed


@require_safe
def order_detail(request, pk: int):
    user = request.user
    order = _visible_order(request, pk)
    lines = presenting.present_all(user, order.lines.all())
    invoices = presenting.present_all(user, _with_sums(user, order.invoices.all()))
    open_invoice = next((i for i in invoices if i.kind == "invoice" and not i.cancelled), None)
    timeline = record_page.timeline_page(user, order, cursor=request.GET.get("after"))
    to_ship = any(line.to_ship for line in lines) and not order.is_quote
    ship_refusal = shipping.ship_refusal(order) if to_ship else ""
    if request.htmx and request.htmx.target in {"timeline", "timeline-more"}:
        return render(request, "activities/_timeline.html", {"timeline": timeline})
    return render(
        request,
        "orders/detail.html",
        {
            "order": presenting.present(user, order),
            "deal": presenting.present(user, selectors.source_deal(user, order)),
            "lines": lines,
            "invoices": invoices,
            "open_invoice": open_invoice,
            "shipments": presenting.present_all(user, order.shipments.all()),
            "next_stages": [
                s for s in order.stage.next_stages.all() if s.active and s.key != services.SHIPPED
            ],
            "timeline": timeline,
            "payment_form": PaymentForm(
                initial={
                    "amount": open_invoice.due if open_invoice else None,
                    "received_on": timezone.localdate(),
                }
            ),
            "shipment_form": ShipmentForm(lines=lines),
            "can_ship": to_ship and not ship_refusal,
            "ship_refusal": ship_refusal,
            "shipment_statuses": cast(
                "forms.ChoiceField", ShipmentStatusForm.base_fields["status"]
            ).choices,
        },
    )


def _act(request, order, action) -> HttpResponse:
    """Run a service call from a button; its refusal is shown on the order page."""
    try:
        action()
    except StaleRecordError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        _errors(request, error)
    return redirect(order)


@require_POST
def order_move(request, pk: int):
    order = get_object_or_404(selectors.orders_for(request.user), pk=pk)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a stage."))
        return redirect(order)

    def move():
        target = services.move_order(
            actor=request.user,
            order=order,
            to=form.cleaned_data["to"],
            expected_version=form.cleaned_data["version"],
        )
        messages.success(
            request, _("%(order)s is now %(stage)s.") % {"order": order, "stage": target.stage}
        )

    return _act(request, order, move)


@require_POST
def invoice_create(request, pk: int):
    order = get_object_or_404(selectors.orders_for(request.user), pk=pk)

    def issue():
        invoice = invoicing.issue_invoice(actor=request.user, order=order)
        messages.success(request, _("Invoice %(n)s issued.") % {"n": invoice.number})

    return _act(request, order, issue)


def _invoice(request, pk: int, action: str = "view") -> Invoice:
    try:
        return selectors.invoice_for(request.user, pk, action)
    except Invoice.DoesNotExist:
        raise Http404 from None


@require_POST
def payment_create(request, pk: int):
    invoice = _invoice(request, pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        return _refused(request, form, invoice.order)

    def pay():
        invoicing.record_payment(
            actor=request.user,
            invoice=invoice,
            amount=form.cleaned_data["amount"],
            received_on=form.cleaned_data["received_on"],
            method=form.cleaned_data["method"],
            reference=form.cleaned_data["reference"],
        )
        messages.success(request, _("Payment recorded on %(n)s.") % {"n": invoice.number})

    return _act(request, invoice.order, pay)


@require_POST
def credit_note_create(request, pk: int):
    invoice = _invoice(request, pk)
    form = CreditNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the invoice is cancelled."))
        return redirect(invoice.order)

    def credit():
        note = invoicing.issue_credit_note(
            actor=request.user, invoice=invoice, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Credit note %(n)s issued.") % {"n": note.number})

    return _act(request, invoice.order, credit)


@require_safe
def invoice_download(request, pk: int):
    invoice = _invoice(request, pk)
    response = HttpResponse(invoice_pdf_for(request.user, invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


@require_POST
def shipment_create(request, pk: int):
    order = get_object_or_404(selectors.orders_for(request.user), pk=pk)
    form = ShipmentForm(request.POST, lines=list(order.lines.all()))
    if not form.is_valid():
        return _refused(request, form, order)

    def ship():
        shipment = shipping.create_shipment(
            actor=request.user,
            order=order,
            carrier=form.cleaned_data["carrier"],
            quantities=form.quantities(),
            tracking_number=form.cleaned_data["tracking_number"],
        )
        messages.success(request, _("%(s)s created.") % {"s": shipment})

    return _act(request, order, ship)


@require_POST
def shipment_status(request, pk: int):
    try:
        shipment = selectors.shipment_for(request.user, pk)
    except Shipment.DoesNotExist:
        raise Http404 from None
    form = ShipmentStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect(shipment.order)

    def update():
        shipping.update_shipment(
            actor=request.user,
            shipment=shipment,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
        messages.success(
            request,
            _("%(s)s: %(status)s.") % {"s": shipment, "status": shipment.get_status_display()},
        )

    return _act(request, shipment.order, update)
