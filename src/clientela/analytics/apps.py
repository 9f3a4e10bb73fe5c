"""Registers the analytics app: the dashboards, figures read from the domain apps."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "clientela.analytics"
    label = "analytics"
    verbose_name = _("Dashboards")
