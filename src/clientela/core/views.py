"""Pages of the kernel: global search, the audit trail, the health check, the JavaScript
catalogue, the favicon."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone, translation
from django.views.decorators.cache import cache_control, cache_page, never_cache
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

from clientela.core import audit, change_display, health
from clientela.core.forms import AuditFilterForm
from clientela.core.pagination import keyset_page
from clientela.core.permissions import capability_required
from clientela.core.search import search as global_search
from clientela.core.text import Echo

if TYPE_CHECKING:
    from clientela.core.actors import ActorRequest

MAX_QUERY = 200


AUDIT_PAGE = 50


@require_safe
@capability_required("view_audit_trail")
def audit_trail(request: ActorRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = keyset_page(
        audit.trail(**form.filters()), ["-at", "-id"], request.GET.get("after"), AUDIT_PAGE
    )
    memo: dict = {}
    shown = [
        (
            entry.content_type.model_class(),
            audit.shown_changes(
                audit.masked_changes(entry.changes, request.user, entry.content_type.model)
            ),
        )
        for entry in page.items
    ]
    change_display.prime(shown, memo)
    for entry, (model, changes) in zip(page.items, shown, strict=True):
        entry.readable = change_display.readable(model, changes, memo)
        entry.action_shown = change_display.action_label(entry.action)
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "core/audit_trail.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_safe
@capability_required("view_audit_trail")
def audit_export(request: ActorRequest) -> StreamingHttpResponse:
    """The whole filtered trail as CSV, streamed: an auditor's copy of any size."""
    form = AuditFilterForm(request.GET or None)
    entries = audit.trail(**form.filters()).order_by("-at", "-id")
    user = request.user

    def rows() -> Iterator[str]:
        writer = csv.writer(Echo())
        yield "\ufeff"  # spreadsheets read the file as UTF-8
        yield writer.writerow(audit.EXPORT_COLUMNS)
        for entry in entries.iterator(chunk_size=2000):
            yield writer.writerow(audit.export_row(entry, user))

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response


@require_safe
def search(request: ActorRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    results = global_search(request.user, query, limit=50) if query else []
    return render(request, "core/search.html", {"query": query, "results": results})


@require_safe
def palette(request: ActorRequest) -> HttpResponse:
    """Results while typing in the Cmd/Ctrl+K palette."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    results = global_search(request.user, query, limit=8) if query else []
    return render(request, "core/_palette_results.html", {"query": query, "results": results})


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    result = health.check()
    return JsonResponse(result.as_dict(), status=200 if result.ok else 503)


class JavaScriptCatalogue(JavaScriptCatalog):
    """The `djangojs` strings of the language in the URL (`?l=ro`), so that the page's
    language and the catalogue it loads always agree, and a browser may keep each
    language's copy (the URL also carries the catalogues' version)."""

    packages = ["clientela.core"]

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        language = request.GET.get("l", "")
        if language not in dict(settings.LANGUAGES):
            language = translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            return super().get(request, *args, **kwargs)


# Public: the login page's scripts read it too. Kept a day by the server's cache and the
# browser, per URL (language and version) and active language.
javascript_catalogue = login_not_required(
    require_safe(cache_page(60 * 60 * 24, key_prefix="jsi18n")(JavaScriptCatalogue.as_view()))
)


@login_not_required
@cache_control(max_age=86400, public=True)
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on their own, beside the icon the pages link:
    the stylesheet's neighbour in static (its hashed name, so it is cached for good)."""
    return redirect(static("clientela/favicon.ico"))
