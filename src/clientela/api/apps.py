"""The REST API: tokens, the ninja site under /api/v1, and the resource registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "clientela.api"
    label = "api"
    verbose_name = _("API")
