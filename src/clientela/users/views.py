"""People, teams and roles, administered in the product: thin views over users.services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clientela.core import handover, redirects
from clientela.core.forms import add_service_errors
from clientela.core.permissions import capability_required
from clientela.users import selectors, services
from clientela.users.forms import (
    AccessForm,
    DeactivateForm,
    InviteForm,
    LanguageForm,
    RoleForm,
    TeamForm,
)
from clientela.users.models import Role, User

if TYPE_CHECKING:
    from clientela.users.requests import AuthenticatedRequest

managers_only = capability_required("manage_users")


def _base_url(request: AuthenticatedRequest) -> str:
    return request.build_absolute_uri("/")


def _mail_is_set_up() -> bool:
    """Without a mail server (CLIENTELA_EMAIL_HOST) e-mails only reach the server's console."""
    return bool(settings.EMAIL_HOST)


@require_safe
@managers_only
def people(request: AuthenticatedRequest) -> HttpResponse:
    show_inactive = request.GET.get("inactive") == "on"
    return render(
        request,
        "users/people.html",
        {
            "people": selectors.people(show_inactive=show_inactive),
            "show_inactive": show_inactive,
            "teams": selectors.teams(),
            "team_form": TeamForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@managers_only
def invite(request: AuthenticatedRequest) -> HttpResponse:
    form = InviteForm(
        request.POST or None, initial={"role": services.role_named("sales-representative")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invite_user(
                actor=request.user, base_url=_base_url(request), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if _mail_is_set_up():
                messages.success(
                    request,
                    _("%(email)s is invited: the e-mail holds a link to choose a password.")
                    % {"email": user.email},
                )
                return redirect("users:people")
            messages.success(
                request,
                _(
                    "%(email)s is invited. Mail is not configured, so no e-mail went out: "
                    "copy the invitation link below and send it to them yourself."
                )
                % {"email": user.email},
            )
            return redirect("users:person", pk=user.pk)
    return render(request, "users/invite.html", {"form": form, "mail_is_set_up": _mail_is_set_up()})


@require_http_methods(["GET", "POST"])
@managers_only
def person(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User.objects.select_related("team", "role"), pk=pk)
    form = AccessForm(
        request.POST or None,
        initial={"full_name": member.full_name, "team": member.team, "role": member.role},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_access(actor=request.user, user=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(user)s is saved.") % {"user": member})
            return redirect("users:person", pk=member.pk)
    return _person_page(request, member, form, DeactivateForm(leaving=member))


def _person_page(
    request: AuthenticatedRequest,
    member: User,
    form: forms.Form,
    deactivate_form: DeactivateForm,
    status: int = 200,
) -> HttpResponse:
    invited = member.is_active and not member.has_usable_password()
    mail_is_set_up = _mail_is_set_up()
    return render(
        request,
        "users/person.html",
        {
            "member": member,
            "form": form,
            "deactivate_form": deactivate_form,
            "held": handover.held(member),
            "invited": invited,
            "mail_is_set_up": mail_is_set_up,
            "invitation_link": (
                services.invitation_link(member, _base_url(request))
                if invited and not mail_is_set_up
                else ""
            ),
        },
        status=status,
    )


@require_POST
@managers_only
def deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    form = DeactivateForm(request.POST, leaving=member)
    if form.is_valid():
        try:
            moved = services.deactivate_user(
                actor=request.user, user=member, successor=form.cleaned_data["successor"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            summary = ", ".join(f"{count} {label}" for label, count in moved.items())
            successor = form.cleaned_data["successor"]
            messages.success(
                request,
                _("%(user)s is deactivated; %(summary)s passed to %(successor)s.")
                % {"user": member, "summary": summary, "successor": successor}
                if moved
                else _("%(user)s is deactivated.") % {"user": member},
            )
            return redirect("users:person", pk=member.pk)
    access = AccessForm(
        initial={"full_name": member.full_name, "team": member.team, "role": member.role}
    )
    return _person_page(request, member, access, form, status=400)


@require_POST
@managers_only
def reactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    services.reactivate_user(actor=request.user, user=member)
    messages.success(request, _("%(user)s can log in again.") % {"user": member})
    return redirect("users:person", pk=member.pk)


@require_POST
@managers_only
def resend_invitation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    if not _mail_is_set_up():
        messages.error(request, _("Mail is not configured: copy the invitation link below."))
        return redirect("users:person", pk=member.pk)
    try:
        services.send_invitation(actor=request.user, user=member, base_url=_base_url(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The invitation is sent again to %(email)s.") % {"email": member.email}
        )
    return redirect("users:person", pk=member.pk)


@require_POST
@managers_only
def create_team(request: AuthenticatedRequest) -> HttpResponse:
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = services.create_team(actor=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Team %(team)s added.") % {"team": team})
    else:
        messages.error(request, _("A team needs a name."))
    return redirect("users:people")


@require_safe
@managers_only
def roles(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "users/roles.html", {"roles": selectors.roles()})


@require_http_methods(["GET", "POST"])
@managers_only
def role(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    existing = get_object_or_404(Role, pk=pk) if pk is not None else None
    form = RoleForm(request.POST or None, role=existing)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_role(
                actor=request.user,
                role=existing,
                name=form.cleaned_data["name"],
                permissions_value=form.permissions_value(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Role %(role)s is saved.") % {"role": saved})
            return redirect("users:roles")
    return render(request, "users/role.html", {"form": form, "role": existing})


# The language picker: the user menu's and the login page's --------------------------------
@login_not_required
@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """Save the language chosen (on the person's account when logged in, audited) and in
    the language cookie, which is what visitors' pages follow; then go back."""
    form = LanguageForm(request.POST)
    target = redirects.safe_url(request, form.data.get("next")) or "/"
    response = redirect(target)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages offered."))
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.set_language(actor=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


# Choosing a password: Django's pages, noting it for the home page's first steps ----------
class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            services.note_password_chosen(actor=form.user)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The reset link's page, which is also where an invited person first chooses one."""

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            services.note_password_chosen(actor=form.user)
        return response


@require_http_methods(["GET", "POST"])
def calendar_feed_settings(request: AuthenticatedRequest) -> HttpResponse:
    """One's calendar feed: its secret address, made anew or turned off."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_token(actor=request.user)
            messages.success(request, _("The calendar feed is off; its address no longer works."))
        else:
            services.renew_calendar_token(actor=request.user)
            messages.success(request, _("The calendar feed has a new address."))
        return redirect("users:calendar-feed")
    token = request.user.calendar_token
    feed_url = (
        request.build_absolute_uri(reverse("activities:calendar-feed", args=[token]))
        if token
        else ""
    )
    return render(request, "users/calendar_feed.html", {"feed_url": feed_url})
