"""Contacts and companies written through their services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientela.core import record_services
from clientela.core.concurrency import StaleRecordError
from clientela.customers import selectors, services
from clientela.customers.duplicates import contact_suspects
from clientela.customers.models import Contact, Employment, LifecycleChange, LifecycleStage


@pytest.fixture
def actor(user):
    return user


@pytest.mark.django_db
def test_quick_add_from_a_name_and_a_phone(actor, settings):
    settings.PHONE_REGION = "RO"
    contact = services.quick_add_contact(
        actor=actor, name="  Ioana   Dumitrescu ", phone="0722 123 456", company_name="Fabrica SRL"
    )
    assert (contact.given_name, contact.family_name, contact.full_name) == (
        "Ioana",
        "Dumitrescu",
        "Ioana Dumitrescu",
    )
    assert contact.phone == "+40722123456"
    assert contact.owner == actor
    assert contact.lifecycle_stage.key == "lead"
    assert contact.company.name == "Fabrica SRL"
    assert Employment.objects.get(contact=contact).company == contact.company
    assert LifecycleChange.objects.get(contact=contact).to_stage.key == "lead"


@pytest.mark.django_db
def test_quick_add_needs_a_way_to_reach_the_person(actor):
    with pytest.raises(ValidationError) as error:
        services.quick_add_contact(actor=actor, name="Ana")
    assert error.value.message_dict["email"] == ["Add an e-mail or a phone, so you can reach them."]
    with pytest.raises(ValidationError):
        services.quick_add_contact(actor=actor, name="Ana", email="not-an-email")
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_stale_edit_is_refused_and_the_newer_one_kept(actor):
    contact = services.quick_add_contact(actor=actor, name="José Martínez", email="jose@x.es")
    opened_at = contact.version
    services.update_contact(
        actor=actor,
        contact=Contact.objects.get(pk=contact.pk),
        data={"position": "CEO"},
        expected_version=opened_at,
    )
    with pytest.raises(StaleRecordError):
        services.update_contact(
            actor=actor,
            contact=Contact.objects.get(pk=contact.pk),
            data={"position": "CTO"},
            expected_version=opened_at,
        )
    assert Contact.objects.get(pk=contact.pk).position == "CEO"


@pytest.mark.django_db
def test_moving_to_another_company_keeps_the_history(actor):
    contact = services.quick_add_contact(
        actor=actor, name="Emily Carter", email="emily@a.com", company_name="Alpha Ltd"
    )
    beta = services.create_company(actor=actor, data={"name": "Beta Inc"})
    services.update_contact(
        actor=actor, contact=contact, data={"company": beta}, expected_version=None
    )
    jobs = list(Employment.objects.filter(contact=contact).order_by("started_at"))
    assert [job.company.name for job in jobs] == ["Alpha Ltd", "Beta Inc"]
    assert jobs[0].ended_at is not None and jobs[1].ended_at is None


@pytest.mark.django_db
def test_duplicates_by_email_phone_in_another_format_and_similar_name(actor, settings):
    settings.PHONE_REGION = "RO"
    ana = services.quick_add_contact(
        actor=actor,
        name="Ana Popescu",
        email="ana@firma.ro",
        phone="0722 123 456",
        company_name="Firma SRL",
    )
    visible = selectors.contacts_for(actor)
    by_phone = contact_suspects(visible, phones=["+40 722-123-456"])
    assert [(s.contact, s.reason) for s in by_phone] == [(ana, "same phone")]
    by_email = contact_suspects(visible, email="ANA@firma.ro")
    assert [s.reason for s in by_email] == ["same e-mail"]
    by_name = contact_suspects(visible, name="Popescu Ana", company_id=ana.company_id)
    assert [s.reason for s in by_name] == ["similar name, same company"]
    assert contact_suspects(visible, name="Ana Popescu") == []  # no company: not enough
    assert contact_suspects(visible, phones=["0722 123 456"], exclude_id=ana.pk) == []


@pytest.mark.django_db
def test_stale_records_are_the_owners_untouched_ones(actor, make_user):
    fresh = services.quick_add_contact(actor=actor, name="Fresh One", email="f@x.ro")
    old = services.quick_add_contact(actor=actor, name="Old One", email="o@x.ro")
    other = services.quick_add_contact(
        actor=make_user(email="b@x.ro"), name="Not Mine", email="n@x.ro"
    )
    long_ago = timezone.now() - datetime.timedelta(days=45)
    Contact.objects.filter(pk__in=[old.pk, other.pk]).update(created_at=long_ago)
    assert list(selectors.needs_attention(actor)) == [old]
    old.refresh_from_db()
    assert selectors.is_stale(old) and not selectors.is_stale(fresh)


@pytest.mark.django_db
def test_bulk_stage_change_records_each_move(actor):
    contacts = [
        services.quick_add_contact(actor=actor, name=f"Person {i}", email=f"p{i}@x.ro")
        for i in range(3)
    ]
    customer = LifecycleStage.objects.get(key="customer")
    services.change_stage(actor=actor, contacts=contacts, stage=customer)
    assert set(Contact.objects.values_list("lifecycle_stage__key", flat=True)) == {"customer"}
    assert LifecycleChange.objects.filter(to_stage=customer).count() == 3


@pytest.mark.django_db
def test_trash_hides_a_contact_from_lists_and_search(actor):
    from clientela.core.search import matching_entries

    contact = services.quick_add_contact(actor=actor, name="Gone Soon", email="g@x.ro")
    assert matching_entries("gone").count() == 1
    record_services.move_to_trash(actor=actor, records=[contact])
    assert not selectors.contacts_for(actor).exists()
    assert matching_entries("gone").count() == 0
    record_services.restore_from_trash(actor=actor, records=[Contact.objects.get(pk=contact.pk)])
    assert matching_entries("gone").count() == 1


@pytest.mark.django_db
def test_a_company_website_is_a_web_address_or_refused(actor):
    company = services.create_company(
        actor=actor, data={"name": "Fabrica SRL", "website": " https://fabrica.ro "}
    )
    assert company.website == "https://fabrica.ro"
    for address in ("javascript://%0Aalert(1)", "data:text/html,hi", "fabrica"):
        with pytest.raises(ValidationError) as refused:
            services.update_company(
                actor=actor, company=company, data={"website": address}, expected_version=None
            )
        assert "website" in refused.value.message_dict, address
    company.refresh_from_db()
    assert company.website == "https://fabrica.ro"
