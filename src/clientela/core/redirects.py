"""Where a form post goes back to: the page its `next` names when that page is on this
site, never another site (an open redirect would lend the CRM's name to a phishing link)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_url(request: HttpRequest, url: str | None) -> str | None:
    """`url` if it leads to this site (a path, or this host over the request's scheme or
    a safer one); None otherwise: another host, `//host`, `/\\host`, `javascript:`."""
    if not url:
        return None
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if allowed else None


def back(request: HttpRequest, fallback: Any, *args: Any, **kwargs: Any) -> HttpResponseRedirect:
    """A redirect to the `next` the request carries (POST, else GET) if it stays on this
    site, else to `fallback` (a URL, a URL name with its arguments, or a model)."""
    wanted = request.POST.get("next") or request.GET.get("next")
    target = safe_url(request, wanted)
    return HttpResponseRedirect(target or resolve_url(fallback, *args, **kwargs))
