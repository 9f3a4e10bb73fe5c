"""Global search finds contacts and companies by name, e-mail, phone digits and company."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.core import search
from clientela.core.models import SearchEntry
from clientela.core.search import best_entries, entry_fields, matching_entries
from clientela.customers import services
from clientela.customers.models import Contact
from clientela.customers.search_documents import company_document_from, contact_document_from


@pytest.fixture
def people(user, settings):
    settings.PHONE_REGION = "RO"
    ana = services.quick_add_contact(
        actor=user,
        name="Ștefan Ionescu",
        email="stefan.ionescu@fabrica.ro",
        phone="0722 123 456",
        company_name="Fabrica de Pâine SRL",
    )
    maria = services.quick_add_contact(
        actor=user, name="María García", email="maria@empresa.es", phone="+34 612 34 56 78"
    )
    return ana, maria


def titles(query):
    return [entry.title for entry in matching_entries(query)]


@pytest.mark.django_db
def test_by_name_prefix_without_accents(people):
    assert titles("stef") == ["Ștefan Ionescu"]
    assert titles("garc") == ["María García"]
    assert titles("ma") == ["María García"]  # two letters: title prefix


@pytest.mark.django_db
def test_by_email_substring(people):
    assert titles("empresa.es") == ["María García"]
    assert titles("ionescu@fab") == ["Ștefan Ionescu"]


@pytest.mark.django_db
def test_by_phone_digits_in_any_format(people):
    assert titles("0722 12") == ["Ștefan Ionescu"]
    assert titles("+40722") == ["Ștefan Ionescu"]
    assert titles("722123") == ["Ștefan Ionescu"]
    assert titles("123456") == ["María García", "Ștefan Ionescu"]  # in both numbers
    assert titles("612-34") == ["María García"]


@pytest.mark.django_db
def test_by_company_name_finds_the_company_and_its_people(people):
    assert titles("paine") == ["Fabrica de Pâine SRL", "Ștefan Ionescu"]


@pytest.mark.django_db
def test_nothing_for_blank_or_unknown(people):
    assert titles("   ") == []
    assert titles("zzzz") == []


@pytest.mark.django_db
def test_documents_built_in_bulk_are_the_ones_services_index(people):
    ana = Contact.objects.select_related("company").get(pk=people[0].pk)
    for record, build in [(ana, contact_document_from), (ana.company, company_document_from)]:
        document = build(
            record,
            [email.address for email in record.emails.all()],
            [phone.digits for phone in record.phones.all()],
        )
        entry = SearchEntry.objects.get(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )
        assert entry_fields(document) == {
            name: getattr(entry, name) for name in entry_fields(document)
        }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["stef", "garc", "ma", "empresa.es", "0722 12", "123456", "paine", "zzzz", " "]
)
def test_best_entries_are_the_first_matches_in_order(people, query):
    assert [entry.title for entry in best_entries(query, 10)] == titles(query)[:10]


@pytest.mark.django_db
def test_enough_title_prefixes_are_read_from_the_title_index_alone(user, people):
    for i in range(5):
        services.quick_add_contact(actor=user, name=f"Marius Pop {i}", email=f"m{i}@x.ro")
    with CaptureQueriesContext(connection) as captured:
        found = best_entries("mari", 3)
    assert [entry.title for entry in found] == ["María García", "Marius Pop 0", "Marius Pop 1"]
    assert len(captured) == 1


@pytest.mark.django_db
def test_entries_held_to_the_end_of_a_block_are_written_then_or_not_at_all(user):
    from django.db import transaction

    from clientela.core import search

    contact = services.create_contact(actor=user, data={"full_name": "Ion Pop"})
    SearchEntry.objects.all().delete()
    document = search.Document(title="Ion Pop", subtitle="", parts=["ion@pop.ro"], owner_id=None)
    with search.entries_at_end():
        search.new_entries(Contact, [(contact.pk, document)])
        assert not SearchEntry.objects.exists()  # held
    assert [e.title for e in matching_entries("pop.ro")] == ["Ion Pop"]

    SearchEntry.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic(), search.entries_at_end():
        search.new_entries(Contact, [(contact.pk, document)])
        raise RuntimeError("the batch fails")
    assert not SearchEntry.objects.exists()

    with search.entries_at_end():
        search.new_entries(Contact, [(contact.pk, document)])
        search.index(contact)  # re-indexing the record writes what waits first, no clash
    assert SearchEntry.objects.filter(object_id=contact.pk).count() == 1


@pytest.mark.django_db
def test_a_common_substring_gives_a_full_page_of_matches_and_prefixes_first(user):
    # The prefix matches first in the index: the index's first matches include them.
    for i in range(2):
        services.quick_add_contact(actor=user, name=f"Fabricio Luz {i}", email=f"f{i}@luz.es")
    for i in range(12):
        services.quick_add_contact(actor=user, name=f"Ana Pop {i}", email=f"ana{i}@fabrica.ro")
    found = [entry.title for entry in best_entries("fabric", 5)]
    assert found[:2] == ["Fabricio Luz 0", "Fabricio Luz 1"]  # titles starting with it
    assert len(found) == 5 and all(title.startswith("Ana Pop") for title in found[2:])


@pytest.mark.django_db
def test_a_phone_query_reads_only_as_many_numbers_as_it_shows(user, people):
    for i in range(6):
        services.quick_add_contact(actor=user, name=f"Radu {i}", phone=f"0722 555 00{i}")
    with CaptureQueriesContext(connection) as captured:
        found = best_entries("0722 555", 3)
    assert len(found) == 3 and all(entry.title.startswith("Radu") for entry in found)
    # One query: a range of the numbers' index per record type, LIMIT 3 each.
    assert len(captured) == 1
    assert captured[0]["sql"].count("LIMIT 3") == 2
    # Every number starting so is matched, whichever way the query writes it.
    for query in ("0722 555", "+40 722 555", "0040722555", "722555", "40722555"):
        assert titles(query) == [f"Radu {i}" for i in range(6)], query


@pytest.mark.django_db
def test_digits_no_number_starts_with_are_looked_for_anywhere(user, people):
    services.quick_add_contact(
        actor=user, name="Ion Pop", email="ion@pop.ro", company_name="Fabrica 2000"
    )
    assert titles("2000") == ["Fabrica 2000", "Ion Pop"]
    assert [entry.title for entry in best_entries("2000", 10)] == ["Fabrica 2000", "Ion Pop"]


@pytest.mark.django_db
@pytest.mark.parametrize("few", [5000, 1])
def test_a_list_narrowed_by_a_term_holds_exactly_its_matches_however_many(
    user, people, client, monkeypatch, few
):
    """The contacts list's search box: whether the term's matches are few (read first
    through the trigram index on PostgreSQL, then sorted) or many (the list's own order
    walked), the page holds the same people, in name order."""
    monkeypatch.setattr(search, "FEW_MATCHES", few)
    for name in ("Ioana Fabricius", "Andrei Fabrian"):
        services.quick_add_contact(actor=user, name=name, email=f"{name.split()[0]}@x.ro")
    services.quick_add_contact(actor=user, name="Elena Popa", email="elena@popa.ro")
    client.force_login(user)

    page = client.get("/contacts/", {"q": "fabri"}).content.decode()

    names = ["Andrei Fabrian", "Ioana Fabricius", "Ștefan Ionescu"]
    assert [page.index(name) for name in names] == sorted(page.index(name) for name in names)
    assert "Elena Popa" not in page and "María García" not in page


@pytest.mark.django_db
def test_entries_with_any_word_rank_the_records_holding_most_of_them(user, people):
    from clientela.core.search import entries_with_any
    from clientela.tickets import knowledge
    from clientela.tickets.models import Article

    def write(title, body):
        return knowledge.create_article(actor=None, data={"title": title, "body": body})

    write("Bread oven", "The oven of the bakery heats slowly.")
    write("Ovens", "Any oven: check the fuse.")
    gone = write("Oven fuse", "Oven fuse oven fuse.")
    gone.deleted_at = gone.updated_at
    gone.save(update_fields=["deleted_at"])
    write("Invoices", "Nothing about heat.")
    # "fabrica" is in a contact's entry: only articles are read.
    words = ["bakery", "oven", "fuse", "fabrica", "a"]
    with CaptureQueriesContext(connection) as queries:
        found = entries_with_any(words, Article, Article.objects.live(), 5)
    assert len(queries) == 1
    assert [entry.title for entry in found] == ["Bread oven", "Ovens"]
    assert entries_with_any(["no", "x"], Article, Article.objects.live(), 5) == []


@pytest.mark.django_db
def test_a_record_is_reindexed_in_one_statement_and_found_by_its_new_text(user, people):
    ana, _maria = people
    ana.full_name = "Ștefan Vasilescu"
    ana.save()
    with CaptureQueriesContext(connection) as captured:
        search.index(ana)
    writes = [q["sql"] for q in captured if "core_searchentry" in q["sql"]]
    assert len(writes) == 1 and "ON CONFLICT" in writes[0]
    # Found by the new name (through the FTS5 table on SQLite, kept by its update
    # trigger), and shown with it where the old name is still in the e-mail address.
    assert titles("vasilescu") == ["Ștefan Vasilescu"]
    assert titles("ionescu") == ["Ștefan Vasilescu"]
    assert SearchEntry.objects.filter(object_id=ana.pk, title="Ștefan Vasilescu").count() == 1
