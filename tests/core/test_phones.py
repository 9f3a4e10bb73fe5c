"""Phone numbers typed any way end up in E.164, with the digits searches match."""

import pytest
from django.core.exceptions import ValidationError

from clientela.core.phones import (
    display,
    looks_like_phone,
    normalize,
    search_prefixes,
    starting_with,
)
from clientela.customers.models import Company, PhoneNumber


def company():
    return Company.objects.get_or_create(name="Fabrica", name_key="fabrica")[0]


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


@pytest.mark.parametrize(
    ("query", "region", "starts"),
    [
        ("+40 722", "RO", ["+40722"]),
        ("0040 722-1", "RO", ["+407221"]),
        ("0722 12", "RO", ["+4072212"]),  # national: trunk 0 dropped
        ("722 12", "RO", ["+4072212"]),  # national without the trunk prefix
        ("40722", "RO", ["+4040722", "+40722"]),  # or international without its plus
        ("(202) 555", "US", ["+1202555"]),
        ("1 202 555", "US", ["+1202555"]),  # the US trunk prefix is 1
        ("06 30 123", "HU", ["+3630123"]),  # a two-digit trunk prefix
        ("06 123", "IT", ["+3906123"]),  # no trunk prefix: the 0 is part of the number
    ],
)
def test_a_phone_query_is_the_start_of_numbers_written_any_of_these_ways(query, region, starts):
    assert search_prefixes(query, region) == starts


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["+40722", "+407229", "+40799", "+999"])
def test_numbers_starting_with_a_prefix_are_those_the_range_gives(prefix):
    numbers = [
        "+40722", "+4072200", "+407229", "+4072299", "+40723", "+40799", "+407999",
        "+4080", "+999", "+9991", "40722", "0722",
    ]  # fmt: skip
    for number in numbers:
        PhoneNumber.objects.create(raw=number, e164=number, digits=number, company=company())
    found = PhoneNumber.objects.filter(starting_with("e164", prefix)).order_by("e164")
    assert [p.e164 for p in found] == sorted(n for n in numbers if n.startswith(prefix))


def test_a_number_checked_twice_is_judged_the_same_both_ways():
    """An import reads a row's number asking whether it is assigned in its country, then
    stores it without asking: remembered readings answer both questions as parsing would."""
    spanish_mobile = "612 34 56 78"
    assert normalize(spanish_mobile, "ES", valid=True).e164 == "+34612345678"
    with pytest.raises(ValidationError, match="not a valid phone number in RO"):
        normalize(spanish_mobile, "RO", valid=True)
    # Possible in Romania, so kept when the caller does not ask for an assigned number.
    assert normalize(spanish_mobile, "RO").e164 == "+40612345678"
    with pytest.raises(ValidationError, match="not a valid phone number in RO"):
        normalize(spanish_mobile, "RO", valid=True)


def test_a_remembered_bad_number_is_refused_in_each_readers_language():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as english:
        normalize("12", "RO")
    with translation.override("es"), pytest.raises(ValidationError) as spanish:
        normalize("12", "RO")
    assert english.value.messages != spanish.value.messages
    assert spanish.value.messages == ["«12» no es un número de teléfono."]
