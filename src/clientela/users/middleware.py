"""The language and time zone of a logged-in person's pages are the ones on their account
(R28)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserLanguageMiddleware:
    """After LocaleMiddleware (which follows the language cookie, then the browser's
    Accept-Language, for visitors) and AuthenticationMiddleware: a logged-in person with
    a language on their account gets it, on any device.

    It reads the user the request already loads (every page behind the login does), so it
    adds no query; `request.LANGUAGE_CODE` is set for LocaleMiddleware's response headers.
    A time zone on the account is the one dates are shown and date filters read in (a
    dashboard's month and the list it links to agree); otherwise the installation's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = getattr(user, "language", "")
            if language in self.languages and language != request.LANGUAGE_CODE:
                translation.activate(language)
                request.LANGUAGE_CODE = language
            zone = getattr(user, "time_zone", "")
            if zone:
                try:
                    timezone.activate(zoneinfo.ZoneInfo(zone))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    pass  # an unknown name typed in the admin: the installation's zone
                else:
                    try:
                        return self.get_response(request)
                    finally:
                        timezone.deactivate()
        return self.get_response(request)
