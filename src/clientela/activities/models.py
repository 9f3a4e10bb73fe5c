"""One timeline for every record (notes, calls, meetings, e-mails, messages), tasks and files."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core import phrases
from clientela.core.models import ChoiceLabels


class ActivityKind(models.TextChoices):
    NOTE = "note", _("Note")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail")
    MESSAGE = "message", _("Message")
    ORDER = "order", _("Order")
    TICKET = "ticket", _("Ticket")


class CallDirection(models.TextChoices):
    OUTBOUND = "outbound", _("Outgoing")
    INBOUND = "inbound", _("Incoming")


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Left voicemail")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class Activity(ChoiceLabels, models.Model):
    """Something that happened with a customer. Kind-specific fields stay empty for others."""

    # The other records an entry is on, and a meeting's attendees, given to a page's
    # entries by selectors.timeline.
    others: list[models.Model]
    attendee_list: list[MeetingAttendee]
    kind = models.CharField(_("type"), max_length=10, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    # What the product wrote by itself (an order placed) kept as a phrase, shown in the
    # reader's language; `subject` and `body` hold it in English for search and exports.
    subject_phrase = models.JSONField(null=True, blank=True, editable=False)
    body_phrase = models.JSONField(null=True, blank=True, editable=False)
    occurred_at = models.DateTimeField(_("when"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Calls
    direction = models.CharField(
        _("direction"), max_length=10, choices=CallDirection.choices, blank=True
    )
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    # The phone system's id of an imported call (or a key made of its time, numbers and
    # length when it gives none), so importing the same call log again adds nothing.
    external_id = models.CharField(_("phone system's call id"), max_length=200, blank=True)
    # Meetings
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.CharField(_("attendees"), max_length=500, blank=True)
    # Messages
    channel = models.CharField(_("channel"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="activity_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return self.subject_shown or self.get_kind_display()

    @property
    def subject_shown(self) -> str:
        return phrases.shown(self.subject, self.subject_phrase)

    @property
    def body_shown(self) -> str:
        return phrases.shown(self.body, self.body_phrase)

    @property
    def outcome_shown(self) -> str:
        """A call's outcome by its label ("No answer"); a meeting's as it was written."""
        return str(dict(CallOutcome.choices).get(self.outcome, self.outcome))


class TimelineLink(models.Model):
    """Puts an entry on one record's timeline. A call with a contact is linked to the contact
    and to their company; later a deal, order or ticket is linked the same way."""

    # The record linked, when the selectors load it for a page (None when it is gone).
    record: models.Model | None

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    # Copied from the entry so a timeline page is one ordered index range.
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=ActivityKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "content_type", "object_id"], name="timeline_link_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-occurred_at", "-activity"],
                name="timeline_record_idx",
            )
        ]


class MeetingAttendee(models.Model):
    """Someone at a meeting: a colleague, or a customer (the contact the meeting is with),
    with the address and language their invitation goes out in."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="meeting_attendees"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        indexes = [models.Index(fields=["user", "activity"], name="attendee_user_idx")]

    def __str__(self) -> str:
        return self.name


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class RepeatFrequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class TaskRepeat(models.Model):
    """How a task repeats: every `interval` days, weeks (on chosen weekdays) or months, until
    a date or a number of times. The tasks of a series share it and count their `occurrence`;
    the next one is made when one is done (activities.recurrence says when it is due)."""

    frequency = models.CharField(_("repeats"), max_length=10, choices=RepeatFrequency.choices)
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    # Weekdays as digits, Monday 0 … Sunday 6 ("024": Monday, Wednesday, Friday).
    weekdays = models.CharField(_("on"), max_length=7, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    times = models.PositiveSmallIntegerField(_("times"), null=True, blank=True)
    # The day of the month the series started on: a series on the 31st falls on the 30th
    # or the 28th in shorter months and comes back to the 31st after them.
    anchor_day = models.PositiveSmallIntegerField(default=1)
    # The first task's day (in the time zone below): the weeks of "every 2 weeks" count from it.
    starts_on = models.DateField()
    # Where the wall-clock time of each occurrence is kept (9:00 stays 9:00 across DST).
    time_zone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("task repeat")
        verbose_name_plural = _("task repeats")
        constraints = [
            models.CheckConstraint(
                condition=Q(interval__gte=1) & Q(interval__lte=99), name="task_repeat_interval"
            )
        ]


class Task(models.Model):
    # Whether the person looking may edit it, when a selector marks a page's tasks.
    changeable: bool
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    reminder_at = models.DateTimeField(_("remind me at"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    # The call this task was scheduled from ("call back tomorrow"), if any.
    source_activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    repeat = models.ForeignKey(
        TaskRepeat,
        verbose_name=_("repeats"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    # Which of its series' tasks this is (1 for the first): at most one of each number.
    occurrence = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_at"], name="task_assignee_idx"),
            models.Index(fields=["content_type", "object_id", "done_at"], name="task_record_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["repeat", "occurrence"],
                condition=Q(repeat__isnull=False),
                name="task_occurrence_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_at and not self.done_at and self.due_at < timezone.now())


class Attachment(models.Model):
    """A file on a record, or on one of its timeline entries (a call's recording)."""

    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type_header = models.CharField(max_length=120, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="file_record_idx"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_audio(self) -> bool:
        return self.content_type_header.startswith("audio/")

    @property
    def is_image(self) -> bool:
        return self.content_type_header.startswith("image/")


class TimerKind(models.TextChoices):
    TASK = "task", _("Task")
    CALL = "call", _("Call")
    RECORD = "record", _("Record")


class TimeEntry(models.Model):
    """Time a person spent, measured by the start/stop timer: on a task, on a call with a
    record's customer (logged as a call of that length when the timer stops), or on a record
    itself (a ticket). Running while `stopped_at` is empty; a person runs one at a time."""

    # The record it is on, when a selector loads it for a page (None when it is gone).
    record: models.Model | None

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("timed"), max_length=10, choices=TimerKind.choices)
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="time_entries"
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    # The call logged when a call's timer stopped.
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("started"))
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    seconds = models.PositiveIntegerField(_("seconds"), null=True, blank=True)

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        constraints = [
            # Starting a timer stops the one running; this holds it under concurrent starts.
            models.UniqueConstraint(
                fields=["user"], condition=Q(stopped_at__isnull=True), name="time_entry_one_running"
            ),
            models.CheckConstraint(
                condition=(Q(kind="task") & Q(task__isnull=False))
                | (~Q(kind="task") & Q(content_type__isnull=False, object_id__isnull=False)),
                name="time_entry_has_target",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "started_at"], name="time_entry_user_idx"),
            models.Index(fields=["content_type", "object_id"], name="time_entry_record_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.started_at:%Y-%m-%d %H:%M}"
