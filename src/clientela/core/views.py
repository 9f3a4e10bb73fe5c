"""Pages of the shell: home, global search, and the health check for load balancers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clientela.activities import selectors as activity_selectors
from clientela.core import health
from clientela.core.search import search as global_search
from clientela.customers import selectors as customer_selectors

MAX_QUERY = 200


@require_safe
def home(request):
    day = activity_selectors.my_day(request.user)
    return render(
        request,
        "core/home.html",
        {
            "attention": customer_selectors.needs_attention(request.user),
            "overdue": day["overdue"][:5],
            "today": day["today"][:5],
        },
    )


@require_safe
def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    results = global_search(request.user, query, limit=50) if query else []
    return render(request, "core/search.html", {"query": query, "results": results})


@require_safe
def palette(request):
    """Results while typing in the Cmd/Ctrl+K palette."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    results = global_search(request.user, query, limit=8) if query else []
    return render(request, "core/_palette_results.html", {"query": query, "results": results})


@login_not_required
@never_cache
@require_safe
def healthz(request):
    result = health.check()
    return JsonResponse(result.as_dict(), status=200 if result.ok else 503)
