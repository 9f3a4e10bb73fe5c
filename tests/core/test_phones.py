"""Phone numbers typed any way end up in E.164, with the digits searches match."""

import pytest
from django.core.exceptions import ValidationError

from clientela.core.phones import display, looks_like_phone, normalize


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("0722 123 456", "RO", "+40722123456"),
        ("+40 (722) 123-456", "RO", "+40722123456"),
        ("0040722123456", "RO", "+40722123456"),
        ("021 312 3456", "RO", "+40213123456"),
        ("612 34 56 78", "ES", "+34612345678"),
        ("+34 91 123 45 67", "RO", "+34911234567"),
        ("098765 43210", "IN", "+919876543210"),
        ("+91 98765-43210", "US", "+919876543210"),
        ("(202) 555-0143", "US", "+12025550143"),
        ("1-202-555-0143", "US", "+12025550143"),
    ],
)
def test_numbers_from_four_countries_normalise_to_e164(raw, region, e164):
    assert normalize(raw, region).e164 == e164


def test_search_digits_hold_the_international_and_the_national_form():
    phone = normalize("0722 123 456", "RO")
    assert phone.search_digits == "40722123456 0722123456"
    assert display(phone.e164) == "+40 722 123 456"


@pytest.mark.parametrize("raw", ["", "12", "not a phone", "+40 7", "0722 123 456 789 123 45"])
def test_what_is_no_phone_number_is_refused_in_words(raw, settings):
    settings.PHONE_REGION = "RO"
    with pytest.raises(ValidationError) as error:
        normalize(raw)
    assert "phone number" in error.value.messages[0]


def test_phone_like_queries():
    assert looks_like_phone("0722 12")
    assert looks_like_phone("+40-722")
    assert not looks_like_phone("ana 0722")
    assert not looks_like_phone("12")
