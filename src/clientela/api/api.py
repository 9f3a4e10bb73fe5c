"""The kernel's own resources in the API, read-only: users (who records and tasks can be
assigned to) and custom field definitions (what the `custom` object of a record may hold).
The apps below the API framework cannot register resources themselves, so they are here."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema

from clientela.api.registry import Resource, register
from clientela.api.types import text
from clientela.core import custom_fields
from clientela.core.models import CustomField
from clientela.users import selectors
from clientela.users.models import User


class CustomFieldOut(Schema):
    id: int
    record_type: str
    key: str
    label: str
    field_type: str
    choices: list
    required: bool
    sensitive: bool


class CustomFieldFilters(Schema):
    record_type: text(40) | None = Field(None, description="`contact`, `company`, …")


def _filter(user: User, queryset: QuerySet[CustomField], params: dict, raw: Any) -> QuerySet:
    if params.get("record_type"):
        queryset = queryset.filter(record_type=params["record_type"])
    return queryset


register(
    Resource(
        name="custom-fields",
        label="custom-field",
        model=CustomField,
        out=CustomFieldOut,
        queryset=custom_fields.visible_definitions,
        serialize=lambda field, user: (
            {
                name: getattr(field, name)
                for name in ("id", "record_type", "key", "label", "field_type", "choices")
            }
            | {"required": field.required, "sensitive": field.sensitive}
        ),
        sorts={"position": ["record_type", "position", "id"]},
        default_sort="position",
        filters=CustomFieldFilters,
        apply_filters=_filter,
    )
)


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    team: str | None
    role: str | None


register(
    Resource(
        name="users",
        label="user",
        model=User,
        out=UserOut,
        queryset=selectors.assignable,
        serialize=lambda person, user: {
            "id": person.pk,
            "email": person.email,
            "full_name": person.display_name,
            "team": person.team.name if person.team_id else None,
            "role": person.role.key if person.role_id else None,
        },
        sorts={"email": ["email", "id"]},
        default_sort="email",
    )
)
