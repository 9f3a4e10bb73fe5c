"""Companies and contacts (people), with their e-mails, phones, addresses, tags and stages."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.core import seeded
from clientela.core.links import record_url
from clientela.core.models import Record, TimeStamped


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60)
    # Lower-cased name: "VIP" and "vip" are one tag.
    key = models.CharField(max_length=60, unique=True, editable=False)
    color = models.CharField(_("colour"), max_length=20, default="grey")

    class Meta:
        ordering = ["key"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.key = self.name.strip().lower()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.key = self.name.strip().lower()
        if Tag.objects.filter(key=self.key).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"name": _("A tag “%(name)s” exists already.") % {"name": self.name}}
            )


# The stages a new installation starts with (customers' migration 0002, `ensure_stages`).
SEEDED_STAGES = {
    "Lead": pgettext_lazy("lifecycle stage", "Lead"),
    "Prospect": pgettext_lazy("lifecycle stage", "Prospect"),
    "Customer": pgettext_lazy("lifecycle stage", "Customer"),
    "Former customer": pgettext_lazy("lifecycle stage", "Former customer"),
}


class LifecycleStage(models.Model):
    """A step from lead to customer; the list is the business's own."""

    name = models.CharField(_("name"), max_length=60)
    key = models.SlugField(max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_default = models.BooleanField(_("default for new contacts"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("lifecycle stage")
        verbose_name_plural = _("lifecycle stages")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (a seeded one; a typed one as typed)."""
        return seeded.label(self.name, SEEDED_STAGES)


class Source(models.TextChoices):
    WEB = "web", _("Web")
    REFERRAL = "referral", _("Referral")
    IMPORT = "import", _("Import")
    CAMPAIGN = "campaign", _("Campaign")
    CHANNEL = "channel", _("Channel")
    EVENT = "event", _("Event")
    MANUAL = "manual", _("Entered by hand")
    OTHER = "other", _("Other")


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PROSPECT = "prospect", _("Prospect")
    INACTIVE = "inactive", _("Inactive")


class Company(Record):
    name = models.CharField(_("name"), max_length=200)
    # Lower-cased name for case-insensitive sorting and prefix search on one index.
    name_key = models.CharField(max_length=200, editable=False)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=40, blank=True)
    industry = models.CharField(_("industry"), max_length=80, blank=True)
    size = models.CharField(_("size"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CompanyStatus.choices, default=CompanyStatus.ACTIVE
    )
    # The primary e-mail and phone, kept here so lists show them without a join.
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="companies")

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["name_key", "id"], name="company_name_idx"),
            models.Index(fields=["owner", "name_key", "id"], name="company_owner_name_idx"),
            models.Index(fields=["updated_at", "id"], name="company_updated_idx"),
            models.Index(fields=["last_activity_at", "id"], name="company_activity_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("customers:company-detail", self.pk)


class Contact(Record):
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    # The name as the person writes it; for cultures that don't split names it is the
    # only one filled in, otherwise it is given + family.
    full_name = models.CharField(_("full name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    position = models.CharField(_("position"), max_length=120, blank=True)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    lifecycle_stage = models.ForeignKey(
        LifecycleStage,
        verbose_name=_("lifecycle stage"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    marketing_consent = models.BooleanField(_("agrees to marketing"), default=False)
    marketing_consent_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    # What is sent to the person (invoices, e-mails) is in it; empty: the sender's.
    language = models.CharField(_("language"), max_length=10, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["name_key", "id"], name="contact_name_idx"),
            models.Index(fields=["owner", "name_key", "id"], name="contact_owner_name_idx"),
            models.Index(fields=["lifecycle_stage", "name_key", "id"], name="contact_stage_idx"),
            models.Index(fields=["company", "name_key", "id"], name="contact_company_idx"),
            models.Index(fields=["updated_at", "id"], name="contact_updated_idx"),
            models.Index(fields=["last_activity_at", "id"], name="contact_activity_idx"),
            models.Index(fields=["last_contacted_at", "id"], name="contact_contacted_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def language_name(self) -> str:
        """The contact's language as the reader's language names it; "" when not set."""
        return str(dict(settings.LANGUAGES).get(self.language, ""))

    def get_absolute_url(self) -> str:
        return record_url("customers:contact-detail", self.pk)


class Kind(models.TextChoices):
    WORK = "work", _("Work")
    MOBILE = "mobile", _("Mobile")
    HOME = "home", _("Home")
    OTHER = "other", _("Other")


class ContactPoint(TimeStamped):
    """Something that belongs to either a contact or a company, never both."""

    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.WORK)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    @classmethod
    def one_owner(cls, name: str) -> models.CheckConstraint:
        return models.CheckConstraint(
            condition=Q(contact__isnull=False, company__isnull=True)
            | Q(contact__isnull=True, company__isnull=False),
            name=name,
        )


class EmailAddress(ContactPoint):
    address = models.CharField(_("e-mail"), max_length=254, db_index=True)

    class Meta(ContactPoint.Meta):
        verbose_name = _("e-mail address")
        constraints = [ContactPoint.one_owner("email_one_owner")]
        default_related_name = "emails"

    def __str__(self) -> str:
        return self.address


class PhoneNumber(ContactPoint):
    raw = models.CharField(_("phone as typed"), max_length=40)
    # E.164 when the number parses, else the digits typed; digits is what partial
    # searches ("0722 12") match against.
    e164 = models.CharField(_("phone"), max_length=32)
    digits = models.CharField(max_length=32, editable=False)
    # False for a number an import kept as written because it could not be checked in any
    # country it could be read in (its e164 then holds the digits typed): the data health
    # page lists it until someone corrects it.
    verified = models.BooleanField(_("verified"), default=True, db_default=True)

    class Meta(ContactPoint.Meta):
        verbose_name = _("phone number")
        constraints = [ContactPoint.one_owner("phone_one_owner")]
        # A plain index: exact numbers and number starts are ranges of it
        # (core.phones.starting_with). `db_index` would add a second, pattern-matching
        # index on PostgreSQL that nothing reads and every import writes.
        indexes = [
            models.Index(fields=["e164"], name="customers_phone_e164"),
            # Data health's list of unverified numbers, newest first, reads only them.
            models.Index(fields=["id"], condition=Q(verified=False), name="phone_unverified_idx"),
        ]
        default_related_name = "phones"

    def __str__(self) -> str:
        return self.e164


class AddressKind(models.TextChoices):
    BILLING = "billing", _("Billing")
    SHIPPING = "shipping", _("Shipping")
    HOME = "home", _("Home")
    WORK = "work", _("Work")
    OTHER = "other", _("Other")


# An address's fields as the forms, the API and exports carry it.
ADDRESS_FIELDS = ("address_kind", "street", "city", "region", "postal_code", "country")


class Address(ContactPoint):
    address_kind = models.CharField(
        _("type"), max_length=10, choices=AddressKind.choices, default=AddressKind.WORK
    )
    street = models.CharField(_("street"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)

    class Meta(ContactPoint.Meta):
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [ContactPoint.one_owner("address_one_owner")]
        default_related_name = "addresses"

    def __str__(self) -> str:
        parts = [self.street, self.postal_code, self.city, self.region, self.country]
        return ", ".join(part for part in parts if part)


class Employment(models.Model):
    """Where a contact worked: moving to another company closes one row and opens another."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="employments")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="employments")
    position = models.CharField(max_length=120, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]


class LifecycleChange(models.Model):
    """A contact's move from one stage to the next, for the funnel (R2)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        LifecycleStage, null=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(LifecycleStage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at"]


class Merge(models.Model):
    """Two contacts or companies made one; keeps what is needed to undo it."""

    record_type = models.CharField(max_length=20)
    survivor_id = models.BigIntegerField()
    duplicate_id = models.BigIntegerField()
    # The survivor's fields before the merge, and the ids of every row moved over.
    snapshot = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
