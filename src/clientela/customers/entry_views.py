"""Quick add with its duplicate check, and merging two duplicates (with undo)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clientela.core import permissions
from clientela.core.forms import add_service_errors
from clientela.core.text import fold
from clientela.customers import listing, merging, services
from clientela.customers.duplicates import company_suggestions, new_contact_suspects
from clientela.customers.forms import QuickAddForm, check_company
from clientela.customers.models import Merge


# Quick-add ----------------------------------------------------------------------------
def _suspects_for(request, data) -> list:
    return new_contact_suspects(
        request.user,
        name=data.get("name", ""),
        emails=[data.get("email", "")],
        phones=[data.get("phone", "")],
        company_name=data.get("company", ""),
    )


@require_http_methods(["GET", "POST"])
def quick_add(request):
    form = QuickAddForm(request.POST or None)
    suspects = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        suspects = _suspects_for(request, data)
        if check_company(form, request.user, request.POST):
            suspects = []  # the company first: the people there depend on it
        elif suspects and request.POST.get("confirm_duplicate") != "yes":
            form.add_error(
                None, _("This may be someone you have already. Open them, or add anyway.")
            )
        else:
            try:
                contact = services.quick_add_contact(
                    actor=request.user,
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    company_name=data["company"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s was added.") % {"name": contact})
                response = HttpResponse(status=204)
                if request.htmx:
                    response["HX-Redirect"] = contact.get_absolute_url()
                    return response
                return redirect(contact.get_absolute_url())
    template = "customers/_quick_add_form.html" if request.htmx else "customers/quick_add.html"
    return render(request, template, {"form": form, "suspects": suspects})


@require_safe
def quick_add_check(request):
    """While typing: who this might already be."""
    data = {key: request.GET.get(key, "") for key in ("name", "email", "phone", "company")}
    suspects = _suspects_for(request, data) if any(data.values()) else []
    return render(request, "customers/_suspects.html", {"suspects": suspects})


@require_safe
def company_suggest(request):
    """While typing in a company field: the companies like the text, and a new one."""
    typed = " ".join(request.GET.get("q", "")[:200].split())
    companies = company_suggestions(request.user, typed)
    exact = any(company.name_key == fold(typed) for company in companies)
    return render(
        request,
        "customers/_company_suggestions.html",
        {"companies": companies, "typed": typed, "offer_new": bool(typed) and not exact},
    )


# Merge --------------------------------------------------------------------------------
MERGE_LABELS = {
    "full_name": _("Name"),
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "position": _("Position"),
    "company_id": _("Company"),
    "lifecycle_stage_id": _("Lifecycle stage"),
    "source": _("Source"),
    "owner_id": _("Owner"),
    "marketing_consent": _("Agrees to marketing"),
    "next_step": _("Next step"),
    "custom": _("Custom fields"),
    "name": _("Name"),
    "legal_name": _("Legal name"),
    "tax_id": _("Tax id"),
    "industry": _("Industry"),
    "size": _("Size"),
    "website": _("Website"),
    "status": _("Status"),
}


def _shown(record, name: str) -> str:
    field = next((f for f in record._meta.concrete_fields if f.attname == name), None)
    if field is not None and field.is_relation:
        related = getattr(record, field.name)
        return str(related) if related else "—"
    value = getattr(record, name)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
    return str(value) if value not in ("", None) else "—"


@require_http_methods(["GET", "POST"])
def merge_view(request, record_type: str, pk: int, other_pk: int):
    if record_type not in listing.MODELS:
        raise Http404
    visible = listing.base_queryset(request.user, record_type)
    survivor = get_object_or_404(visible, pk=pk)
    duplicate = get_object_or_404(visible, pk=other_pk)
    # A field the role may not see is neither shown nor offered: the survivor keeps its own.
    hidden = permissions.hidden_fields(request.user, record_type)
    if not permissions.sees_sensitive(request.user):
        hidden.add("custom")
    names = [name for name in merging.MERGE_FIELDS[type(survivor)] if name not in hidden]
    if request.method == "POST":
        take = {name for name in names if request.POST.get(name) == "duplicate"}
        try:
            merge = merging.merge(
                actor=request.user, survivor=survivor, duplicate=duplicate, take_from_duplicate=take
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(survivor.get_absolute_url())
        request.session["undo_merge"] = merge.pk
        messages.success(
            request,
            _("%(duplicate)s was merged into %(survivor)s.")
            % {"duplicate": duplicate, "survivor": survivor},
            extra_tags="undo-merge",
        )
        return redirect(survivor.get_absolute_url())
    rows = [
        {
            "name": name,
            "label": MERGE_LABELS[name],
            "survivor": _shown(survivor, name),
            "duplicate": _shown(duplicate, name),
            "differs": _shown(survivor, name) != _shown(duplicate, name),
        }
        for name in names
    ]
    return render(
        request,
        "customers/merge.html",
        {"survivor": survivor, "duplicate": duplicate, "rows": rows, "record_type": record_type},
    )


@require_POST
def merge_undo(request):
    merge_id = request.session.pop("undo_merge", None)
    merge = Merge.objects.filter(
        pk=merge_id, created_by=request.user, undone_at__isnull=True
    ).first()
    if merge is None:
        messages.error(request, _("There is nothing to undo."))
        return redirect("workspace:home")
    merging.undo(actor=request.user, merge_record=merge)
    model = listing.MODELS[merge.record_type]
    messages.success(request, _("The merge was undone."))
    return redirect(model.objects.get(pk=merge.survivor_id).get_absolute_url())
