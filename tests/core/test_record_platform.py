"""The record platform: one visibility rule on every record type's queryset, one
declaration that makes a type known to search, audit, events, handover and the trash, and
the shared trash and history pages working from those declarations."""

from __future__ import annotations

import pytest

from clientela.core import events, handover, permissions, record_services, records, search
from clientela.core.models import AuditEntry
from clientela.customers import services
from clientela.customers.models import Company, Contact
from clientela.deals import services as deal_services
from clientela.deals.models import Deal, Pipeline
from clientela.orders.models import Order
from clientela.projects.models import Project
from clientela.tickets.models import Article, CannedReply, Ticket
from clientela.users.services import create_user, role_named, team_named


@pytest.fixture
def people(db):
    north, south = team_named("North"), team_named("South")
    rep = role_named("sales-representative")  # sees the team's, edits and deletes its own
    return {
        "ana": create_user(email="ana@firma.ro", full_name="Ana", role=rep, team=north),
        "bob": create_user(email="bob@firma.ro", full_name="Bob", role=rep, team=north),
        "eva": create_user(email="eva@firma.ro", full_name="Eva", role=rep, team=south),
        "boss": create_user(
            email="boss@firma.ro", full_name="Boss", role=role_named("administrator")
        ),
    }


def contact(owner, name):
    return services.create_contact(actor=None, data={"full_name": name, "owner": owner})


def names(queryset) -> set[str]:
    return set(queryset.values_list("full_name", flat=True))


def test_live_trashed_and_visible_to_apply_the_role_scopes(people):
    ana, bob, eva, boss = people["ana"], people["bob"], people["eva"], people["boss"]
    contact(ana, "Of Ana")
    contact(bob, "Of Bob")
    contact(eva, "Of Eva")
    gone = contact(ana, "Trashed of Ana")
    record_services.move_to_trash(actor=ana, records=[gone])

    assert names(Contact.objects.live()) == {"Of Ana", "Of Bob", "Of Eva"}
    assert names(Contact.objects.trashed()) == {"Trashed of Ana"}
    # A representative sees the team's contacts, edits only their own.
    assert names(Contact.objects.live().visible_to(ana)) == {"Of Ana", "Of Bob"}
    assert names(Contact.objects.live().visible_to(ana, "edit")) == {"Of Ana"}
    assert names(Contact.objects.live().visible_to(eva)) == {"Of Eva"}
    assert len(names(Contact.objects.live().visible_to(boss))) == 3
    # The trash: what the user could delete, so may restore.
    assert names(Contact.objects.trashed().visible_to(ana, "delete")) == {"Trashed of Ana"}
    assert not Contact.objects.trashed().visible_to(bob, "delete").exists()
    # Nobody logged in sees nothing.
    assert not Contact.objects.live().visible_to(None).exists()


def test_every_record_type_is_declared_once_with_what_the_kernel_needs(db):
    assert {name: rt.model for name, rt in records.TYPES.items()} == {
        "contact": Contact,
        "company": Company,
        "deal": Deal,
        "project": Project,
        "order": Order,
        "ticket": Ticket,
        "cannedreply": CannedReply,
        "article": Article,
    }
    # What the rest of the kernel reads by name or by model comes from those declarations.
    assert records.record_models() == {name: rt.model for name, rt in records.TYPES.items()}
    assert permissions.record_types() == [
        "contact",
        "company",
        "deal",
        "project",
        "order",
        "ticket",
        "cannedreply",
        "article",
    ]
    assert str(permissions.record_type_label("company")) == "Companies"
    assert records.type_of(Deal) is records.TYPES["deal"]
    assert records.type_of(Pipeline) is None
    assert set(search.BUILDERS) >= {Contact, Company, Deal}
    assert {"deal.won", "deal.lost", "contact.restored", "order.updated"} <= set(events.names())
    assert {"ticket.created", "ticket.assigned", "ticket.resolved"} <= set(events.names())
    assert {str(item.label) for item in handover.HANDOVERS} >= {
        "contacts",
        "companies",
        "open deals",
        "open projects",
        "open tasks",
    }
    assert permissions.SENSITIVE_FIELDS["deal"] == {"amount", "lines"}
    assert permissions.SENSITIVE_FIELDS["company"] == {"tax_id"}
    assert permissions.SENSITIVE_FIELDS["invoice"] >= {"total", "due", "paid"}


def test_declared_gives_404_for_an_unknown_type(db):
    from django.http import Http404

    assert records.declared("deal").model is Deal
    with pytest.raises(Http404):
        records.declared("invoice")


def test_the_trash_page_lists_and_restores_every_record_type(client, people):
    ana = people["ana"]
    kept = contact(ana, "Kept")
    trashed = contact(ana, "Trashed person")
    deal = deal_services.create_deal(
        actor=ana, data={"name": "Trashed deal", "owner": ana, "contacts": [kept]}
    )
    record_services.move_to_trash(actor=ana, records=[trashed])
    deal_services.trash_deal(actor=ana, deal=deal)
    client.force_login(ana)

    page = client.get("/trash/").content.decode()
    assert "Trashed person" in page and "Trashed deal" in page and "Kept" not in page

    response = client.post("/trash/action/", {"type": "deal", "id": deal.pk, "action": "restore"})
    assert response.status_code == 302
    assert Deal.objects.live().filter(pk=deal.pk).exists()
    # Another team's representative cannot restore what they could not delete.
    client.force_login(people["eva"])
    response = client.post(
        "/trash/action/", {"type": "contact", "id": trashed.pk, "action": "restore"}
    )
    assert response.status_code == 404
    assert Contact.objects.trashed().filter(pk=trashed.pk).exists()


def test_history_and_restore_version_exist_for_types_that_declare_restore(client, people):
    boss = people["boss"]
    ana_contact = contact(boss, "Ana Before")
    services.update_contact(
        actor=boss,
        contact=ana_contact,
        data={"full_name": "Ana After"},
        expected_version=None,
    )
    deal = deal_services.create_deal(
        actor=boss, data={"name": "A deal", "owner": boss, "contacts": [ana_contact]}
    )
    client.force_login(boss)

    assert client.get(f"/records/contact/{ana_contact.pk}/history/").status_code == 200
    # Deals keep an audit trail but declare no way back to a version: no history page.
    assert client.get(f"/records/deal/{deal.pk}/history/").status_code == 404
    assert client.get(f"/records/invoice/{deal.pk}/history/").status_code == 404

    created = AuditEntry.objects.get(
        content_type__model="contact", object_id=ana_contact.pk, action="create"
    )
    response = client.post(f"/history/{created.pk}/restore/")
    assert response.status_code == 302
    ana_contact.refresh_from_db()
    assert ana_contact.full_name == "Ana Before"
