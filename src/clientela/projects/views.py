"""Project pages: the list, a project, its form, and moving it to the trash.
Thin: parse, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clientela.activities import record_page
from clientela.core import permissions, presenting, records
from clientela.core.concurrency import StaleRecordError
from clientela.core.forms import add_service_errors
from clientela.core.listing import page_context, page_of
from clientela.customers import selectors as customer_selectors
from clientela.projects import listing, selectors, services
from clientela.projects.forms import ProjectFilterForm, ProjectForm
from clientela.projects.models import Project, ProjectStatus
from clientela.users import selectors as user_selectors
from clientela.users.models import User


def _visible_project(request, pk: int) -> Project:
    try:
        return selectors.project_detail(request.user, pk)
    except Project.DoesNotExist:
        raise Http404 from None


@require_safe
def project_list(request):
    form = ProjectFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    spec = listing.project_spec(request.user)
    queryset = selectors.filter_list(request.user, selectors.project_list(request.user), data)
    page, sort = page_of(spec, queryset, data.get("sort", ""), request.GET.get("after"))
    shown, query = page_context(request, page, spec.chosen_columns(""), sort)
    return render(
        request,
        "projects/list.html",
        {
            **shown,
            "form": form,
            "has_filters": bool(query),
            "owners": user_selectors.by_name(),
            "statuses": ProjectStatus.choices,
            "may_add": permissions.scope(request.user, "project", "edit") != permissions.NONE,
        },
    )


@require_safe
def project_detail(request, pk: int):
    project = _visible_project(request, pk)
    shown = presenting.present(request.user, project)
    context = {
        **record_page.record_context(request, project),
        "record": shown,
        "project": shown,
        "client": project.client,
        "may_edit": permissions.allows(request.user, project, "edit"),
        "may_delete": permissions.allows(request.user, project, "delete"),
    }
    return record_page.render_record_page(request, "projects/detail.html", context)


def _client_from(request):
    """The client named by ?customer=company:5 (or contact:7), if the user may see it."""
    token = request.GET.get("customer") or request.POST.get("customer") or ""
    if not token:
        return None
    client = records.visible_record(request.user, token)
    if client._meta.model_name not in {"company", "contact"}:
        raise Http404
    return client


def _save(request, form: ProjectForm, project: Project | None, client):
    data = form.cleaned_data
    values = {
        "name": data["name"],
        "status": data["status"],
        "start_date": data["start_date"],
        "due_date": data["due_date"],
        "description": data["description"],
        "owner": User.objects.filter(pk=data["owner"]).first() if data["owner"] else None,
    }
    if project is None:
        if client is None:
            name = " ".join(data["company"].split())
            client = (
                customer_selectors.companies_for(request.user).filter(name__iexact=name).first()
            )
            if client is None:
                form.add_error(
                    "company",
                    _("No company by that name: add it first, or start from a person's page."),
                )
                return None
        values["client"] = client
    try:
        if project is None:
            return services.create_project(actor=request.user, data=values)
        return services.update_project(
            actor=request.user, project=project, data=values, expected_version=data["version"]
        )
    except (StaleRecordError, PermissionDenied) as error:
        form.add_error(None, str(error))
    except ValidationError as error:
        add_service_errors(form, error)
    return None


@require_http_methods(["GET", "POST"])
@permissions.adding_required("project")
def project_create(request):
    client = _client_from(request)
    initial = {"status": ProjectStatus.PLANNED, "owner": request.user.pk}
    form = ProjectForm(request.POST or None, initial=initial, client=client)
    if request.method == "POST" and form.is_valid():
        project = _save(request, form, None, client)
        if project is not None:
            messages.success(request, _("%(project)s was added.") % {"project": project})
            return redirect(project.get_absolute_url())
    return render(
        request,
        "projects/edit.html",
        {
            "form": form,
            "client": client,
            "customer": request.GET.get("customer") or request.POST.get("customer", ""),
            "title": _("New project for %(client)s") % {"client": client}
            if client is not None
            else _("New project"),
        },
    )


@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    project = _visible_project(request, pk)
    initial = {
        "name": project.name,
        "status": project.status,
        "start_date": project.start_date,
        "due_date": project.due_date,
        "owner": project.owner_id,
        "description": project.description,
        "version": project.version,
    }
    form = ProjectForm(request.POST or None, initial=initial, client=project.client)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, project, project.client)
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect(saved.get_absolute_url())
    return render(
        request,
        "projects/edit.html",
        {
            "form": form,
            "record": presenting.present(request.user, project),
            "client": project.client,
            "title": _("Edit %(project)s") % {"project": project},
        },
    )


@require_POST
def project_trash(request, pk: int):
    project = _visible_project(request, pk)
    try:
        services.trash_project(actor=request.user, project=project)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(project.get_absolute_url())
    messages.success(request, _("%(project)s was moved to the trash.") % {"project": project})
    client = project.client
    return redirect(client.get_absolute_url() if client is not None else "projects:list")
