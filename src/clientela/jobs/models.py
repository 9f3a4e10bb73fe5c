"""What the job kernel keeps besides the queue itself: live workers and claimed periods."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A running `clientela worker`; a job held by a worker that stopped beating is run again."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process"))
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class PeriodicClaim(models.Model):
    """The last period of a periodic job that some worker claimed: one run per period."""

    name = models.CharField(_("job"), max_length=255, unique=True)
    slot = models.BigIntegerField(_("period"))
    worker_id = models.CharField(_("worker"), max_length=64)
    claimed_at = models.DateTimeField(_("claimed"))

    class Meta:
        verbose_name = _("periodic job claim")
        verbose_name_plural = _("periodic job claims")

    def __str__(self) -> str:
        return f"{self.name} #{self.slot}"
