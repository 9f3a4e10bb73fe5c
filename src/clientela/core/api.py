"""Custom field definitions in the API, read-only: what the `custom` object of a record
may hold."""

from ninja import Field, Schema

from clientela.api.registry import Resource, register
from clientela.api.types import text
from clientela.core import custom_fields
from clientela.core.models import CustomField


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


def _filter(user, queryset, params: dict, raw):
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
