"""The API tokens page: a person issues, sees and revokes their own tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clientela.api import selectors, services
from clientela.api.forms import TokenForm
from clientela.core.forms import submitted

if TYPE_CHECKING:
    from clientela.users.requests import AuthenticatedRequest


@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = submitted(
        request, form, lambda **data: services.create_token(actor=request.user, **data)
    )
    new_token = created[1] if created else None
    status = 400 if request.method == "POST" and created is None else 200
    if created:
        form = TokenForm()
    context = {"form": form, "tokens": selectors.tokens_of(request.user), "new_token": new_token}
    return render(request, "api/tokens.html", context, status=status)


@require_POST
def revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    if services.revoke_token(actor=request.user, token_id=token_id):
        messages.success(request, _("The token is revoked: it no longer works."))
    else:
        messages.error(request, _("That token is not one of yours, or is already revoked."))
    return redirect("api:tokens")
