"""Deal pages: the board, the list, a deal, its forms, moves, the funnel, pipeline settings.
Thin: parse, call a selector or a service, render."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clientela.activities import record_page
from clientela.core import custom_fields, filters, permissions, presenting, redirects
from clientela.core.concurrency import StaleRecordError
from clientela.core.currencies import selectors as currency_selectors
from clientela.core.forms import add_service_errors
from clientela.core.listing import page_context, page_of
from clientela.customers import selectors as customer_selectors
from clientela.customers.forms import check_company
from clientela.customers.services import company_named
from clientela.deals import listing, selectors, services
from clientela.deals.forms import DealContactsForm, DealFilterForm, DealForm
from clientela.deals.models import Deal, DealStatus, Pipeline, Stage
from clientela.orders import pricing
from clientela.orders.models import Order, Product
from clientela.users import selectors as user_selectors
from clientela.users.models import Team, User


def _filters(request) -> tuple[DealFilterForm, dict]:
    form = DealFilterForm(request.GET)
    return form, (form.cleaned_data if form.is_valid() else {})


def _filter_choices() -> dict:
    return {
        "owners": user_selectors.by_name(),
        "teams": Team.objects.all(),
        "stale_days": settings.DEAL_STALE_AFTER_DAYS,
    }


def _pipeline(pipeline_id: int | None) -> tuple[Pipeline, list[Pipeline]]:
    services.ensure_pipeline()
    all_pipelines = selectors.pipelines()
    if pipeline_id is None:
        return all_pipelines[0], all_pipelines
    chosen = next((p for p in all_pipelines if p.pk == pipeline_id), None)
    if chosen is None:
        raise Http404
    return chosen, all_pipelines


# The board ------------------------------------------------------------------------------
def _converted_totals(user, totals: dict, weighted: dict) -> dict:
    """The board's sums in the base currency. Open deals have no document day yet, so
    they are valued at today's rates: what the pipeline is worth now."""
    if presenting.shown(user, "deal", "amount", totals) is None or not totals:
        return {"totals_converted": None, "weighted_converted": None}
    converted = currency_selectors.convert_sums([totals, weighted], timezone.localdate())
    return {"totals_converted": converted[0], "weighted_converted": converted[1]}


@require_safe
def board(request, pipeline_id: int | None = None):
    pipeline, all_pipelines = _pipeline(pipeline_id)
    form, data = _filters(request)
    user = request.user
    columns = selectors.board(user, pipeline, data)
    totals, weighted = selectors.board_totals(columns)
    query = request.GET.urlencode()
    context = {
        "pipeline": pipeline,
        "pipelines": all_pipelines,
        "columns": [column.presented(user) for column in columns],
        "totals": presenting.shown(user, "deal", "amount", totals),
        "weighted": presenting.shown(user, "deal", "amount", weighted),
        **_converted_totals(user, totals, weighted),
        "form": form,
        "query": query,
        "may_settings": permissions.can(request.user, "manage_settings"),
        "board_url": reverse("deals:deal-board-pipeline", args=[pipeline.pk]),
        **_filter_choices(),
    }
    template = "deals/_board.html" if request.htmx else "deals/board.html"
    return render(request, template, context)


def _back_to(request, deal: Deal):
    return redirects.back(request, deal.get_absolute_url())


def _visible_deal(request, pk: int) -> Deal:
    try:
        return selectors.deal_detail(request.user, pk)
    except Deal.DoesNotExist:
        raise Http404 from None


def _version(request) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@require_POST
def deal_move(request, pk: int):
    """A card dropped on a column, or moved with its "Move to" menu. On the board (htmx)
    the answer is the board again, so every column total is right after the move."""
    deal = _visible_deal(request, pk)
    stage = Stage.objects.filter(pk=request.POST.get("stage") or 0, pipeline=deal.pipeline).first()
    try:
        if stage is None:
            raise ValidationError(_("Choose a stage of the deal's pipeline."))
        services.move_deal(
            actor=request.user, deal=deal, stage=stage, expected_version=_version(request)
        )
    except (StaleRecordError, ValidationError, PermissionDenied) as error:
        text = str(error) if not isinstance(error, ValidationError) else " ".join(error.messages)
        messages.error(request, text)
    else:
        messages.success(
            request, _("%(deal)s moved to %(stage)s.") % {"deal": deal, "stage": stage}
        )
    return _back_to(request, deal)


