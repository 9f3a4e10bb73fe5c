"""The person who logs in: identified by e-mail, named the way their culture names people."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core import seeded
from clientela.core.permissions import SEEDED_ROLE_NAMES


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        # E-mail addresses are compared without case: Ana@Firma.ro and ana@firma.ro
        # are one person, whatever they typed on the login form.
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    # Stored lower-case (see save), so the unique index is also case-insensitive.
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff"), default=False, help_text=_("May open the technical administration site.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    team = models.ForeignKey(
        "users.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    role = models.ForeignKey(
        "users.Role",
        verbose_name=_("role"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The secret of the person's calendar feed URL; empty when they have none (revoked).
    calendar_token = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # When the person put the home page's "First steps" away (None: still shown).
    first_steps_dismissed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@", 1)[0]

    @property
    def initials(self) -> str:
        parts = [part for part in self.display_name.replace(".", " ").split() if part]
        return "".join(part[0] for part in parts[:2]).upper() or "?"

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split()[0] if self.display_name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class Team(models.Model):
    """A department: sales, support, marketing, management, … as the business names them."""

    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A position's permissions, editable without code. `permissions` holds, per record
    type and action (view, edit, delete), a scope (none, own, team, all), and a list of
    capabilities (export, see_sensitive, manage_users, …); see core.permissions."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    permissions = models.JSONField(_("permissions"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (a role a new installation has; a typed one as
        typed)."""
        return seeded.label(self.name, SEEDED_ROLE_NAMES)
