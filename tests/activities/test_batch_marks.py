"""An import's batch of timeline entries moves each record's last activity forward, never
back, whether the entries share one time (notes written now) or each have their own."""

import datetime

import pytest
from django.utils import timezone

from clientela.activities.batches import SAME_TIME_STATEMENTS, _mark_many
from clientela.customers import services as customer_services
from clientela.customers.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(user):
    return [
        customer_services.quick_add_contact(actor=user, name=f"Person {i}", email=f"p{i}@x.ro")
        for i in range(SAME_TIME_STATEMENTS + 3)
    ]


def _stored(people):
    by_pk = {
        c.pk: c.last_activity_at for c in Contact.objects.filter(pk__in=[p.pk for p in people])
    }
    return [by_pk[p.pk] for p in people]


def test_one_time_for_many_records_moves_each_forward_and_none_back(people):
    now = timezone.now()
    later = now + datetime.timedelta(days=2)
    Contact.objects.filter(pk=people[0].pk).update(last_activity_at=later)
    Contact.objects.filter(pk=people[1].pk).update(last_activity_at=None)
    people[0].last_activity_at, people[1].last_activity_at = later, None
    _mark_many(Contact, "last_activity_at", [(person, now) for person in people])
    assert _stored(people) == [later, *[now] * (len(people) - 1)]
    assert [p.last_activity_at for p in people] == [later, *[now] * (len(people) - 1)]


def test_a_time_of_its_own_for_each_record_moves_each_to_its_own(people):
    start = timezone.now()
    times = [start + datetime.timedelta(hours=i) for i in range(len(people))]
    newest = start + datetime.timedelta(days=30)
    Contact.objects.filter(pk=people[-1].pk).update(last_activity_at=newest)
    people[-1].last_activity_at = newest
    _mark_many(Contact, "last_activity_at", list(zip(people, times, strict=True)))
    assert _stored(people) == [*times[:-1], newest]
