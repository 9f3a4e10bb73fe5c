"""The record types, each declared once by its app (`declare(RecordType(...))`), and a
reference to any record by (content type, id): how timelines, tasks and files attach to
contacts, companies, deals, orders and the types to come alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import capfirst
from django_stubs_ext import StrOrPromise

from clientela.core import handover, permissions
from clientela.core.handover import Handover
from clientela.core.models import Record, model_name, model_of

if TYPE_CHECKING:
    from clientela.core.actors import Actor
    from clientela.core.search import Document


@dataclass(frozen=True)
class RecordRef:
    content_type_id: int
    object_id: int

    @classmethod
    def of(cls, record: models.Model) -> RecordRef:
        content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
        return cls(content_type.pk, record.pk)

    @classmethod
    def parse(cls, token: str) -> RecordRef:
        """From "contact:42"-style tokens used in forms and URLs; ValueError when malformed."""
        label, _sep, raw_id = token.partition(":")
        declared_type = TYPES.get(label)
        if declared_type is None or not raw_id.isdigit():
            raise ValueError(f"Not a record reference: {token!r}")
        return cls(ContentType.objects.get_for_model(declared_type.model).pk, int(raw_id))

    @property
    def model(self) -> type[models.Model]:
        return model_of(ContentType.objects.get_for_id(self.content_type_id))

    @property
    def token(self) -> str:
        return f"{model_name(self.model)}:{self.object_id}"

    def get(self) -> models.Model:
        return self.model._default_manager.get(pk=self.object_id)


@dataclass(frozen=True)
class RecordType:
    """One record type as the platform sees it, declared once by its app in
    AppConfig.ready(): the timeline, tasks, files, search, audit trail, trash, history,
    webhooks and handover of a person leaving all work from this."""

    model: type[Record]
    # The live records a user may see (or edit, delete): the app's selector.
    selector: Callable[..., models.QuerySet]
    # The audit trail's picture of a record (every version is restorable from it).
    snapshot: Callable[[models.Model], dict] | None = None
    # What the one search finds a record by (core.search.Document).
    document: Callable[[models.Model], Document] | None = None
    # The records whose timelines also show this one's entries: a contact's company.
    rolls_up_to: Callable[[Record], list[Record]] | None = None
    # The webhook events it raises, as verbs ("created" gives "contact.created").
    events: tuple[str, ...] = ("created", "updated", "deleted", "restored")
    own_verbs: dict[str, str] | None = None
    # What a person leaving hands over of this type (core.handover).
    handover: Handover | None = None
    # Built-in fields only roles with "see_sensitive" see.
    sensitive_fields: frozenset[str] = frozenset()
    # Brings a record back to an audit snapshot: (actor=, record=, state=, action=) ->
    # record. Types with it have a history page with "Restore this version".
    restore: Callable[..., Record] | None = None
    # Scopes (view, edit, delete) some default roles get on this type instead of their
    # usual ones, by role key (core.permissions.DEFAULT_ROLES).
    default_scopes: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # The URL name of its "new" page: offered in the top bar's "+" menu to those whose
    # role may add records of the type.
    create_url: str = ""

    @property
    def name(self) -> str:
        return model_name(self.model)

    @property
    def label(self) -> StrOrPromise:
        """What the roles page and the trash call records of this type: "Contacts"."""
        return capfirst(self.model._meta.verbose_name_plural) or self.name


# The declared record types by model name, in the order they were declared: the one table
# the platform reads, by name or (type_of) by model.
TYPES: dict[str, RecordType] = {}


def record_models() -> dict[str, type[Record]]:
    """Every declared record type's model, by name."""
    return {name: declared_type.model for name, declared_type in TYPES.items()}


def addable(user: Actor) -> list[RecordType]:
    """The declared types with a "new" page that `user`'s role may add records of, in
    declaration order: the top bar's "+" menu."""
    return [
        declared_type
        for name, declared_type in TYPES.items()
        if declared_type.create_url and permissions.may_add(user, name)
    ]


def type_of(model: type[models.Model]) -> RecordType | None:
    """The declaration of `model`; None for a model that is not a record type."""
    declared_type = TYPES.get(model_name(model))
    return declared_type if declared_type is not None and declared_type.model is model else None


def declare(record_type: RecordType) -> RecordType:
    """Make a record type known to every part of the platform at once."""
    from clientela.core import audit, events, search

    model, name = record_type.model, record_type.name
    TYPES[name] = record_type
    if record_type.snapshot is not None:
        audit.register(model, record_type.snapshot)
    if record_type.document is not None:
        search.register(model, record_type.document)
    if record_type.events:
        events.declare(name, *record_type.events, own_verbs=record_type.own_verbs)
    if record_type.handover is not None:
        handover.register(record_type.handover)
    if record_type.sensitive_fields:
        permissions.declare_sensitive(name, record_type.sensitive_fields)
    return record_type


def declared(name: str) -> RecordType:
    """The record type called `name` ("contact"); Http404 for anything else."""
    try:
        return TYPES[name]
    except KeyError:
        raise Http404 from None


def timeline_records(record: Record) -> list[Record]:
    """The record an entry is logged on, then the records its timeline rolls up into."""
    declared_type = type_of(type(record))
    rolls_up_to = declared_type.rolls_up_to if declared_type is not None else None
    return [record, *(rolls_up_to(record) if rolls_up_to is not None else [])]


def visible(user: Actor, model: type[models.Model]) -> models.QuerySet:
    """The records of `model` this user may see; none for a model that is not a record."""
    declared_type = type_of(model)
    if declared_type is None:
        return model._default_manager.none()
    return declared_type.selector(user)


def visible_record(user: Actor, token: str) -> Record:
    """The record named by "contact:42" if the user may see it; Http404 otherwise."""
    try:
        ref = RecordRef.parse(token)
    except ValueError:
        raise Http404 from None
    model = ref.model
    return get_object_or_404(visible(user, model), pk=ref.object_id)
