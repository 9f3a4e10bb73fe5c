"""Django's relative-time phrases ("5 minutes ago"), marked here too so that the product's
catalogues carry them: Django's own Hindi catalogue lacks them, and every list's "updated"
column and every timeline shows them. Never called: `{% when %}` (templatetags/ui.py) uses
Django's humanize formatter, which finds these translations in the product's catalogues."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext_lazy, npgettext_lazy

PHRASES = (
    gettext_lazy("%(delta)s ago"),
    ngettext_lazy("an hour ago", "%(count)s hours ago", "count"),
    ngettext_lazy("a minute ago", "%(count)s minutes ago", "count"),
    ngettext_lazy("a second ago", "%(count)s seconds ago", "count"),
    gettext_lazy("now"),
    ngettext_lazy("a second from now", "%(count)s seconds from now", "count"),
    ngettext_lazy("a minute from now", "%(count)s minutes from now", "count"),
    ngettext_lazy("an hour from now", "%(count)s hours from now", "count"),
    gettext_lazy("%(delta)s from now"),
    npgettext_lazy("naturaltime-past", "%(num)d year", "%(num)d years", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d month", "%(num)d months", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d week", "%(num)d weeks", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d day", "%(num)d days", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d hour", "%(num)d hours", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d minute", "%(num)d minutes", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d year", "%(num)d years", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d month", "%(num)d months", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d week", "%(num)d weeks", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d day", "%(num)d days", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d hour", "%(num)d hours", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d minute", "%(num)d minutes", "num"),
)
