"""The desk's settings lists: SLA targets per priority and tier, the status transitions
and the knowledge base's categories are changed in the app, each change audited; a
category is renamed in place and deleted only when no article is in it."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from clientela.core.models import AuditEntry
from clientela.tickets import knowledge
from clientela.tickets.models import ArticleCategory, SlaPolicy, StatusTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_an_sla_target_per_priority_and_tier_is_added_changed_and_audited(admin_client):
    assert admin_client.get("/settings/sla-policies/").status_code == 200
    data = {
        "priority": "high",
        "tier": "vip",
        "first_response_minutes": "30",
        "resolution_minutes": "240",
    }
    assert admin_client.post("/settings/sla-policies/new/", data).status_code == 302
    policy = SlaPolicy.objects.get(tier="vip")
    admin_client.post(
        f"/settings/sla-policies/{policy.pk}/", {**data, "first_response_minutes": "15"}
    )
    policy.refresh_from_db()
    assert policy.first_response_minutes == 15
    actions = list(
        AuditEntry.objects.filter(object_id=policy.pk, content_type__model="slapolicy")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]
    # The same priority and tier twice is refused beside the form, not with an error page.
    again = admin_client.post("/settings/sla-policies/new/", data)
    assert again.status_code == 400


def test_a_transition_is_added_and_removed(admin_client):
    admin_client.post(
        "/settings/ticket-statuses/new/", {"from_status": "closed", "to_status": "new"}
    )
    move = StatusTransition.objects.get(from_status="closed", to_status="new")
    admin_client.post(f"/settings/ticket-statuses/{move.pk}/delete/")
    assert not StatusTransition.objects.filter(pk=move.pk).exists()


def test_a_category_is_renamed_and_deleted_only_when_empty(admin_client, admin):
    shelf = ArticleCategory.objects.create(name="Ovens")
    knowledge.create_article(
        actor=admin, data={"title": "Cold oven", "body": "Check it.", "category": shelf}
    )
    admin_client.post(f"/settings/article-categories/{shelf.pk}/", {"name": "Ovens and stoves"})
    shelf.refresh_from_db()
    assert shelf.name == "Ovens and stoves"
    refused = admin_client.post(f"/settings/article-categories/{shelf.pk}/delete/", follow=True)
    assert escape("“Ovens and stoves” can't be deleted: it is used by 1 article") in (
        refused.content.decode()
    )
    empty = ArticleCategory.objects.create(name="Unused")
    admin_client.post(f"/settings/article-categories/{empty.pk}/delete/")
    assert not ArticleCategory.objects.filter(pk=empty.pk).exists()
