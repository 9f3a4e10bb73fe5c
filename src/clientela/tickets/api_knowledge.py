"""Canned replies and knowledge base articles in the API: list (articles searched with the
knowledge base page's search), read, create, change (a new version) and trash; and
`POST /tickets/{id}/articles` links an article to a ticket."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema

from clientela.api.registry import Action, Resource, register
from clientela.api.requests import api_field_names
from clientela.api.types import Id, name_text, text
from clientela.tickets import knowledge, selectors
from clientela.tickets.models import Article, ArticleCategory, CannedReply, Ticket


class CannedReplyOut(Schema):
    id: int
    version: int
    name: str
    body: str = Field(description="With its merge fields, `{{ contact.first_name }}`.")
    owner_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CannedReplyIn(Schema):
    name: name_text(120)
    body: name_text(20_000) = Field(description="Unknown merge fields are refused with a 422.")


class CannedReplyUpdate(Schema):
    version: int | None = Field(None, ge=1, le=2**31, description="The version you read.")
    name: name_text(120) | None = None
    body: name_text(20_000) | None = None


class ArticleOut(Schema):
    id: int
    version: int
    title: str
    category_id: int | None
    category: str | None
    body: str
    owner_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ArticleIn(Schema):
    title: name_text(200)
    body: name_text(20_000)
    category_id: Id | None = None


class ArticleUpdate(Schema):
    version: int | None = Field(None, ge=1, le=2**31, description="The version you read.")
    title: name_text(200) | None = None
    body: name_text(20_000) | None = None
    category_id: Id | None = None
    no_category: bool = Field(False, description="`true` takes the article out of its category.")


class ArticleFilters(Schema):
    q: text(200) | None = Field(None, description="Words in the title or text.")
    category: Id | None = None


class LinkIn(Schema):
    article_id: Id


def canned_out(reply: CannedReply, user) -> dict:
    return {name: getattr(reply, name) for name in CannedReplyOut.model_fields}


def article_out(article: Article, user) -> dict:
    fields = [name for name in ArticleOut.model_fields if name != "category"]
    return {
        **{name: getattr(article, name) for name in fields},
        "category": article.category.name if article.category is not None else None,
    }


def _category(pk) -> ArticleCategory | None:
    if pk is None:
        return None
    category = ArticleCategory.objects.filter(pk=pk).first()
    if category is None:
        raise ValidationError({"category_id": _("There is no such category.")})
    return category


def _given(data: dict) -> dict:
    return {key: value for key, value in data.items() if value is not None}


def update_canned(user, reply: CannedReply, data: dict, expected: int | None) -> CannedReply:
    return knowledge.update_canned_reply(
        actor=user, reply=reply, data=_given(data), expected_version=expected
    )


def create_article(user, data: dict) -> Article:
    with api_field_names({"category": "category_id"}):
        return knowledge.create_article(
            actor=user,
            data={
                "title": data["title"],
                "body": data["body"],
                "category": _category(data.get("category_id")),
            },
        )


def update_article(user, article: Article, data: dict, expected: int | None) -> Article:
    category_id, no_category = data.pop("category_id", None), data.pop("no_category", False)
    fields = _given(data)
    if category_id is not None or no_category:
        fields["category"] = _category(category_id)
    with api_field_names({"category": "category_id"}):
        return knowledge.update_article(
            actor=user, article=article, data=fields, expected_version=expected
        )


def filter_articles(user, queryset, params: dict, raw):
    q, category = params.get("q") or "", params.get("category")
    if category:
        queryset = queryset.filter(category_id=category)
    if q:
        queryset = queryset.filter(pk__in=selectors.article_list(user, q=q).values("pk"))
    return queryset


def link_article(user, ticket: Ticket, data: dict, expected: int | None) -> Ticket:
    article = selectors.articles_for(user).filter(pk=data["article_id"]).first()
    if article is None:
        raise ValidationError({"article_id": _("There is no such record.")})
    knowledge.link_article(actor=user, ticket=ticket, article=article)
    return ticket


# The action rides on the tickets resource: `POST /tickets/{id}/articles`.
LINK_ARTICLE = Action(
    name="articles",
    summary="Link a knowledge base article to a ticket",
    run=link_article,
    payload=LinkIn,
)

register(
    Resource(
        name="canned-replies",
        label="canned reply",
        model=CannedReply,
        out=CannedReplyOut,
        queryset=selectors.canned_replies_for,
        serialize=canned_out,
        sorts={"name": ["name", "id"], "updated": ["updated_at", "id"]},
        default_sort="name",
        updated_field="updated_at",
        create_in=CannedReplyIn,
        create=lambda user, data: knowledge.create_canned_reply(actor=user, data=data),
        update_in=CannedReplyUpdate,
        update=update_canned,
        delete=lambda user, reply: knowledge.trash_canned_reply(actor=user, reply=reply),
        versioned=True,
        description="Replies agents insert on a ticket; merge fields such as "
        "`{{ contact.first_name }}` are filled when a reply is sent.",
    )
)
register(
    Resource(
        name="articles",
        label="article",
        model=Article,
        out=ArticleOut,
        queryset=lambda user: selectors.articles_for(user).select_related("category"),
        serialize=article_out,
        sorts={"title": ["title", "id"], "updated": ["updated_at", "id"]},
        default_sort="title",
        filters=ArticleFilters,
        apply_filters=filter_articles,
        updated_field="updated_at",
        create_in=ArticleIn,
        create=create_article,
        update_in=ArticleUpdate,
        update=update_article,
        delete=lambda user, article: knowledge.trash_article(actor=user, article=article),
        versioned=True,
        description="The knowledge base. Each change is a new version, kept in the "
        "article's history.",
    )
)
