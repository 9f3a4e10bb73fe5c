"""Template tags of the languages: the JavaScript catalogue's address, the picker's choices."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, get_language_info

from clientela.core import catalogues

register = template.Library()


@register.simple_tag
def javascript_catalogue_url() -> str:
    """The catalogue of the page's language, at an address that changes with it and with
    the catalogues, so a browser may keep it."""
    query = urlencode({"l": get_language() or settings.LANGUAGE_CODE, "v": catalogues.version()})
    return f"{reverse('core:javascript-catalogue')}?{query}"


@register.simple_tag
def language_choices() -> list[dict[str, str | bool]]:
    """Each offered language in its own name ("Română", "हिन्दी"), the active one marked:
    a reader who cannot read the page's language still finds theirs."""
    active = get_language() or settings.LANGUAGE_CODE
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "active": code == active,
        }
        for code, _name in settings.LANGUAGES
    ]
