"""The record of every backup taken: when, where, how big, and whether it was verified."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


# Imports ------------------------------------------------------------------------------
class DuplicateMode(models.TextChoices):
    SKIP = "skip", _("Skip the row")
    UPDATE = "update", _("Update the existing record")
    CREATE = "create", _("Create a new record anyway")


class ImportRun(models.Model):
    """One file brought in: where it is, how its columns map, how far it got, what it did.
    `rows_done` moves in the same transaction as each batch, so a stopped run resumes from
    the last committed batch."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking the file")
        REFUSED = "refused", _("Refused")
        DRAFT = "draft", _("Being set up")
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")
        # Its process ended mid-way (killed, machine stopped): resumable, undoable.
        STOPPED = "stopped", _("Stopped")
        UNDOING = "undoing", _("Being undone")
        UNDONE = "undone", _("Undone")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    record_type = models.CharField(_("record type"), max_length=20)
    file_name = models.CharField(_("file"), max_length=255)
    path = models.CharField(max_length=1024)
    size = models.BigIntegerField(default=0)
    format = models.CharField(_("format"), max_length=10)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=list)  # a target key per column, "" to ignore
    duplicate_mode = models.CharField(
        _("when a row matches a record"),
        max_length=10,
        choices=DuplicateMode.choices,
        default=DuplicateMode.SKIP,
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    # Who a record goes to when the file's owner column names no one with an account
    # (None: the person importing).
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner when the file names no one with an account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The saved mapping chosen on upload, applied once the file is checked.
    template = models.ForeignKey(
        "MappingTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    # The last file row whose batch committed (1 = only the header).
    last_row = models.PositiveIntegerField(default=1)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # Rows stored with a warning: a value not taken as written (a phone, an owner).
    warned = models.PositiveIntegerField(default=0)
    # When this stretch of work started and at which count, for the rate and time left.
    started_at = models.DateTimeField(null=True, blank=True)
    stretch_started_at = models.DateTimeField(null=True, blank=True)
    stretch_start_rows = models.PositiveIntegerField(default=0)
    beat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["created_by", "-created_at"], name="import_run_user_idx")]

    def __str__(self) -> str:
        return self.file_name


class ImportRejection(models.Model):
    """A row the import could not store, with why: listed on the page and downloadable."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejections")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=255, blank=True)
    reason = models.TextField()
    values = models.JSONField(default=list)

    class Meta:
        ordering = ("row", "id")
        indexes = [models.Index(fields=["run", "row"], name="import_rejection_row_idx")]


class ImportNote(models.Model):
    """What the report says of a row the import did not simply create: it was skipped or
    merged into a record that was there (and why), or stored with a warning about one of
    its values (a phone it could not read, an owner with no account). On the page and in
    the downloadable report, beside the rejected rows."""

    class Kind(models.TextChoices):
        SKIPPED = "skipped", pgettext_lazy("import row", "Skipped")
        MERGED = "merged", pgettext_lazy("import row", "Merged")
        WARNING = "warning", pgettext_lazy("import row", "Warning")

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="notes")
    row = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    column = models.CharField(max_length=255, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ("row", "id")
        indexes = [models.Index(fields=["run", "row"], name="import_note_row_idx")]


class ImportedRecord(models.Model):
    """A record an import created or changed, with how it stood before: what undo reverses."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="records")
    record_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    created = models.BooleanField()
    before = models.JSONField(null=True)

    class Meta:
        indexes = [models.Index(fields=["run", "id"], name="imported_record_run_idx")]


class ExternalKey(models.Model):
    """A record's id in the system it was imported from, for matching later imports."""

    record_type = models.CharField(max_length=20)
    key = models.CharField(max_length=255)
    object_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_type", "key"], name="external_key_unique")
        ]


class MappingTemplate(models.Model):
    """A saved column mapping (header → field), reused for the next file from the same place."""

    name = models.CharField(_("name"), max_length=80)
    record_type = models.CharField(max_length=20)
    mapping = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(fields=["record_type", "name"], name="mapping_template_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SuspectedDuplicate(models.Model):
    """Two contacts an import found with one name at one company but another e-mail or
    phone: stored as two people, and listed in the merge queue until someone merges them
    (through the merge of customers.merging) or says they are two."""

    class Status(models.TextChoices):
        OPEN = "open", _("To look at")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Two people")

    run = models.ForeignKey(
        ImportRun, null=True, on_delete=models.SET_NULL, related_name="suspected_duplicates"
    )
    record_type = models.CharField(max_length=20, default="contact")
    first_id = models.BigIntegerField()  # the record that was there (or earlier in the file)
    second_id = models.BigIntegerField()  # the one the import created
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["status", "-created_at"], name="suspected_dup_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "first_id", "second_id"], name="suspected_dup_unique"
            )
        ]
