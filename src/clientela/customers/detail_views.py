"""A contact's or company's page: its details, the full forms, and editing facts in place."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from clientela.activities import record_page
from clientela.activities import selectors as activity_selectors
from clientela.core import custom_fields, permissions, presenting
from clientela.core.concurrency import StaleRecordError
from clientela.core.forms import add_service_errors
from clientela.customers import selectors, services
from clientela.customers.duplicates import contact_suspects, new_contact_suspects
from clientela.customers.forms import (
    CompanyForm,
    ContactForm,
    InlineCompanyForm,
    InlineContactForm,
    check_company,
    lines,
    tag_names,
)
from clientela.customers.models import Company, Contact
from clientela.customers.panels import lazy_panels
from clientela.users.models import User


# Details ------------------------------------------------------------------------------
def _detail_context(request, record, record_type: str) -> dict:
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
        **record_page.record_context(request, record, timeline_later=True),
        **_facts_context(request.user, record, record_type),
        "health": health,
        "suspects": suspects,
        "panels": lazy_panels(request.user, record_type, record.pk),
        "timeline_panel": _timeline_panel(request, record_type, record.pk),
    }


def _timeline_panel(request, record_type: str, pk: int) -> dict:
    """The timeline's placeholder, asking for the kinds and page this address asks for."""
    panel = lazy_panels(request.user, record_type, pk, place="main")[0]
    if request.GET:
        panel["url"] += "?" + request.GET.urlencode()
    return panel


@require_safe
def contact_detail(request, pk: int):
    try:
        contact = selectors.contact_detail(request.user, pk)
    except Contact.DoesNotExist:
        raise Http404 from None
    context = _detail_context(request, contact, "contact")
    context["employments"] = contact.employments.select_related("company")[:10]
    return record_page.render_record_page(request, "customers/record_detail.html", context)


@require_safe
def company_detail(request, pk: int):
    try:
        company = selectors.company_detail(request.user, pk)
    except Company.DoesNotExist:
        raise Http404 from None
    context = _detail_context(request, company, "company")
    return record_page.render_record_page(request, "customers/record_detail.html", context)


# Forms --------------------------------------------------------------------------------
def _contact_data(request, form: ContactForm, *, creating: bool = False) -> dict:
    data = form.cleaned_data
    # A new contact takes the company its name check found (services.company_named's
    # choice, looked up once); an edited one keeps the service's rule for its company.
    found = getattr(form, "company_found", None) if creating else None
    return {
        "given_name": data["given_name"],
        "family_name": data["family_name"],
        "full_name": data["full_name"],
        "position": data["position"],
        **({"company": found} if found is not None else {"company_name": data["company"]}),
        "emails": lines(data["emails"]),
        "phones": lines(data["phones"]),
        "lifecycle_stage": data["lifecycle_stage"],
        "source": data["source"],
        "owner": form.chosen_owner(),
        "tags": tag_names(data["tags"]),
        "marketing_consent": data["marketing_consent"],
        "next_step": data["next_step"],
        "language": data["language"],
        "custom": form.custom_values(),
    }


def _company_data(form: CompanyForm) -> dict:
    data = form.cleaned_data
    fields = ("name", "legal_name", "tax_id", "industry", "size", "website", "status")
    return {
        # A field the user's role hides is not on the form, and so is left as it was.
        **{name: data[name] for name in fields if name in form.fields},
        "emails": lines(data["emails"]),
        "phones": lines(data["phones"]),
        "owner": form.chosen_owner(),
        "tags": tag_names(data["tags"]),
        "custom": form.custom_values(),
    }


