"""The demo data set is marked as it is loaded; an administrator takes exactly those records
away (into the trash, audited, restorable), and the records people added stay."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from clientela.core import record_services
from clientela.core.models import AuditEntry, DemoRecord
from clientela.customers import services as customer_services
from clientela.customers.models import Company, Contact
from clientela.deals.models import Deal
from clientela.users.services import create_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return create_user(
        email="ana@firma.ro", full_name="Ana Popescu", password="x-Corect-9", administrator=True
    )


def test_removing_the_demo_takes_exactly_its_records_to_the_trash(client, admin):
    mine = customer_services.create_contact(actor=admin, data={"full_name": "Ioana Pomi"})
    call_command("demo", verbosity=0)
    demo_contacts = Contact.objects.live().exclude(pk=mine.pk).count()
    assert demo_contacts > 10 and Deal.objects.live().exists()
    client.force_login(admin)
    home = client.get("/").content.decode()
    assert "These are example records." in home and "Remove demo data" in home

    response = client.post("/demo/remove/", follow=True)
    page = response.content.decode()
    assert "example records moved to the trash" in page
    assert "These are example records." not in page
    assert list(Contact.objects.live()) == [mine]
    assert not Company.objects.live().exists() and not Deal.objects.live().exists()
    assert Contact.objects.trashed().count() == demo_contacts
    assert AuditEntry.objects.filter(action="delete").count() >= demo_contacts
    assert not DemoRecord.objects.exists()

    # Too soon: one comes back from the trash as it was.
    back = Contact.objects.trashed().first()
    record_services.restore_from_trash(actor=admin, records=[back])
    assert Contact.objects.live().count() == 2


def test_only_an_administrator_may_remove_the_demo(client, admin):
    call_command("demo", verbosity=0)
    rep = create_user(email="rep@firma.ro", full_name="Rep Unu", password="x-Corect-9")
    client.force_login(rep)
    home = client.get("/").content.decode()
    assert "These are example records." in home and "Remove demo data" not in home
    assert client.post("/demo/remove/").status_code == 403
    assert DemoRecord.objects.exists()


def test_a_second_demo_run_marks_nothing_people_added_in_between(admin):
    call_command("demo", verbosity=0)
    marked = DemoRecord.objects.count()
    customer_services.create_contact(actor=admin, data={"full_name": "Ioana Pomi"})
    call_command("demo", verbosity=0)
    assert DemoRecord.objects.count() == marked
