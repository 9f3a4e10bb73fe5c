"""Abstract models every customer record shares: timestamps, owner, version, trash."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from clientela.core import permissions

if TYPE_CHECKING:
    from django.contrib.contenttypes.models import ContentType

    from clientela.core.actors import Actor


def model_name(model: models.Model | type[models.Model]) -> str:
    """A model's lower-case name, its record type ("contact"). Set on every model Django
    has registered; the stubs leave room for the unregistered Options, hence this one place."""
    name = model._meta.model_name
    assert name is not None  # set by ModelBase for every model class
    return name


def model_of(content_type: ContentType) -> type[models.Model]:
    """The model of a content type the records point at; those models are installed (a
    content type left by a removed app names none, and no record points at one)."""
    model = content_type.model_class()
    assert model is not None
    return model


# Each choice field's labels in each language, translated once per process.
_CHOICE_LABELS: dict[tuple[models.Field, str | None], dict[Any, str]] = {}


class ChoiceLabels:
    """A model mixin: its choice fields' labels (get_<field>_display) translated once per
    field and language. Django's own translates every label of the field on each call (it
    hashes the lazy labels): a list of 50 tickets spent a third of its time there. On the
    models whose labels are shown row by row (records, timeline entries, messages)."""

    def _get_FIELD_display(self, field: models.Field) -> Any:
        value = getattr(self, field.attname)
        if isinstance(field.choices, CallableChoiceIterator):  # choices that may change
            return super()._get_FIELD_display(field)
        key = (field, translation.get_language())
        labels = _CHOICE_LABELS.get(key)
        if labels is None:
            labels = {choice: str(label) for choice, label in field.flatchoices}
            _CHOICE_LABELS[key] = labels
        try:
            return labels.get(value, value)
        except TypeError:  # an unhashable value: Django's own way
            return super()._get_FIELD_display(field)  # type: ignore[misc]


class TimeStamped(ChoiceLabels, models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class RecordQuerySet(models.QuerySet):
    """Every record type's queries: the trash and the one visibility rule, said once."""

    def live(self) -> Self:
        """Records not in the trash."""
        return self.filter(deleted_at__isnull=True)

    def trashed(self) -> Self:
        return self.filter(deleted_at__isnull=False)

    def visible_to(self, user: Actor | None, action: str = "view") -> Self:
        """Those of these records `user` may `action` by their role's scope (own, team,
        all), as NetBox's RestrictedQuerySet.restrict does; trashed ones are not dropped,
        so `.live().visible_to(user)` is a list and `.trashed().visible_to(user, "delete")`
        a trash."""
        return permissions.limit(user, self, model_name(self.model), action)


class Record(TimeStamped):
    """A customer record: owned by a user, versioned for concurrent edits, trashed not deleted."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Raised by one on every save through a service: a form or API write carrying an
    # older number is refused instead of overwriting someone else's change (R8).
    version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("moved to trash"), null=True, blank=True, editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # Every record type has its own page (declared by each concrete model).
        def get_absolute_url(self) -> str: ...


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Several choices")
    YES_NO = "yes_no", _("Yes / no")
    MONEY = "money", _("Money")
    URL = "url", _("Web address")


class CustomField(models.Model):
    """A field an administrator adds to a record type; values live in the record's `custom`."""

    record_type = models.CharField(_("record type"), max_length=40)
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=80)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    sensitive = models.BooleanField(_("sensitive"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["record_type", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "key"], name="custom_field_key_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def sortable(self) -> bool:
        return self.field_type not in {FieldType.MULTI_CHOICE}


class SearchEntry(models.Model):
    """One searchable record: what global search matches and shows. Kept in step with the
    record by its service; on PostgreSQL `text` has a trigram index, on SQLite an FTS5
    trigram table mirrors it (both created in this app's migrations)."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    title = models.CharField(max_length=200)
    title_key = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=300, blank=True)
    # Lower-case, accents folded: names, e-mails, phone digits in international and
    # national form, company name.
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="search_entry_unique"
            )
        ]
        indexes = [models.Index(fields=["title_key", "id"], name="search_title_idx")]


class SavedView(models.Model):
    """A list's filters, sort and columns under a name, for one user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=40)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "record_type", "name"], name="saved_view_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AuditSource(models.TextChoices):
    UI = "ui", _("Web page")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    AUTOMATION = "automation", _("Automation")
    SYSTEM = "system", _("System")


class AuditEntry(models.Model):
    """One change to a record: who, when, from where, each field before and after, and the
    whole record as it stood afterwards (so any version can be restored)."""

    # The changes and the action as people read them, when a page sets them
    # (core.change_display).
    readable: list
    action_shown: str
    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("from"), max_length=12, choices=AuditSource.choices)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict)
    state = models.JSONField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_record_idx"),
            # The audit trail page's filters: by person, by record type, newest first.
            models.Index(fields=["actor", "-at", "-id"], name="audit_actor_idx"),
            models.Index(fields=["content_type", "-at", "-id"], name="audit_type_idx"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")


class InstallationSetting(models.Model):
    """A setting of the whole installation that an administrator changes in the app (the
    base currency): one row per key, absent until first changed (settings.py's value
    stands until then)."""

    key = models.CharField(_("setting"), max_length=60, unique=True)
    value = models.CharField(_("value"), max_length=200)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("installation setting")
        verbose_name_plural = _("installation settings")

    def __str__(self) -> str:
        return self.key


class ExchangeRate(models.Model):
    """What one unit of `currency` was worth in `base` on `day`: 1 EUR = 4.9753 RON. A rate
    is kept with the base it was given in, so one entered before the base currency changed
    is never read as a rate to the new base."""

    base = models.CharField(_("base currency"), max_length=3)
    currency = models.CharField(_("currency"), max_length=3)
    day = models.DateField(_("day"))
    rate = models.DecimalField(_("rate"), max_digits=20, decimal_places=8)
    source = models.CharField(_("source"), max_length=20, default="manual")
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["base", "currency", "day"], name="one_rate_a_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="rate_above_zero"),
        ]
        indexes = [models.Index(fields=["base", "currency", "-day"], name="rate_lookup_idx")]
        ordering = ["-day", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate.normalize():f} {self.base} ({self.day:%Y-%m-%d})"


class DemoRecord(models.Model):
    """A record the demo data set added (`clientela demo`), so that exactly those can be
    taken away again by an administrator; what people add themselves is never listed."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="one_demo_mark")
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"
