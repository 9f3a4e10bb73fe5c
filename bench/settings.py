"""The product's settings plus the bench app; pages render without collectstatic."""

from clientela.settings import *  # noqa: F403
from clientela.settings import INSTALLED_APPS, STORAGES

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
# Django's test Client sends Host "testserver"; the bench never serves the network.
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Pages are rendered in-process, not served: plain static storage needs no manifest.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ROOT_URLCONF = "bench.urls"
# The API figures call one token hundreds of times a minute; the throttle still runs on
# every call (its cache lookup is part of the cost) but never answers 429.
API_RATE_PER_MINUTE = 1_000_000
