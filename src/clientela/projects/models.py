"""A project: work done for one client (a company or a person), with its own status and
dates; its tasks, meetings, files and timeline attach to it as to any record."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.links import record_url
from clientela.core.models import Record
from clientela.customers.models import Company, Contact


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# The statuses of work still to do: the client's page lists these first.
OPEN_STATUSES = (ProjectStatus.PLANNED, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)


class Project(Record):
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    # The client: a company or a person, exactly one of them.
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            models.Index(fields=["name_key", "id"], name="project_name_idx"),
            models.Index(fields=["due_date", "id"], name="project_due_idx"),
            models.Index(fields=["updated_at", "id"], name="project_updated_idx"),
            models.Index(fields=["status", "name_key", "id"], name="project_status_idx"),
            models.Index(fields=["owner", "name_key", "id"], name="project_owner_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=False, contact__isnull=True)
                | Q(company__isnull=True, contact__isnull=False),
                name="project_has_one_client",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(due_date__isnull=True)
                | Q(due_date__gte=models.F("start_date")),
                name="project_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("projects:detail", self.pk)

    @property
    def client(self) -> Company | Contact | None:
        return self.company if self.company_id else self.contact
