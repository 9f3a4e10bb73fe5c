"""Saved reports: a record type, a filter in the one filter language (core.filters), a
grouping and a measure, shared with a team or a role or kept private, and sent by e-mail
on a schedule. Each reader sees the figures their own role sees."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Measure(models.TextChoices):
    COUNT = "count", _("Count")
    SUM = "sum", _("Sum")
    AVERAGE = "avg", _("Average")
    MEDIAN = "median", _("Median")


class Schedule(models.TextChoices):
    NEVER = "", _("Not sent")
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every Monday")
    MONTHLY = "monthly", _("On the 1st of every month")


class Report(models.Model):
    name = models.CharField(_("name"), max_length=120)
    record_type = models.CharField(_("records"), max_length=40)
    filters = models.JSONField(_("filters"), default=list, blank=True)
    group_by = models.CharField(_("grouped by"), max_length=80)
    measure = models.CharField(
        _("measure"), max_length=10, choices=Measure.choices, default=Measure.COUNT
    )
    measure_field = models.CharField(_("of"), max_length=80, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "users.Team",
        verbose_name=_("shared with team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.ForeignKey(
        "users.Role",
        verbose_name=_("shared with role"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    schedule = models.CharField(
        _("e-mailed"), max_length=10, choices=Schedule.choices, default="", blank=True
    )
    last_sent_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("analytics:report", args=[self.pk])

    @property
    def source_label(self) -> str:
        """What it counts, as the builder names it: "Deals"."""
        from clientela.analytics.reports import SOURCES  # the engine builds on this model

        source = SOURCES.get(self.record_type)
        return str(source.label) if source is not None else self.record_type
