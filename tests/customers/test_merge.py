"""Merging two contacts moves everything to one, and undoing it puts both back."""

import pytest
from django.core.exceptions import ValidationError

from clientela.activities import selectors as activity_selectors
from clientela.activities import services as activity_services
from clientela.activities.models import Task
from clientela.customers import merging, services
from clientela.customers.models import Contact


@pytest.fixture
def pair(user, settings):
    settings.PHONE_REGION = "RO"
    first = services.quick_add_contact(
        actor=user, name="Ana Popescu", email="ana@firma.ro", company_name="Firma SRL"
    )
    services.update_contact(
        actor=user,
        contact=first,
        data={"tags": ["vip"], "position": "Director"},
        expected_version=None,
    )
    second = services.quick_add_contact(
        actor=user, name="Ana Popescu-Ionescu", phone="0722 123 456"
    )
    services.update_contact(
        actor=user, contact=second, data={"tags": ["newsletter"]}, expected_version=None
    )
    activity_services.log_activity(actor=user, record=first, kind="note", body="First note")
    activity_services.log_activity(actor=user, record=second, kind="call", subject="Intro call")
    activity_services.create_task(actor=user, title="Send offer", assignee=user, record=second)
    return first, second


def timeline_subjects(record):
    return [
        a.subject or a.body for a in activity_selectors.timeline(record, user=record.owner).items
    ]


@pytest.mark.django_db
def test_merge_moves_everything_and_undo_restores_both(user, pair):
    first, second = pair
    merge = merging.merge(
        actor=user, survivor=first, duplicate=second, take_from_duplicate={"full_name"}
    )

    first = Contact.objects.get(pk=first.pk)
    assert first.full_name == "Ana Popescu-Ionescu"
    assert first.position == "Director"
    assert first.email == "ana@firma.ro" and first.phone == "+40722123456"
    assert set(first.tags.values_list("name", flat=True)) == {"vip", "newsletter"}
    assert timeline_subjects(first) == ["Intro call", "First note"]
    assert Task.objects.get().object_id == first.pk
    assert Contact.objects.get(pk=second.pk).deleted_at is not None

    merging.undo(actor=user, merge_record=merge)

    first = Contact.objects.get(pk=first.pk)
    second = Contact.objects.get(pk=second.pk)
    assert first.full_name == "Ana Popescu" and second.deleted_at is None
    assert first.phone == "" and second.phone == "+40722123456"
    assert set(first.tags.values_list("name", flat=True)) == {"vip"}
    assert timeline_subjects(first) == ["First note"]
    assert timeline_subjects(second) == ["Intro call"]
    assert Task.objects.get().object_id == second.pk
    with pytest.raises(ValidationError):
        merging.undo(actor=user, merge_record=merge)


@pytest.mark.django_db
def test_merge_refuses_a_record_with_itself(user, pair):
    first, _second = pair
    with pytest.raises(ValidationError):
        merging.merge(actor=user, survivor=first, duplicate=first)