@require_POST
def deal_close(request, pk: int):
    """Won, or lost with its reason, in one step."""
    deal = _visible_deal(request, pk)
    outcome = request.POST.get("outcome", "")
    try:
        services.close_deal(
            actor=request.user,
            deal=deal,
            outcome=outcome,
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
        )
    except (StaleRecordError, PermissionDenied) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if outcome == DealStatus.WON:
            messages.success(request, _("%(deal)s is won.") % {"deal": deal})
        else:
            messages.success(request, _("%(deal)s is marked lost.") % {"deal": deal})
    return _back_to(request, deal)


@require_POST
def deal_reopen(request, pk: int):
    deal = _visible_deal(request, pk)
    try:
        services.reopen_deal(actor=request.user, deal=deal, expected_version=_version(request))
    except (StaleRecordError, PermissionDenied) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(deal)s is open again.") % {"deal": deal})
    return _back_to(request, deal)


@require_POST
def deal_trash(request, pk: int):
    deal = _visible_deal(request, pk)
    try:
        services.trash_deal(actor=request.user, deal=deal)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(deal.get_absolute_url())
    messages.success(request, _("%(deal)s was moved to the trash.") % {"deal": deal})
    return redirect("deals:deal-list")


# The list -----------------------------------------------------------------------------
@require_safe
def deal_list(request):
    form, data = _filters(request)
    spec = listing.deal_spec(request.user)
    queryset = selectors.filter_list(request.user, selectors.deal_list(request.user), data)
    queryset = filters.narrow_list(request, queryset)
    page, sort = page_of(spec, queryset, data.get("sort", ""), request.GET.get("after"))
    shown, query = page_context(request, page, spec.chosen_columns(""), sort)
    return render(
        request,
        "deals/list.html",
        {
            **shown,
            "form": form,
            "has_filters": bool(query),
            **_filter_choices(),
        },
    )


# A deal -------------------------------------------------------------------------------
@require_safe
def deal_detail(request, pk: int):
    deal = _visible_deal(request, pk)
    changes = selectors.stage_history(deal)
    definitions = custom_fields.definitions("deal", request.user)
    shown = presenting.present(request.user, deal, custom=[d.key for d in definitions])
    context = {
        **record_page.record_context(request, deal),
        "record": shown,
        "deal": shown,
        "changes": list(reversed(changes)),
        "stage_times": selectors.time_in_stages(deal, changes),
        "stages": list(deal.pipeline.stages.all()),
        "custom": [
            (d.label, custom_fields.display(d, (deal.custom or {}).get(d.key)))
            for d in definitions
            if (deal.custom or {}).get(d.key) not in (None, "")
        ],
        "may_edit": permissions.allows(request.user, deal, "edit"),
        "may_delete": permissions.allows(request.user, deal, "delete"),
        **_lines_context(request, deal),
    }
    return record_page.render_record_page(request, "deals/detail.html", context)


def _lines_context(request, deal: Deal) -> dict:
    """The deal's product lines, what may be done with them, and the products to add."""
    user = request.user
    may_change = permissions.allows(user, deal, "edit") and not deal.order_id
    customer = services.deal_customer(deal) if may_change else None
    price_list, products = pricing.product_choices(user, customer) if customer else (None, [])
    order = deal.order if deal.order_id and permissions.allows(user, deal.order, "view") else None
    return {
        "lines": presenting.present_all(user, deal.lines.all()),
        "may_change_lines": may_change,
        "has_customer": customer is not None,
        "price_list": presenting.present(user, price_list),
        "products": products,
        "order": presenting.present(user, order),
        "may_order": (
            deal.status == DealStatus.WON
            and not deal.order_id
            and permissions.scope(user, "order", "edit") != permissions.NONE
        ),
    }


def _deal_action(request, pk: int, action, done: str):
    """Run a service on a deal from one of its page's buttons; a refusal is said on the
    page. With htmx the page comes back whole and the deal's part of it is swapped."""
    deal = _visible_deal(request, pk)
    try:
        result = action(deal)
    except (StaleRecordError, PermissionDenied) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"deal": deal, "result": result})
        if isinstance(result, Order):
            return redirect(result.get_absolute_url())
    return redirect(reverse("deals:deal-detail", args=[deal.pk]) + "#deal-lines")


def _product(request) -> Product:
    raw = request.POST.get("product", "")
    product = Product.objects.filter(pk=raw, active=True).first() if raw.isdigit() else None
    if product is None:
        raise ValidationError(_("Choose a product from the list."))
    return product


@require_POST
def deal_line_add(request, pk: int):
    def add(deal):
        return services.add_deal_line(
            actor=request.user,
            deal=deal,
            product=_product(request),
            quantity=request.POST.get("quantity", ""),
            unit_price=request.POST.get("unit_price"),
            discount=request.POST.get("discount"),
            expected_version=_version(request),
        )

    return _deal_action(request, pk, add, _("Product added to %(deal)s."))


