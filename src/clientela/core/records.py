"""A reference to any customer record by (content type, id): how timelines, tasks and
files attach to contacts, companies and, later, deals, orders and tickets alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404


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
        model = RECORD_MODELS.get(label)
        if model is None or not raw_id.isdigit():
            raise ValueError(f"Not a record reference: {token!r}")
        return cls(ContentType.objects.get_for_model(model).pk, int(raw_id))

    @property
    def model(self) -> type[models.Model]:
        return ContentType.objects.get_for_id(self.content_type_id).model_class()

    @property
    def token(self) -> str:
        return f"{self.model._meta.model_name}:{self.object_id}"

    def get(self) -> models.Model:
        return self.model._default_manager.get(pk=self.object_id)


# Models that can own a timeline, tasks and files, by their model name, with the selector
# that limits them to what a user may see. Apps add theirs in AppConfig.ready().
RECORD_MODELS: dict[str, type[models.Model]] = {}
VISIBLE: dict[type[models.Model], Callable[[object], models.QuerySet]] = {}
# For each record type, the records whose timelines also show its entries: a contact's
# company; a deal's company and contacts.
ROLL_UP: dict[type[models.Model], Callable[[models.Model], list[models.Model]]] = {}


def register_record_model(
    model: type[models.Model],
    visible: Callable[[object], models.QuerySet],
    rolls_up_to: Callable[[models.Model], list[models.Model]] | None = None,
) -> None:
    RECORD_MODELS[model._meta.model_name] = model
    VISIBLE[model] = visible
    if rolls_up_to is not None:
        ROLL_UP[model] = rolls_up_to


def timeline_records(record: models.Model) -> list[models.Model]:
    """The record an entry is logged on, then the records its timeline rolls up into."""
    rolls_up_to = ROLL_UP.get(type(record))
    return [record, *(rolls_up_to(record) if rolls_up_to else [])]


def visible(user, model: type[models.Model]) -> models.QuerySet:
    """The records of `model` this user may see; none for a model that is not a record."""
    selector = VISIBLE.get(model)
    return selector(user) if selector else model._default_manager.none()


def visible_record(user, token: str) -> models.Model:
    """The record named by "contact:42" if the user may see it; Http404 otherwise."""
    try:
        ref = RecordRef.parse(token)
    except ValueError:
        raise Http404 from None
    model = ref.model
    return get_object_or_404(visible(user, model), pk=ref.object_id)
