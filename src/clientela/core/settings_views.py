"""The generic pages of every settings list (core.settings_pages): the list with what was
deleted lately, the form for a new or changed row, delete and put back. Thin: the page's
declaration says what to show, core.settings_services writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clientela.core import settings_services
from clientela.core.forms import add_service_errors
from clientela.core.models import AuditEntry
from clientela.core.pagination import keyset_page
from clientela.core.settings_pages import PAGES, SettingsPage

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet
    from django.http import HttpResponse

    from clientela.core.actors import ActorRequest

PAGE_SIZE = 100


def _page(request: ActorRequest, key: str) -> SettingsPage:
    page = PAGES[key]
    if not page.allows(request.user):
        raise PermissionDenied(_("Your role does not allow this."))
    return page


def _filters(page: SettingsPage, request: ActorRequest) -> dict[str, int]:
    """The list's narrowing by a related row (?price_list=3), whole numbers only."""
    chosen = {}
    for name in page.filters:
        value = request.GET.get(name, "")
        if value.isdigit():
            chosen[f"{name}_id"] = int(value)
    return chosen


def _cells(page: SettingsPage, row: Model) -> list[dict]:
    return [
        {
            "value": column.value(row),
            "numeric": column.numeric,
            "link": column.link(row) if column.link else "",
        }
        for column in page.columns
    ]


@require_safe
def settings_list(request: ActorRequest, key: str) -> HttpResponse:
    page = _page(request, key)
    chosen = _filters(page, request)
    rows: QuerySet = page.rows().filter(**chosen)
    found = keyset_page(rows, list(page.ordering), request.GET.get("after"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("after", None)
    next_query = query.copy()
    if found.next_cursor:
        next_query["after"] = found.next_cursor
    narrowed = next(iter(chosen.items()), None)
    return render(
        request,
        "core/settings_list.html",
        {
            "page": page,
            "rows": [
                {
                    "row": row,
                    "cells": _cells(page, row),
                    "url": reverse(page.url_name("edit"), args=[row.pk]) if page.editable else "",
                }
                for row in found.items
            ],
            "pager": found,
            "query": query.urlencode(),
            "next_query": next_query.urlencode() if found.next_cursor else "",
            "is_first_page": not request.GET.get("after"),
            "new_url": reverse(page.url_name("new"))
            + (f"?{narrowed[0][:-3]}={narrowed[1]}" if narrowed else ""),
            "narrowed_to": _narrowed_to(page, chosen),
            "deleted": settings_services.deleted_lately(page) if page.deletable else [],
        },
    )


def _narrowed_to(page: SettingsPage, chosen: dict[str, int]) -> Model | None:
    """The related row the list is narrowed to (the price list whose prices it shows)."""
    for attname, pk in chosen.items():
        related = getattr(page.model._meta.get_field(attname[:-3]), "related_model", None)
        if related is not None and not isinstance(related, str):
            found: Model | None = related._default_manager.filter(pk=pk).first()
            return found
    return None


def _return_url(page: SettingsPage, row: Model | None) -> str:
    """Back to the list, narrowed as it was when a row narrows it."""
    url = reverse(page.url_name())
    for name in page.filters:
        value = getattr(row, f"{name}_id", None) if row is not None else None
        if value:
            return f"{url}?{name}={value}"
    return url


@require_http_methods(["GET", "POST"])
def settings_edit(request: ActorRequest, key: str, pk: int | None = None) -> HttpResponse:
    page = _page(request, key)
    if page.single is not None:
        instance: Model | None = page.single()
    elif pk is not None:
        instance = get_object_or_404(page.rows(), pk=pk)
    else:
        instance = None
    # A new row of a narrowed list starts with its related row (a price on that list).
    initial = {attname[:-3]: value for attname, value in _filters(page, request).items()}
    form = page.form_class()(request.POST or None, instance=instance, initial=initial)
    for name in page.fixed_fields(instance):  # shown as they are, never changed
        if name in form.fields:
            form.fields[name].disabled = True
            form.fields[name].help_text = _("Built in: the application relies on it.")
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
        # The form wrote its values onto `instance`: the service starts from the row as it
        # is stored, so the audit trail sees what changed.
        stored = page.single() if page.single is not None else instance
        if stored is not None and stored.pk is not None:
            stored = page.rows().get(pk=stored.pk)
        try:
            saved = settings_services.save_setting(
                actor=request.user, page=page, instance=stored, data=data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                " ".join(
                    filter(None, [_("“%(name)s” saved.") % {"name": saved}, str(page.after_save)])
                ),
            )
            return redirect(
                reverse(page.url_name()) if page.single is not None else _return_url(page, saved)
            )
    return render(
        request,
        "core/settings_form.html",
        {
            "page": page,
            "form": form,
            "title": _title(page, instance),
            "instance": instance if page.single is None else None,
            "list_url": _return_url(page, instance) if page.single is None else "",
            "cancel_url": _return_url(page, instance)
            if page.single is None
            else reverse("workspace:settings"),
            "delete_url": reverse(page.url_name("delete"), args=[instance.pk])
            if instance is not None and page.deletable and page.single is None
            else "",
        },
        status=400 if form.errors else 200,
    )


def _title(page: SettingsPage, instance: Model | None) -> object:
    if page.single is not None:
        return page.label
    return instance if instance is not None else page.add_label


@require_POST
def settings_delete(request: ActorRequest, key: str, pk: int) -> HttpResponse:
    page = _page(request, key)
    instance = get_object_or_404(page.rows(), pk=pk)
    back = _return_url(page, instance)
    try:
        settings_services.delete_setting(actor=request.user, page=page, instance=instance)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(reverse(page.url_name("edit"), args=[pk]) if page.editable else back)
    messages.success(
        request,
        _("“%(name)s” deleted. It is listed under “Deleted lately” to put back.")
        % {"name": instance},
    )
    return redirect(back)


@require_POST
def settings_restore(request: ActorRequest, key: str, entry_id: int) -> HttpResponse:
    page = _page(request, key)
    entry = AuditEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    try:
        row = settings_services.restore_setting(actor=request.user, page=page, entry=entry)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(page.url_name())
    messages.success(request, _("“%(name)s” is back.") % {"name": row})
    return redirect(_return_url(page, row))