@require_POST
def deal_line(request, pk: int, line_pk: int):
    """Save a line's quantity, price and discount, or remove it (the button says which)."""
    removing = request.POST.get("action") == "remove"

    def change(deal):
        line = deal.lines.filter(pk=line_pk).first()
        if line is None:
            raise ValidationError(_("That line is no longer on the deal: reload the page."))
        if removing:
            return services.remove_deal_line(
                actor=request.user, deal=deal, line=line, expected_version=_version(request)
            )
        return services.change_deal_line(
            actor=request.user,
            deal=deal,
            line=line,
            quantity=request.POST.get("quantity", ""),
            unit_price=request.POST.get("unit_price"),
            discount=request.POST.get("discount"),
            expected_version=_version(request),
        )

    done = _("Product removed from %(deal)s.") if removing else _("Saved.")
    return _deal_action(request, pk, change, done)


@require_POST
def deal_order(request, pk: int):
    """A won deal becomes an order; the answer is the new order's page."""

    def order(deal):
        return services.order_from_won_deal(
            actor=request.user, deal=deal, expected_version=_version(request)
        )

    return _deal_action(request, pk, order, _("%(result)s placed from %(deal)s."))


def _stages():
    return Stage.objects.select_related("pipeline").order_by(
        "pipeline__position", "pipeline_id", "position"
    )


def _form_data(form: DealForm) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "stage": data["stage"],
        "pipeline": data["stage"].pipeline,
        "expected_close": data["expected_close"],
        "owner": User.objects.filter(pk=data["owner"]).first() if data["owner"] else None,
        "source": data["source"],
        "contacts": data["contacts"],
        "currency": data["currency"],
        "custom": form.custom_values(),
        **({"amount": data["amount"]} if "amount" in form.fields else {}),
    }


def _save_form(request, form: DealForm, deal: Deal | None):
    data = _form_data(form)
    name = form.cleaned_data["company"].strip()
    if check_company(form, request.user, request.POST):
        return None  # a company like the one typed is there: pick it, or confirm the new one
    try:
        current = deal.company if deal is not None and deal.company_id else None
        data["company"] = (
            company_named(actor=request.user, name=name, current=current) if name else None
        )
        if deal is None:
            return services.create_deal(actor=request.user, data=data)
        return services.update_deal(
            actor=request.user, deal=deal, data=data, expected_version=form.cleaned_data["version"]
        )
    except StaleRecordError as error:
        form.add_error(None, str(error))
    except ValidationError as error:
        add_service_errors(form, error)
    except PermissionDenied as error:
        form.add_error(None, str(error))
    return None


def _contact_choices(request, company_id):
    contacts = customer_selectors.contacts_for(request.user).order_by("name_key", "id")
    return contacts.filter(company_id=company_id) if company_id else contacts.none()


def _company_named(request, name: str):
    """The company the user may see that the deal form's company field names."""
    name = (name or "").strip()
    if not name:
        return None
    return customer_selectors.companies_for(request.user).filter(name__iexact=name).first()


