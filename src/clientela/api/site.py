"""The ninja site: /api/v1/<resource> for every registered resource, token and session
authentication, rate limits, JSON errors, OpenAPI at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import re_path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle

from clientela.api import messages, services
from clientela.api.registry import discover, router_for
from clientela.api.requests import etag, token_of
from clientela.core.concurrency import StaleRecordError
from clientela.security import selectors as security_selectors

if TYPE_CHECKING:
    from django.urls import URLPattern, URLResolver

    from clientela.api.models import ApiToken
    from clientela.users.models import User

LOCATIONS = {"header", "query", "path", "body"}


def _two_factor_first(user: User) -> None:
    """The API answers no one the pages would send to the two-factor set-up page: not
    their browser session, and not a token of theirs, even one issued before two-factor
    became required for them (it works again once they have set it up)."""
    if security_selectors.must_set_up_two_factor(user):
        raise PermissionDenied(
            _(
                "Two-factor login is required for your account and is not set up yet: "
                "set it up at %(page)s, then try again."
            )
            % {"page": reverse("security:two-factor")}
        )


def _speak_their_language(request: HttpRequest, user: User) -> None:
    """A token's person gets answers in their account's language, as on their pages (the
    middleware that does it for pages knows only the browser's session): the messages the
    services and the schema write from here on."""
    language = getattr(user, "language", "")
    if language in dict(settings.LANGUAGES) and language != translation.get_language():
        translation.activate(language)
        request.LANGUAGE_CODE = language


class TokenAuth(HttpBearer):
    """`Authorization: Bearer clt_…`: a personal access token."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = services.authenticate(token)
        if found is not None:
            _speak_their_language(request, found.user)
            _two_factor_first(found.user)
        return found


class BrowserSession(SessionAuth):
    """The logged-in browser (the docs page, the app's own scripts), CSRF-checked on writes."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        _two_factor_first(user)
        return user


class PerClientThrottle(SimpleRateThrottle):
    """Requests per minute per token (per user for a browser session), counted in the
    Django cache, which every process shares (Redis, or files in the data folder)."""

    scope = "api"

    def get_rate(self) -> str:
        return f"{settings.API_RATE_PER_MINUTE}/m"

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = token_of(request)
        if token is not None:
            return f"api-rate:token:{token.pk}"
        user = getattr(request, "auth", None)
        return f"api-rate:user:{user.pk}" if user is not None and user.pk else None


class Site(NinjaAPI):
    def create_response(
        self, request: HttpRequest, data: Any, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        response = super().create_response(request, data, *args, **kwargs)
        if (
            isinstance(data, dict)
            and "id" in data
            and isinstance(data.get("version"), int)
            and response.status_code in {200, 201}
        ):
            response["ETag"] = etag(data["version"])
        return response


api = Site(
    title="Clientela API",
    version="1",
    description=_("Contacts, companies, timelines, tasks and more. See docs/api.md."),
    auth=[TokenAuth(), BrowserSession()],
    throttle=[PerClientThrottle()],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Assets come from the ninja package, never a CDN; no validator badge calling out.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)


def _errors(request: HttpRequest, items: list[dict], status: int = 422) -> HttpResponse:
    return api.create_response(request, {"detail": items}, status=status)


def _location(key: str, index: int | None) -> list[int | str]:
    # "lines.2.unit_price": a list item's index is a number, as in the schema's own errors.
    parts: list[int | str] = [
        int(part) if part.isdigit() else part for part in key.split(".") if part
    ]
    if not parts or parts[0] not in LOCATIONS:
        item: list[int | str] = [] if index is None else ["items", index]
        parts = ["body", *item, *parts]
    return parts


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    index = getattr(error, "item_index", None)
    if hasattr(error, "error_dict"):
        items = [
            {
                "loc": _location(key if key != "__all__" else "", index),
                "msg": msg,
                "type": "invalid",
            }
            for key, messages in error.message_dict.items()
            for msg in messages
        ]
    else:
        items = [
            {"loc": _location("", index), "msg": msg, "type": "invalid"} for msg in error.messages
        ]
    return _errors(request, items)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    items = [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in item.get("loc", [])],
            "msg": messages.message(item),
            "type": str(item.get("type", "invalid")),
        }
        for item in error.errors
    ]
    return _errors(request, items)


def _detail(message: str, index: int | None) -> str:
    return message if index is None else f"items[{index}]: {message}"


@api.exception_handler(StaleRecordError)
def on_stale(request: HttpRequest, error: StaleRecordError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": _detail(str(error), getattr(error, "item_index", None)),
            "current_version": error.current,
        },
        status=409,
    )


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    message = str(error) or _("Your role does not allow this.")
    return api.create_response(
        request, {"detail": _detail(message, getattr(error, "item_index", None))}, status=403
    )


def _not_found(request: HttpRequest, error: object) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _detail(_("Not found."), getattr(error, "item_index", None))},
        status=404,
    )


api.add_exception_handler(ObjectDoesNotExist, _not_found)
api.add_exception_handler(Http404, _not_found)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": _("Send a valid token: Authorization: Bearer <token>, or log in.")},
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, error: Throttled) -> HttpResponse:
    response = api.create_response(
        request, {"detail": _("Too many requests: slow down and retry later.")}, status=429
    )
    response["Retry-After"] = str(max(1, math.ceil(error.wait or 1)))
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    # Ninja's own (a body that is not JSON is a 400).
    return api.create_response(request, {"detail": str(error)}, status=error.status_code)


def _mount() -> None:
    for name, resource in discover().items():
        api.add_router(f"/v1/{name}", router_for(resource))


_mount()


def urlpatterns() -> list[URLPattern | URLResolver]:
    """The site's URLs, open to token callers: LoginRequiredMiddleware would send them to
    the login page; the site authenticates each call itself."""
    patterns, _app, _namespace = api.urls
    for pattern in patterns:
        # Ninja's patterns are all views (no includes), so each has a callback.
        view = cast("Callable[..., HttpResponse]", pattern.callback)
        pattern.callback = login_not_required(view)
    # Anything else under /api/ is a JSON 404 too, never the HTML page.
    return [*patterns, re_path(r"^.*$", not_found, name="not-found")]


@login_not_required
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return JsonResponse({"detail": _("Not found.")}, status=404)
