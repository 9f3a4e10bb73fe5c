"""Contact and company lists: filters, sorting, saved views, bulk actions and their undo."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from clientela.core import filters, record_services
from clientela.core.listing import page_context, page_of
from clientela.core.models import SavedView
from clientela.customers import listing, services
from clientela.customers.forms import (
    ListFilterForm,
    tag_names,
)
from clientela.customers.models import LifecycleStage
from clientela.users import selectors as user_selectors

SPECS = {"contact": listing.contact_spec, "company": listing.company_spec}
LIST_URLS = {"contact": "customers:contact-list", "company": "customers:company-list"}
BULK_ACTIONS = {"assign", "tag", "stage", "trash", "merge"}


# Lists --------------------------------------------------------------------------------
def _list(request, record_type: str):
    spec = SPECS[record_type](request.user)
    form = ListFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    queryset = listing.apply_filters(
        request.user, spec, listing.base_queryset(request.user, record_type), data, request.GET
    )
    queryset = filters.narrow_list(request, queryset)
    page, sort = page_of(spec, queryset, data.get("sort", ""), request.GET.get("after"))
    columns = spec.chosen_columns(data.get("cols", ""))
    shown, query = page_context(request, page, columns, sort)
    filters_query = {k: v for k, v in query.items() if k not in {"sort", "cols"}}
    context = {
        **shown,
        "record_type": record_type,
        "spec": spec,
        "form": form,
        "has_filters": bool(filters_query),
        "saved_views": SavedView.objects.filter(user=request.user, record_type=record_type),
        "stages": LifecycleStage.objects.all(),
        "owners": user_selectors.by_name(),
        "sort_links": _sort_links(query, columns, sort),
        "chosen_cols": {column.key for column in columns},
        "custom_filters": [(d, request.GET.get(f"cf_{d.key}", "")) for d in spec.custom],
        "list_url": reverse(LIST_URLS[record_type]),
    }
    template = "customers/_list_table.html" if request.htmx else "customers/list.html"
    return render(request, template, context)


def _sort_links(query, columns, sort: str) -> dict[str, dict]:
    links = {}
    for column in columns:
        if not column.sort:
            continue
        active = sort.lstrip("-") == column.sort
        descending = active and sort.startswith("-")
        target = query.copy()
        target["sort"] = column.sort if (not active or descending) else f"-{column.sort}"
        links[column.key] = {
            "url": "?" + target.urlencode(),
            "state": ("descending" if descending else "ascending") if active else "none",
        }
    return links


@require_safe
def contact_list(request):
    return _list(request, "contact")


@require_safe
def company_list(request):
    return _list(request, "company")


@require_POST
def save_view(request, record_type: str):
    if record_type not in SPECS:
        raise Http404
    name = " ".join(request.POST.get("name", "").split())[:80]
    query = request.POST.get("query", "")[:2000]
    target = reverse(LIST_URLS[record_type]) + (f"?{query}" if query else "")
    if not name:
        messages.error(request, _("Give the view a name."))
        return redirect(target)
    try:
        with transaction.atomic():
            SavedView.objects.update_or_create(
                user=request.user, record_type=record_type, name=name, defaults={"query": query}
            )
    except IntegrityError:
        messages.error(request, _("A view with this name exists."))
        return redirect(target)
    messages.success(request, _("View “%(name)s” saved.") % {"name": name})
    return redirect(target)


@require_POST
def delete_view(request, pk: int):
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    record_type = view.record_type
    view.delete()
    messages.success(request, _("View deleted."))
    return redirect(LIST_URLS.get(record_type, "workspace:home"))


@require_POST
def bulk_action(request, record_type: str):
    """Ask once what will happen, then do it; a trash move offers undo."""
    if record_type not in SPECS:
        raise Http404
    action = request.POST.get("action", "")
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()][:500]
    back = reverse(LIST_URLS[record_type]) + "?" + request.POST.get("query", "")
    if action not in BULK_ACTIONS or not ids:
        messages.error(request, _("Select some rows and an action first."))
        return redirect(back)
    records = list(listing.base_queryset(request.user, record_type).filter(pk__in=ids))
    if action == "merge":
        if len(records) != 2:
            messages.error(request, _("Select exactly two records to merge."))
            return redirect(back)
        first, second = sorted(records, key=lambda r: ids.index(r.pk))
        return redirect("customers:merge", record_type=record_type, pk=first.pk, other_pk=second.pk)
    owner = stage = None
    tags = tag_names(request.POST.get("tags", ""))
    if action == "assign":
        owner_id = request.POST.get("owner", "")
        owner = user_selectors.active_person(owner_id) if owner_id.isdigit() else None
        if owner is None and owner_id != "none":
            messages.error(request, _("Choose whom to assign them to."))
            return redirect(back)
    if action == "stage":
        stage = LifecycleStage.objects.filter(key=request.POST.get("stage", "")).first()
        if stage is None or record_type != "contact":
            messages.error(request, _("Choose a stage."))
            return redirect(back)
    if action == "tag" and not tags:
        messages.error(request, _("Type the tags to add."))
        return redirect(back)
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "customers/bulk_confirm.html",
            {
                "record_type": record_type,
                "records": records,
                "action": action,
                "owner": owner,
                "stage": stage,
                "tags": ", ".join(tags),
                "post": request.POST,
                "back": back,
            },
        )
    count = len(records)
    try:
        if action == "assign":
            record_services.assign_owner(actor=request.user, records=records, owner=owner)
            messages.success(
                request,
                ngettext("%(n)d record assigned.", "%(n)d records assigned.", count) % {"n": count},
            )
        elif action == "tag":
            services.add_tags(actor=request.user, records=records, names=tags)
            messages.success(
                request,
                ngettext("%(n)d record tagged.", "%(n)d records tagged.", count) % {"n": count},
            )
        elif action == "stage" and stage is not None:  # a missing stage was refused above
            services.change_stage(actor=request.user, contacts=records, stage=stage)
            messages.success(
                request,
                ngettext("%(n)d contact moved.", "%(n)d contacts moved.", count) % {"n": count},
            )
        else:
            record_services.move_to_trash(actor=request.user, records=records)
            request.session["undo_trash"] = {"type": record_type, "ids": [r.pk for r in records]}
            messages.success(
                request,
                ngettext(
                    "%(n)d record moved to the trash.", "%(n)d records moved to the trash.", count
                )
                % {"n": count},
                extra_tags="undo-trash",
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(back)


@require_POST
def undo_trash(request):
    pending = request.session.pop("undo_trash", None)
    if not pending or pending.get("type") not in listing.MODELS:
        messages.error(request, _("There is nothing to undo."))
        return redirect("workspace:home")
    model = listing.MODELS[pending["type"]]
    records = list(model.objects.trashed().filter(pk__in=pending["ids"]))
    record_services.restore_from_trash(actor=request.user, records=records)
    messages.success(request, _("Restored."))
    return redirect(LIST_URLS[pending["type"]])