@require_safe
def deal_contacts(request):
    """The deal form's Contacts field for the company just typed or picked: its people to
    choose from before the deal is saved, those already ticked kept ticked."""
    company = _company_named(request, request.GET.get("company", ""))
    form = DealContactsForm(
        initial={"contacts": request.GET.getlist("contacts")},
        contacts=_contact_choices(request, company.pk if company else None),
    )
    return render(request, "components/form_fields.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permissions.adding_required("deal")
def deal_create(request):
    pipeline = services.ensure_pipeline()
    company = None
    if request.GET.get("company", "").isdigit():
        company = (
            customer_selectors.companies_for(request.user).filter(pk=request.GET["company"]).first()
        )
    contact = None
    if request.GET.get("contact", "").isdigit():
        contact = (
            customer_selectors.contacts_for(request.user).filter(pk=request.GET["contact"]).first()
        )
        company = company or (contact.company if contact and contact.company_id else None)
    company_id = company.pk if company else None
    if request.method == "POST":
        match = _company_named(request, request.POST.get("company", ""))
        company_id = match.pk if match else None
    initial = {
        "stage": pipeline.stages.first(),
        "currency": currency_selectors.base_currency(),
        "owner": request.user.pk,
        "source": "manual",
        "company": company.name if company else "",
        "contacts": [contact.pk] if contact else [],
    }
    form = DealForm(
        request.POST or None,
        initial=initial,
        user=request.user,
        stages=_stages(),
        contacts=_contact_choices(request, company_id),
        custom={},
    )
    if request.method == "POST" and form.is_valid():
        deal = _save_form(request, form, None)
        if deal is not None:
            messages.success(request, _("%(deal)s was added.") % {"deal": deal})
            return redirect(deal.get_absolute_url())
    return render(request, "deals/edit.html", {"form": form, "title": _("New deal")})


@require_http_methods(["GET", "POST"])
def deal_edit(request, pk: int):
    deal = _visible_deal(request, pk)
    shown = presenting.present(request.user, deal)
    company_id = deal.company_id
    if request.method == "POST":
        match = _company_named(request, request.POST.get("company", ""))
        company_id = match.pk if match else None
    initial = {
        "name": deal.name,
        "company": deal.company.name if deal.company is not None else "",
        "stage": deal.stage_id,
        "amount": shown.amount,
        "currency": deal.currency,
        "expected_close": deal.expected_close,
        "owner": deal.owner_id,
        "source": deal.source,
        "contacts": [c.pk for c in deal.contacts.all()],
        "version": deal.version,
    }
    form = DealForm(
        request.POST or None,
        initial=initial,
        user=request.user,
        stages=_stages(),
        contacts=_contact_choices(request, company_id),
        custom=deal.custom or {},
        has_lines=deal.lines.exists(),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_form(request, form, deal)
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect(saved.get_absolute_url())
    return render(
        request,
        "deals/edit.html",
        {"form": form, "record": shown, "title": _("Edit %(deal)s") % {"deal": deal}},
    )


# The funnel ---------------------------------------------------------------------------
def _date(raw: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@require_safe
@permissions.capability_required("view_reports")
def funnel(request):
    pipeline_id = request.GET.get("pipeline", "")
    pipeline, all_pipelines = _pipeline(int(pipeline_id) if pipeline_id.isdigit() else None)
    start, end = _date(request.GET.get("from", "")), _date(request.GET.get("to", ""))
    owner_id = request.GET.get("owner", "")
    owner = User.objects.filter(pk=owner_id).first() if owner_id.isdigit() else None
    forecast = selectors.forecast(request.user, pipeline, owner=owner)
    return render(
        request,
        "deals/funnel.html",
        {
            "pipeline": pipeline,
            "pipelines": all_pipelines,
            "funnel": selectors.funnel(request.user, pipeline, start=start, end=end, owner=owner),
            "forecast": [month.presented(request.user) for month in forecast],
            "start": start,
            "end": end,
            "owner": owner,
            "owners": user_selectors.by_name(),
        },
    )


# Pipeline settings ----------------------------------------------------------------------
@require_safe
@permissions.capability_required("manage_settings")
def pipeline_settings(request):
    services.ensure_pipeline()
    return render(request, "deals/pipelines.html", {"pipelines": selectors.pipelines()})


STAGE_ROWS_EXTRA = 2


@require_http_methods(["GET", "POST"])
@permissions.capability_required("manage_settings")
def pipeline_edit(request, pk: int | None = None):
    pipeline = get_object_or_404(Pipeline, pk=pk) if pk else None
    if request.method == "POST":
        rows = [
            {
                "id": request.POST.get(f"stage-{i}-id", ""),
                "name": request.POST.get(f"stage-{i}-name", ""),
                "probability": request.POST.get(f"stage-{i}-probability", ""),
                "position": request.POST.get(f"stage-{i}-position", i),
                "delete": request.POST.get(f"stage-{i}-delete") == "on",
            }
            for i in range(min(int(request.POST.get("rows", "0") or 0), 40))
        ]
        # Empty new rows are the spare lines of the form, not stages.
        rows = [row for row in rows if row["id"] or row["name"].strip()]
        try:
            pipeline = services.save_pipeline(
                actor=request.user,
                pipeline=pipeline,
                name=request.POST.get("name", ""),
                stages=rows,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            stage_rows = [*rows, {"id": "", "name": "", "probability": "", "position": ""}]
            return render(
                request,
                "deals/pipeline_edit.html",
                {"pipeline": pipeline, "name": request.POST.get("name", ""), "rows": stage_rows},
                status=400,
            )
        messages.success(request, _("Pipeline “%(name)s” saved.") % {"name": pipeline})
        return redirect("deals:pipeline-settings")
    rows = [
        {"id": s.pk, "name": s.name, "probability": s.probability, "position": s.position}
        for s in (pipeline.stages.all() if pipeline else [])
    ]
    rows += [{"id": "", "name": "", "probability": "", "position": ""}] * STAGE_ROWS_EXTRA
    return render(
        request,
        "deals/pipeline_edit.html",
        {"pipeline": pipeline, "name": pipeline.name if pipeline else "", "rows": rows},
    )
