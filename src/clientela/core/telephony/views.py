"""Settings → Telephony: how a click on a phone number dials it."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clientela.core import permissions
from clientela.core.forms import submitted
from clientela.core.telephony import services
from clientela.core.telephony.forms import DialTemplateForm

if TYPE_CHECKING:
    from django.http import HttpResponse

    from clientela.core.actors import ActorRequest

EXAMPLE_NUMBER = "+40722123456"


@require_http_methods(["GET", "POST"])
@permissions.capability_required("manage_settings")
def telephony(request: ActorRequest) -> HttpResponse:
    current = services.dial_template()
    form = DialTemplateForm(
        request.POST if request.method == "POST" else None, initial={"template": current}
    )
    if (
        submitted(request, form, partial(services.set_dial_template, actor=request.user))
        is not None
    ):
        messages.success(request, _("The telephony settings are saved."))
        return redirect("core:telephony")
    context = {
        "form": form,
        "example": services.dial_href(EXAMPLE_NUMBER, current),
    }
    return render(request, "core/telephony.html", context, status=400 if form.is_bound else 200)