def _contact_initial(contact: Contact) -> dict:
    return {
        "given_name": contact.given_name,
        "family_name": contact.family_name,
        "full_name": contact.full_name,
        "position": contact.position,
        "company": contact.company.name if contact.company is not None else "",
        "emails": "\n".join(e.address for e in contact.emails.all()),
        "phones": "\n".join(p.raw for p in contact.phones.all()),
        "lifecycle_stage": contact.lifecycle_stage_id,
        "source": contact.source,
        "owner": contact.owner_id,
        "tags": ", ".join(t.name for t in contact.tags.all()),
        "marketing_consent": contact.marketing_consent,
        "next_step": contact.next_step,
        "language": contact.language,
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


def _contact_checks(request, form: ContactForm, contact: Contact | None) -> dict:
    """A new contact is checked as quick add checks one (the same duplicate service); the
    company it names, new or edited, as every company field is."""
    data = form.cleaned_data
    suspects = []
    if contact is None and request.POST.get("confirm_duplicate") != "yes":
        name = data["full_name"] or " ".join(
            part for part in (data["given_name"], data["family_name"]) if part
        )
        suspects = new_contact_suspects(
            request.user,
            name=name,
            emails=lines(data["emails"]),
            phones=lines(data["phones"]),
            company_name=data["company"],
        )
    check_company(form, request.user, request.POST)  # shown beside any person found
    if suspects:
        form.add_error(None, _("This may be someone you have already. Open them, or add anyway."))
    return {"suspects": suspects}


def _company_checks(request, form: CompanyForm, company: Company | None) -> dict:
    """A company's own name is checked against those like it, as a company field's is."""
    check_company(form, request.user, request.POST, field="name", company=company or Company())
    return {}


ADDRESS_PARTS = ("street", "city", "postal_code", "region", "country")


def _main_address_initial(record) -> dict:
    first = record.addresses.first() if record is not None else None
    return {part: getattr(first, part) for part in ADDRESS_PARTS} if first else {}


def _addresses(form, record) -> list[dict]:
    """The form's main address first, the record's other addresses kept as they are."""
    first = record.addresses.first() if record is not None else None
    main = {
        "address_kind": first.address_kind if first else "work",
        **{part: form.cleaned_data[part] for part in ADDRESS_PARTS},
    }
    others = list(record.addresses.all()[1:]) if record is not None else []
    kept = [
        {"address_kind": a.address_kind, **{p: getattr(a, p) for p in ADDRESS_PARTS}}
        for a in others
    ]
    return [main, *kept]


def _edit(request, *, record, record_type, form_class, initial, to_data, title, checks):
    """Create (record None) or edit; a stale save is refused and shows what to do, and the
    record's `checks` (duplicates) may stop the save with what they found."""
    custom = record.custom if record else {}
    initial = {**initial, **_main_address_initial(record)}
    form = form_class(
        request.POST or None, initial=initial, custom_values=custom, user=request.user
    )
    found: dict = {}
    if request.method == "POST" and form.is_valid():
        found = checks(request, form, record)
    if request.method == "POST" and form.is_valid():
        try:
            data = to_data(form)
            if all(part in form.fields for part in ADDRESS_PARTS):  # not hidden from the role
                data["addresses"] = _addresses(form, record)
            if record is None:
                create = (
                    services.create_contact if record_type == "contact" else services.create_company
                )
                record = create(
                    actor=request.user, data=data, custom_definitions=form.all_custom_definitions
                )
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
                    custom_definitions=form.all_custom_definitions,
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
        {"form": form, "record": record, "record_type": record_type, "title": title, **found},
    )


@require_http_methods(["GET", "POST"])
@permissions.adding_required("contact")
def contact_create(request):
    initial = {"owner": request.user.pk, "source": "manual"}
    if request.method != "POST":  # a posted form shows what was posted: no default to read
        initial["lifecycle_stage"] = services.default_stage().pk
    return _edit(
        request,
        record=None,
        record_type="contact",
        form_class=ContactForm,
        initial=initial,
        to_data=lambda form: _contact_data(request, form, creating=True),
        title=_("New contact"),
        checks=_contact_checks,
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
        checks=_contact_checks,
    )


@require_http_methods(["GET", "POST"])
@permissions.adding_required("company")
def company_create(request):
    return _edit(
        request,
        record=None,
        record_type="company",
        form_class=CompanyForm,
        initial={"owner": request.user.pk, "status": "active"},
        to_data=_company_data,
        title=_("New company"),
        checks=_company_checks,
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
        checks=_company_checks,
    )


# Inline edit ----------------------------------------------------------------------------
INLINE = {
    "contact": (InlineContactForm, ("full_name", "position", "lifecycle_stage", "next_step")),
    "company": (InlineCompanyForm, ("name", "industry", "website", "status")),
}


def _facts_context(user, record, record_type: str) -> dict:
    """What the Details card shows, the record presented (core.presenting): a sensitive
    field (a company's tax id) reads None for a role that may not see it."""
    definitions = custom_fields.definitions(record_type, user)
    custom = [
        (d.label, custom_fields.display(d, (record.custom or {}).get(d.key))) for d in definitions
    ]
    return {
        "record": presenting.present(user, record, custom=[d.key for d in definitions]),
        "record_type": record_type,
        "custom": [(label, value) for label, value in custom if value],
        "meetings_held": activity_selectors.meetings_held(record),
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
        return redirect(f"customers:{record_type}-edit", pk=pk)
    if request.GET.get("cancel"):
        return render(
            request, "customers/_facts.html", _facts_context(request.user, record, record_type)
        )
    form_class, names = INLINE[record_type]
    initial = {name: getattr(record, name) for name in names}
    initial.update(owner=record.owner_id, version=record.version)
    if isinstance(record, Contact):
        initial.update(company=record.company.name if record.company is not None else "")
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in names}
        data["owner"] = User.objects.filter(pk=form.cleaned_data["owner"]).first()
        if isinstance(record, Contact):
            data["company_name"] = form.cleaned_data["company"]
            if data["full_name"] != record.full_name:
                data["given_name"], data["family_name"] = services.split_name(data["full_name"])
        try:
            if isinstance(record, Contact):
                record = services.update_contact(
                    actor=request.user,
                    contact=record,
                    data=data,
                    expected_version=form.cleaned_data["version"],
                )
            else:
                record = services.update_company(
                    actor=request.user,
                    company=record,
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
