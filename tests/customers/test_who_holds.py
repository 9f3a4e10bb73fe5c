"""Who holds an e-mail address or a phone number: one answer for a ticket's customer, a
message's sender, a reply and an import's rows. A value two contacts share names the one
added first, trashed contacts are nobody, and an import sees only whom its author may."""

from __future__ import annotations

import pytest

from clientela.core import record_services
from clientela.customers import selectors, services


def contact(actor, name, emails=(), phones=()):
    return services.create_contact(
        actor=actor, data={"full_name": name, "emails": list(emails), "phones": list(phones)}
    )


@pytest.mark.django_db
def test_a_shared_address_names_the_contact_added_first_even_after_edits(user):
    first = contact(user, "Ana Pop", emails=["ana@firma.ro"], phones=["+40722123456"])
    second = contact(user, "Ana Pop (2)", emails=["ana@firma.ro"], phones=["+40722123456"])
    # Editing the first writes its e-mail and phone rows anew, after the second's.
    services.update_contact(
        actor=user,
        contact=first,
        data={"emails": ["ana@firma.ro", "ana.pop@firma.ro"], "phones": ["+40722123456"]},
        expected_version=None,
    )
    assert selectors.oldest_by_email(["ana@firma.ro"]) == {"ana@firma.ro": first}
    assert selectors.oldest_by_phone(["+40722123456"]) == {"+40722123456": first}
    # A message to the address goes on both timelines, the first one's first.
    assert selectors.holding_emails(["ana@firma.ro", "ana.pop@firma.ro"]) == [first, second]


@pytest.mark.django_db
def test_an_address_is_found_in_any_case_and_a_trashed_contact_is_nobody(user):
    gone = contact(user, "Dan Gone", emails=["dan@firma.ro"], phones=["+40722000111"])
    kept = contact(user, "Dan Kept", emails=["dan@firma.ro"])
    record_services.trash_record(actor=user, record=gone)
    assert selectors.oldest_by_email(["  Dan@Firma.RO "]) == {"dan@firma.ro": kept}
    assert selectors.oldest_by_phone(["+40722000111"]) == {}
    assert selectors.holding_emails(["DAN@firma.ro"]) == [kept]
    assert selectors.oldest_by_email(["nobody@firma.ro", ""]) == {}


@pytest.mark.django_db
def test_a_batch_is_one_query_with_the_contacts_companies(user, django_assert_num_queries):
    services.create_contact(
        actor=user,
        data={"full_name": "Ion Ionescu", "emails": ["ion@acme.ro"], "company_name": "Acme"},
    )
    contact(user, "Maria Pop", emails=["maria@firma.ro"])
    with django_assert_num_queries(1):
        found = selectors.oldest_by_email(["ion@acme.ro", "maria@firma.ro", "x@firma.ro"])
        assert found["ion@acme.ro"].company.name == "Acme"  # read with the contact
    assert set(found) == {"ion@acme.ro", "maria@firma.ro"}
    with django_assert_num_queries(0):
        assert selectors.oldest_by_email([]) == {}


@pytest.mark.django_db
def test_for_a_user_only_the_contacts_they_may_see(two_teams):
    owner_b, rep_a = two_teams
    theirs = contact(owner_b, "Bogdan's client", emails=["client@firma.ro"])
    assert selectors.oldest_by_email(["client@firma.ro"], user=rep_a) == {}
    assert selectors.oldest_by_email(["client@firma.ro"], user=owner_b) == {
        "client@firma.ro": theirs
    }
    # The system itself (a public form, a message fetched) finds everyone.
    assert selectors.oldest_by_email(["client@firma.ro"]) == {"client@firma.ro": theirs}
