"""Custom field values are checked and normalised by type."""

import pytest
from django.core.exceptions import ValidationError

from clientela.core import custom_fields
from clientela.core.models import CustomField, FieldType


@pytest.fixture
def fields(db):
    specs = [
        ("vat_rate", FieldType.NUMBER, [], False),
        ("since", FieldType.DATE, [], False),
        ("segment", FieldType.CHOICE, ["retail", "wholesale"], True),
        ("channels", FieldType.MULTI_CHOICE, ["email", "phone", "whatsapp"], False),
        ("vip", FieldType.YES_NO, [], False),
        ("budget", FieldType.MONEY, [], False),
        ("profile", FieldType.URL, [], False),
        ("remark", FieldType.TEXT, [], False),
    ]
    return [
        CustomField.objects.create(
            record_type="contact",
            key=key,
            label=key.title(),
            field_type=kind,
            choices=choices,
            required=required,
        )
        for key, kind, choices, required in specs
    ]


def test_good_values_are_normalised(fields):
    cleaned = custom_fields.clean(
        "contact",
        {
            "vat_rate": "19,5",
            "since": "2024-03-01",
            "segment": "retail",
            "channels": ["whatsapp", "email"],
            "vip": "da",
            "budget": "1250.5 eur",
            "profile": "https://example.com/ana",
            "remark": "  prefers mornings ",
        },
    )
    assert cleaned == {
        "vat_rate": 19.5,
        "since": "2024-03-01",
        "segment": "retail",
        "channels": ["email", "whatsapp"],
        "vip": True,
        "budget": {"amount": "1250.50", "currency": "EUR"},
        "profile": "https://example.com/ana",
        "remark": "prefers mornings",
    }


def test_bad_values_are_reported_per_field(fields):
    with pytest.raises(ValidationError) as error:
        custom_fields.clean(
            "contact",
            {
                "vat_rate": "a lot",
                "since": "01/03/2024",
                "channels": ["fax"],
                "vip": "perhaps",
                "budget": "1250",
                "profile": "javascript:alert(1)",
                "colour": "blue",
            },
        )
    errors = error.value.message_dict
    assert errors["custom.vat_rate"] == ["Enter a number."]
    assert errors["custom.since"] == ["Enter a date as YYYY-MM-DD."]
    assert errors["custom.segment"] == ["Segment is required."]
    assert errors["custom.channels"] == ["Not a choice: fax."]
    assert errors["custom.vip"] == ["Answer yes or no."]
    assert errors["custom.budget"] == ["Add a three-letter currency, like 1250.00 EUR."]
    assert "custom.profile" in errors
    assert errors["custom.colour"] == ["There is no custom field “colour”."]


def test_empty_optional_values_are_left_out(fields):
    assert custom_fields.clean("contact", {"segment": "wholesale", "remark": ""}) == {
        "segment": "wholesale"
    }


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["12", "250", "", "3.5"], FieldType.NUMBER),
        (["0722123456", "0040"], FieldType.TEXT),  # codes and phones keep their zeros
        (["2024-01-05", "2025-12-31"], FieldType.DATE),
        (["yes", "no", "DA"], FieldType.YES_NO),
        (["Fair in Cluj", "12"], FieldType.TEXT),
        ([], FieldType.TEXT),
    ],
)
def test_a_columns_type_is_guessed_from_its_values(samples, expected):
    assert custom_fields.guess_type(samples) == expected


def test_a_definition_added_for_a_column_gets_a_key_of_its_own(db):
    from django.core.exceptions import PermissionDenied

    from clientela.users.services import create_user, role_named

    admin = create_user(email="admin@firma.ro", administrator=True)
    first = custom_fields.add_definition(actor=admin, record_type="contact", label="Lead source")
    second = custom_fields.add_definition(
        actor=admin, record_type="contact", label="Lead  source ", field_type=FieldType.NUMBER
    )
    assert (first.key, second.key) == ("lead-source", "lead-source-2")
    assert (second.label, second.field_type, second.position) == ("Lead source", "number", 1)
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"))
    with pytest.raises(PermissionDenied):
        custom_fields.add_definition(actor=rep, record_type="contact", label="Mine")
    assert CustomField.objects.count() == 2
