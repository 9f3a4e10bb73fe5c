"""The public satisfaction survey: no login, reached by the signed link of the survey
e-mail, shown in the customer's language (or the one they picked on the page). It
answers once; a changed or expired link gets a page that says so."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from clientela.core.forms import add_service_errors
from clientela.tickets import surveys
from clientela.tickets.forms import SurveyForm
from clientela.tickets.models import Survey

# A changed link is a bad request; an expired or withdrawn one is gone.
REFUSED_STATUS = {"tampered": 400, "expired": 410, "gone": 410}


def _language(request: HttpRequest, survey: Survey | None) -> str:
    """The language the visitor picked on the page, else the customer's, else the browser's."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or survey is None:
        return translation.get_language() or settings.LANGUAGE_CODE
    return survey.language or translation.get_language() or settings.LANGUAGE_CODE


@login_not_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = surveys.survey_for_token(token)
    except surveys.SurveyLinkError as error:
        return render(
            request,
            "tickets/survey_refused.html",
            {"reason": error.reason},
            status=REFUSED_STATUS[error.reason],
        )
    with translation.override(_language(request, found)):
        if found.answered_at is not None:
            # Answered: a second answer is refused politely, with the first one shown.
            status = 409 if request.method == "POST" else 200
            return render(
                request,
                "tickets/survey_answered.html",
                {"survey": found, "again": request.method == "POST"},
                status=status,
            )
        form = SurveyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                surveys.answer(found, **form.cleaned_data)
            except surveys.AlreadyAnswered:
                return redirect("tickets:survey", token=token)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("tickets:survey", token=token)
        return render(
            request,
            "tickets/survey.html",
            {"survey": found, "form": form},
            status=400 if form.errors else 200,
        )
