"""Keyset pages: every row once, in order, and a deep page seeks its index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.core.pagination import keyset_page
from clientela.customers import services
from clientela.customers.models import Contact


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", [["name_key", "id"], ["-name_key", "-id"]])
def test_pages_walk_every_row_once_with_ties(user, ordering):
    for i in range(23):
        services.create_contact(actor=user, data={"full_name": f"Person {i % 4}"})
    expected = list(Contact.objects.order_by(*ordering).values_list("pk", flat=True))
    seen, cursor = [], None
    while True:
        page = keyset_page(Contact.objects.all(), ordering, cursor, 5)
        seen += [contact.pk for contact in page.items]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == expected


@pytest.mark.django_db
def test_the_next_page_bounds_the_first_field_on_its_own(user):
    for i in range(3):
        services.create_contact(actor=user, data={"full_name": f"Person {i}"})
    first = keyset_page(Contact.objects.all(), ["-name_key", "-id"], None, 1)
    with CaptureQueriesContext(connection) as captured:
        keyset_page(Contact.objects.all(), ["-name_key", "-id"], first.next_cursor, 1)
    sql = captured[0]["sql"]
    # A plain bound the database can seek to, besides the (a < x) OR (a = x AND b < y) test.
    assert '"name_key" <= ' in sql.split("WHERE", 1)[1].split(" OR ")[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [["not a name", "x"], ["a", 2**70], ["a", None], ["a\x00", 1], ["a", "x"]],
)
def test_a_cursor_that_does_not_fit_the_fields_starts_from_the_first_page(values):
    from clientela.core.pagination import _encode

    for name in ("Ana", "Bogdan"):
        services.create_contact(actor=None, data={"full_name": name})
    page = keyset_page(Contact.objects.all(), ["name_key", "id"], _encode(values), 10)
    assert [contact.full_name for contact in page.items] == ["Ana", "Bogdan"]
