"""The record of every backup taken: when, where, how big, and whether it was verified."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Backup(models.Model):
    class Kind(models.TextChoices):
        MANUAL = "manual", _("Manual")
        SCHEDULED = "scheduled", _("Scheduled")
        SAFETY = "safety", _("Before a restore")

    created_at = models.DateTimeField(_("taken at"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MANUAL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    path = models.CharField(_("archive"), max_length=1024, blank=True)
    size = models.BigIntegerField(_("size in bytes"), null=True, blank=True)
    checksum = models.CharField(_("SHA-256 of the archive"), max_length=64, blank=True)
    seconds = models.FloatField(_("time taken in seconds"), null=True, blank=True)
    # None until a verification ran; then whether restoring it reproduced every table.
    verified = models.BooleanField(_("verified"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.file_name or str(self.created_at)

    @property
    def file_name(self) -> str:
        return Path(self.path).name if self.path else ""

    @property
    def succeeded(self) -> bool:
        return not self.error and bool(self.path)
