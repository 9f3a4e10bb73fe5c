"""Contact and company pages: lists, details, forms, quick-add, bulk actions, merge."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clientela.activities import selectors as activity_selectors
from clientela.activities.models import ActivityKind, CallOutcome
from clientela.core import custom_fields, permissions, record_services
from clientela.core.concurrency import StaleRecordError
from clientela.core.forms import add_service_errors
from clientela.core.listing import page_context, page_of
from clientela.core.models import SavedView
from clientela.core.text import fold
from clientela.customers import listing, merging, selectors, services
from clientela.customers.duplicates import contact_suspects
from clientela.customers.forms import (
    CompanyForm,
    ContactForm,
    InlineCompanyForm,
    InlineContactForm,
    ListFilterForm,
    QuickAddForm,
    lines,
    tag_names,
)
from clientela.customers.models import Company, Contact, LifecycleStage, Merge
from clientela.users import selectors as user_selectors
from clientela.users.models import User

SPECS = {"contact": listing.contact_spec, "company": listing.company_spec}
LIST_URLS = {"contact": "contact-list", "company": "company-list"}
BULK_ACTIONS = {"assign", "tag", "stage", "trash", "merge"}


# Lists --------------------------------------------------------------------------------
def _list(request, record_type: str):
    spec = SPECS[record_type](request.user)
    form = ListFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    queryset = listing.apply_filters(
        request.user, spec, listing.base_queryset(request.user, record_type), data, request.GET
    )
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
    return redirect(LIST_URLS.get(record_type, "home"))


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
        return redirect("merge", record_type=record_type, pk=first.pk, other_pk=second.pk)
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
        elif action == "stage":
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
        return redirect("home")
    model = listing.MODELS[pending["type"]]
    records = list(model.objects.trashed().filter(pk__in=pending["ids"]))
    record_services.restore_from_trash(actor=request.user, records=records)
    messages.success(request, _("Restored."))
    return redirect(LIST_URLS[pending["type"]])


# Details ------------------------------------------------------------------------------
def _detail_context(request, record, record_type: str) -> dict:
    kinds = [k for k in request.GET.getlist("kind") if k]
    timeline = activity_selectors.timeline(record, kinds=kinds, cursor=request.GET.get("after"))
    health = []
    if not record.email and not record.phone:
        health.append(_("No phone or e-mail"))
    if record.owner_id is None:
        health.append(_("No owner"))
    if selectors.is_stale(record):
        health.append(_("No activity in %(days)d days") % {"days": settings.STALE_AFTER_DAYS})
    suspects = []
    if isinstance(record, Contact):
        suspects = contact_suspects(
            selectors.contacts_for(request.user),
            email=record.email,
            phones=[p.e164 for p in record.phones.all()],
            name=record.full_name,
            company_id=record.company_id,
            exclude_id=record.pk,
        )
        if suspects:
            health.append(_("Suspected duplicate"))
    return {
        **_facts_context(request.user, record, record_type),
        "token": f"{record_type}:{record.pk}",
        "timeline": timeline,
        "timeline_kinds": kinds,
        "counts": activity_selectors.timeline_counts(record),
        "tasks": activity_selectors.open_tasks_for_record(record),
        "files": activity_selectors.files_for_record(record),
        "health": health,
        "suspects": suspects,
        "users": user_selectors.by_name(),
        "kind_choices": ActivityKind.choices,
        "call_outcomes": CallOutcome.choices,
    }


@require_safe
def contact_detail(request, pk: int):
    try:
        contact = selectors.contact_detail(request.user, pk)
    except Contact.DoesNotExist:
        raise Http404 from None
    context = _detail_context(request, contact, "contact")
    context["employments"] = contact.employments.select_related("company")[:10]
    if request.htmx and request.htmx.target in {"timeline", "timeline-more"}:
        return render(request, "activities/_timeline.html", context)
    return render(request, "customers/record_detail.html", context)


@require_safe
def company_detail(request, pk: int):
    try:
        company = selectors.company_detail(request.user, pk)
    except Company.DoesNotExist:
        raise Http404 from None
    context = _detail_context(request, company, "company")
    context["people"] = (
        selectors.contact_list(request.user).filter(company=company).order_by("name_key", "id")[:50]
    )
    if request.htmx and request.htmx.target in {"timeline", "timeline-more"}:
        return render(request, "activities/_timeline.html", context)
    return render(request, "customers/record_detail.html", context)


# Forms --------------------------------------------------------------------------------
def _contact_data(request, form: ContactForm) -> dict:
    data = form.cleaned_data
    owner = User.objects.filter(pk=data["owner"]).first() if data["owner"] else None
    return {
        "given_name": data["given_name"],
        "family_name": data["family_name"],
        "full_name": data["full_name"],
        "position": data["position"],
        "company_name": data["company"],
        "emails": lines(data["emails"]),
        "phones": lines(data["phones"]),
        "lifecycle_stage": data["lifecycle_stage"],
        "source": data["source"],
        "owner": owner,
        "tags": tag_names(data["tags"]),
        "marketing_consent": data["marketing_consent"],
        "next_step": data["next_step"],
        "custom": form.custom_values(),
    }


def _company_data(form: CompanyForm) -> dict:
    data = form.cleaned_data
    owner = User.objects.filter(pk=data["owner"]).first() if data["owner"] else None
    fields = ("name", "legal_name", "tax_id", "industry", "size", "website", "status")
    return {
        # A field the user's role hides is not on the form, and so is left as it was.
        **{name: data[name] for name in fields if name in form.fields},
        "emails": lines(data["emails"]),
        "phones": lines(data["phones"]),
        "owner": owner,
        "tags": tag_names(data["tags"]),
        "custom": form.custom_values(),
    }


def _contact_initial(contact: Contact) -> dict:
    return {
        "given_name": contact.given_name,
        "family_name": contact.family_name,
        "full_name": contact.full_name,
        "position": contact.position,
        "company": contact.company.name if contact.company_id else "",
        "emails": "\n".join(e.address for e in contact.emails.all()),
        "phones": "\n".join(p.raw for p in contact.phones.all()),
        "lifecycle_stage": contact.lifecycle_stage_id,
        "source": contact.source,
        "owner": contact.owner_id,
        "tags": ", ".join(t.name for t in contact.tags.all()),
        "marketing_consent": contact.marketing_consent,
        "next_step": contact.next_step,
        "version": contact.version,
    }


def _company_initial(company: Company) -> dict:
    fields = ("name", "legal_name", "tax_id", "industry", "size", "website", "status", "version")
    return {
        **{name: getattr(company, name) for name in fields},
        "emails": "\n".join(e.address for e in company.emails.all()),
        "phones": "\n".join(p.raw for p in company.phones.all()),
        "owner": company.owner_id,
        "tags": ", ".join(t.name for t in company.tags.all()),
    }


def _edit(request, *, record, record_type, form_class, initial, to_data, title):
    """Create (record None) or edit; a stale save is refused and shows what to do."""
    custom = record.custom if record else {}
    form = form_class(
        request.POST or None, initial=initial, custom_values=custom, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = to_data(form)
            if record is None:
                create = (
                    services.create_contact if record_type == "contact" else services.create_company
                )
                record = create(actor=request.user, data=data)
                messages.success(request, _("%(name)s was added.") % {"name": record})
            else:
                update = (
                    services.update_contact if record_type == "contact" else services.update_company
                )
                update(
                    actor=request.user,
                    **{record_type: record},
                    data=data,
                    expected_version=form.cleaned_data.get("version"),
                )
                messages.success(request, _("Saved."))
            return redirect(record.get_absolute_url())
        except StaleRecordError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "customers/edit.html",
        {"form": form, "record": record, "record_type": record_type, "title": title},
    )


@require_http_methods(["GET", "POST"])
def contact_create(request):
    initial = {
        "lifecycle_stage": services.default_stage().pk,
        "owner": request.user.pk,
        "source": "manual",
    }
    return _edit(
        request,
        record=None,
        record_type="contact",
        form_class=ContactForm,
        initial=initial,
        to_data=lambda form: _contact_data(request, form),
        title=_("New contact"),
    )


@require_http_methods(["GET", "POST"])
def contact_edit(request, pk: int):
    contact = get_object_or_404(selectors.contact_list(request.user), pk=pk)
    return _edit(
        request,
        record=contact,
        record_type="contact",
        form_class=ContactForm,
        initial=_contact_initial(contact),
        to_data=lambda form: _contact_data(request, form),
        title=_("Edit %(name)s") % {"name": contact},
    )


@require_http_methods(["GET", "POST"])
def company_create(request):
    return _edit(
        request,
        record=None,
        record_type="company",
        form_class=CompanyForm,
        initial={"owner": request.user.pk, "status": "active"},
        to_data=_company_data,
        title=_("New company"),
    )


@require_http_methods(["GET", "POST"])
def company_edit(request, pk: int):
    company = get_object_or_404(selectors.company_list(request.user), pk=pk)
    return _edit(
        request,
        record=company,
        record_type="company",
        form_class=CompanyForm,
        initial=_company_initial(company),
        to_data=_company_data,
        title=_("Edit %(name)s") % {"name": company},
    )


# Quick-add ----------------------------------------------------------------------------
def _suspects_for(request, data) -> list:
    company_id = None
    if data.get("company", "").strip():
        company = (
            selectors.companies_for(request.user).filter(name_key=fold(data["company"])).first()
        )
        company_id = company.pk if company else None
    return contact_suspects(
        selectors.contacts_for(request.user),
        email=data.get("email", ""),
        phones=[data["phone"]] if data.get("phone", "").strip() else [],
        name=data.get("name", ""),
        company_id=company_id,
    )


@require_http_methods(["GET", "POST"])
def quick_add(request):
    form = QuickAddForm(request.POST or None)
    suspects = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        suspects = _suspects_for(request, data)
        if suspects and request.POST.get("confirm_duplicate") != "yes":
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
        return redirect("home")
    merging.undo(actor=request.user, merge_record=merge)
    model = listing.MODELS[merge.record_type]
    messages.success(request, _("The merge was undone."))
    return redirect(model.objects.get(pk=merge.survivor_id).get_absolute_url())


# Inline edit ----------------------------------------------------------------------------
INLINE = {
    "contact": (InlineContactForm, ("full_name", "position", "lifecycle_stage", "next_step")),
    "company": (InlineCompanyForm, ("name", "industry", "website", "status")),
}


def _facts_context(user, record, record_type: str) -> dict:
    """What the Details card shows: sensitive fields only to roles that may see them."""
    definitions = custom_fields.definitions(record_type, user)
    custom = [
        (d.label, custom_fields.display(d, (record.custom or {}).get(d.key))) for d in definitions
    ]
    return {
        "record": record,
        "record_type": record_type,
        "custom": [(label, value) for label, value in custom if value],
        "meetings_held": activity_selectors.meetings_held(record),
        "show_sensitive": permissions.sees_sensitive(user),
    }


@require_http_methods(["GET", "POST"])
def inline_edit(request, record_type: str, pk: int):
    """Edit the main facts in place: a stale save keeps what was typed and says why."""
    if record_type not in INLINE:
        raise Http404
    detail = selectors.contact_detail if record_type == "contact" else selectors.company_detail
    try:
        record = detail(request.user, pk)
    except (Contact.DoesNotExist, Company.DoesNotExist):
        raise Http404 from None
    if not request.htmx:
        return redirect(f"{record_type}-edit", pk=pk)
    if request.GET.get("cancel"):
        return render(
            request, "customers/_facts.html", _facts_context(request.user, record, record_type)
        )
    form_class, names = INLINE[record_type]
    initial = {name: getattr(record, name) for name in names}
    initial.update(owner=record.owner_id, version=record.version)
    if record_type == "contact":
        initial.update(company=record.company.name if record.company_id else "")
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in names}
        data["owner"] = User.objects.filter(pk=form.cleaned_data["owner"]).first()
        if record_type == "contact":
            data["company_name"] = form.cleaned_data["company"]
            if data["full_name"] != record.full_name:
                data["given_name"], data["family_name"] = services.split_name(data["full_name"])
        update = services.update_contact if record_type == "contact" else services.update_company
        try:
            record = update(
                actor=request.user,
                **{record_type: record},
                data=data,
                expected_version=form.cleaned_data["version"],
            )
        except StaleRecordError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            record = detail(request.user, pk)
            context = {**_facts_context(request.user, record, record_type), "saved": True}
            facts = render(request, "customers/_facts.html", context).content.decode()
            header = render(
                request, "customers/_record_header.html", {**context, "oob": True}
            ).content.decode()
            return HttpResponse(facts + header)
    return render(
        request,
        "customers/_facts_form.html",
        {"form": form, "record": record, "record_type": record_type},
    )
