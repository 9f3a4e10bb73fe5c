"""The WSGI application that `clientela run` and any WSGI server serve."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
application = get_wsgi_application()
# Django reads the URL patterns — and with them the API's schemas, a few seconds of
# pydantic models — on a process's first request, which the load test saw as a first
# login or API call taking seconds. A process reads them before it serves anyone.
get_resolver().url_patterns  # noqa: B018
