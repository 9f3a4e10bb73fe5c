"""Every write to the agents' scripts: canned replies, the knowledge base's categories and
articles (each change a version in the audit trail, restorable), and an article used on
a ticket. Who may write them is the role's scope on the record type, as for any record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import audit, merge_fields, permissions, search
from clientela.core.concurrency import claim_version
from clientela.core.models import Record
from clientela.core.record_services import fresh, trash_record
from clientela.tickets.models import Article, ArticleCategory, CannedReply, Ticket, TicketArticle
from clientela.users.models import User

MAX_BODY = 20_000


def _text(value: str, field: str, *, limit: int, one_line: bool) -> str:
    text = (value or "").strip()
    if one_line:
        text = " ".join(text.split())
    if not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": limit}})
    return text


def _may_edit(actor: User | None, record: Record) -> None:
    permissions.check(actor, record, "edit")
    if record.deleted_at is not None:
        raise ValidationError(_("This is in the trash: restore it first."))


def _created(actor: User | None, record: Record) -> None:
    search.index(record)
    audit.log(actor=actor, action="create", record=record, after=audit.snapshot(record))


def _changed(
    actor: User | None,
    record: Record,
    before: dict,
    fields: list[str],
    expected_version: int | None,
    action: str,
) -> None:
    """Save, raise the version (refusing a stale one), re-index and audit: one version."""
    claim_version(record, expected_version)
    record.save(update_fields=[*fields, "updated_at"])
    search.index(record)
    fresh(record)
    audit.log(
        actor=actor, action=action, record=record, before=before, after=audit.snapshot(record)
    )


# Canned replies ----------------------------------------------------------------------------
def _canned_fields(data: dict[str, Any]) -> dict[str, str]:
    body = _text(data.get("body", ""), "body", limit=MAX_BODY, one_line=False)
    merge_fields.check(body)
    return {"name": _text(data.get("name", ""), "name", limit=120, one_line=True), "body": body}


@transaction.atomic
def create_canned_reply(*, actor: User | None, data: dict[str, Any]) -> CannedReply:
    permissions.check_add(actor, "cannedreply")
    reply = CannedReply.objects.create(owner=actor, **_canned_fields(data))
    _created(actor, reply)
    return reply


@transaction.atomic
def update_canned_reply(
    *,
    actor: User | None,
    reply: CannedReply,
    data: dict[str, Any],
    expected_version: int | None,
    action: str = "update",
) -> CannedReply:
    _may_edit(actor, reply)
    before = audit.snapshot(reply)
    values = _canned_fields({"name": reply.name, "body": reply.body, **data})
    for key, value in values.items():
        setattr(reply, key, value)
    _changed(actor, reply, before, list(values), expected_version, action)
    return reply


def restore_canned_reply(
    *, actor: User | None, record: CannedReply, state: dict, action: str
) -> CannedReply:
    data = {key: state[key] for key in ("name", "body") if key in state}
    return update_canned_reply(
        actor=actor, reply=record, data=data, expected_version=None, action=action
    )


@transaction.atomic
def trash_canned_reply(*, actor: User | None, reply: CannedReply) -> None:
    trash_record(actor=actor, record=reply)


# The knowledge base ------------------------------------------------------------------------
@transaction.atomic
def create_category(*, actor: User | None, name: str) -> ArticleCategory:
    permissions.check_add(actor, "article")
    name = _text(name, "name", limit=80, one_line=True)
    if ArticleCategory.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("There is a category with this name already.")})
    category = ArticleCategory.objects.create(name=name)
    audit.log(actor=actor, action="create", record=category, after=audit.snapshot(category))
    return category


def _article_fields(data: dict[str, Any]) -> dict[str, Any]:
    category = data.get("category")
    if category is not None and not isinstance(category, ArticleCategory):
        raise ValidationError({"category": _("There is no such category.")})
    return {
        "title": _text(data.get("title", ""), "title", limit=200, one_line=True),
        "body": _text(data.get("body", ""), "body", limit=MAX_BODY, one_line=False),
        "category": category,
    }


@transaction.atomic
def create_article(*, actor: User | None, data: dict[str, Any]) -> Article:
    permissions.check_add(actor, "article")
    article = Article.objects.create(owner=actor, **_article_fields(data))
    _created(actor, article)
    return article


@transaction.atomic
def update_article(
    *,
    actor: User | None,
    article: Article,
    data: dict[str, Any],
    expected_version: int | None,
    action: str = "update",
) -> Article:
    """A new version of the article; the one before stays in its history."""
    _may_edit(actor, article)
    before = audit.snapshot(article)
    current = {"title": article.title, "body": article.body, "category": article.category}
    values = _article_fields({**current, **data})
    for key, value in values.items():
        setattr(article, key, value)
    _changed(actor, article, before, list(values), expected_version, action)
    return article


def restore_article(*, actor: User | None, record: Article, state: dict, action: str) -> Article:
    """An earlier version's title, text and category (a category deleted since: none)."""
    data: dict[str, Any] = {key: state[key] for key in ("title", "body") if key in state}
    if "category" in state:
        data["category"] = ArticleCategory.objects.filter(name=state["category"]).first()
    return update_article(
        actor=actor, article=record, data=data, expected_version=None, action=action
    )


@transaction.atomic
def trash_article(*, actor: User | None, article: Article) -> None:
    trash_record(actor=actor, record=article)


# Articles used on tickets ------------------------------------------------------------------
def link_articles(
    *, actor: User | None, ticket: Ticket, articles: Sequence[Article]
) -> list[TicketArticle]:
    """Mark the articles as used on the ticket (once each), in the ticket's history. The
    caller checked that the actor may edit the ticket and see the articles."""
    known = set(
        TicketArticle.objects.filter(ticket=ticket, article__in=articles).values_list(
            "article_id", flat=True
        )
    )
    now = timezone.now()
    links = []
    for article in articles:
        if article.pk in known:
            continue
        known.add(article.pk)
        links.append(
            TicketArticle.objects.create(
                ticket=ticket, article=article, linked_at=now, linked_by=actor
            )
        )
        audit.log(
            actor=actor,
            action="link article",
            record=ticket,
            before={"article": ""},
            after={"article": article.title},
            state=None,
        )
    return links


@transaction.atomic
def link_article(*, actor: User | None, ticket: Ticket, article: Article) -> TicketArticle | None:
    """An agent links an article to a ticket from its page or the API."""
    permissions.check(actor, ticket, "edit")
    if ticket.deleted_at is not None or article.deleted_at is not None:
        raise ValidationError(_("This is in the trash: restore it first."))
    links = link_articles(actor=actor, ticket=ticket, articles=[article])
    return links[0] if links else None
