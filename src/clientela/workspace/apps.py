"""Registers the workspace app: the pages that bring every app together (home, settings)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "clientela.workspace"
    label = "workspace"
    verbose_name = _("Workspace")
