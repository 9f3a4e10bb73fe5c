"""The agents' scripts: canned replies and the knowledge base (articles by category, an
article with its versions, the editor). Thin: the knowledge services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clientela.core import audit, merge_fields, permissions
from clientela.core.concurrency import StaleRecordError
from clientela.core.forms import add_service_errors
from clientela.core.listing import page_context
from clientela.core.pagination import keyset_page
from clientela.tickets import knowledge, selectors
from clientela.tickets.forms import ArticleFilterForm, ArticleForm, CannedReplyForm, CategoryForm
from clientela.tickets.models import Article

PAGE_SIZE = 50


# Canned replies ----------------------------------------------------------------------------
@require_safe
def canned_list(request):
    return render(
        request,
        "tickets/canned_list.html",
        {
            "replies": selectors.canned_replies(request.user),
            "may_write": permissions.may_add(request.user, "cannedreply"),
            "fields": merge_fields.FIELDS,
        },
    )


@require_http_methods(["GET", "POST"])
def canned_edit(request, pk: int | None = None):
    reply = None
    if pk is None:
        permissions.check_add(request.user, "cannedreply")
    else:
        reply = selectors.canned_replies_for(request.user).filter(pk=pk).first()
        if reply is None:
            raise Http404
    initial = {"name": reply.name, "body": reply.body, "version": reply.version} if reply else {}
    form = CannedReplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if reply is None:
                reply = knowledge.create_canned_reply(actor=request.user, data=data)
            else:
                knowledge.update_canned_reply(
                    actor=request.user,
                    reply=reply,
                    data={"name": data["name"], "body": data["body"]},
                    expected_version=data["version"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except (PermissionDenied, StaleRecordError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Canned reply %(name)s saved.") % {"name": reply.name})
            return redirect("tickets:canned-list")
    return render(
        request,
        "tickets/canned_edit.html",
        {
            "form": form,
            "reply": reply,
            "fields": merge_fields.FIELDS,
            "may_write": permissions.allows(request.user, reply, "edit")
            if reply
            else permissions.may_add(request.user, "cannedreply"),
            "may_delete": reply is not None and permissions.allows(request.user, reply, "delete"),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def canned_trash(request, pk: int):
    reply = selectors.canned_replies_for(request.user).filter(pk=pk).first()
    if reply is None:
        raise Http404
    try:
        knowledge.trash_canned_reply(actor=request.user, reply=reply)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(reply)
    messages.success(request, _("%(name)s was moved to the trash.") % {"name": reply.name})
    return redirect("tickets:canned-list")


# The knowledge base ------------------------------------------------------------------------
@require_safe
def article_list(request):
    form = ArticleFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    category = data.get("category")
    articles = selectors.article_list(
        request.user, q=data.get("q") or "", category=category.pk if category else None
    )
    page = keyset_page(articles, ["title", "id"], request.GET.get("after"), PAGE_SIZE)
    shown, _query = page_context(request, page, [], "")
    return render(
        request,
        "tickets/article_list.html",
        {
            **shown,
            "form": form,
            "categories": selectors.categories(),
            "category": category,
            "has_filters": bool(data.get("q") or category),
            "may_write": permissions.may_add(request.user, "article"),
            "category_form": CategoryForm(),
        },
    )


def _visible_article(request, pk: int) -> Article:
    article = selectors.articles_for(request.user).select_related("category", "owner")
    found = article.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@require_safe
def article_detail(request, pk: int):
    article = _visible_article(request, pk)
    return render(
        request,
        "tickets/article_detail.html",
        {
            "article": article,
            "versions": list(audit.history(article)[:10]),
            "may_edit": permissions.allows(request.user, article, "edit"),
            "may_delete": permissions.allows(request.user, article, "delete"),
            "used_on": article.ticket_links.count(),
        },
    )


@require_http_methods(["GET", "POST"])
def article_edit(request, pk: int | None = None):
    article = _visible_article(request, pk) if pk is not None else None
    if article is not None and not permissions.allows(request.user, article, "edit"):
        raise PermissionDenied
    if article is None:
        permissions.check_add(request.user, "article")
    initial = (
        {
            "title": article.title,
            "category": article.category_id,
            "body": article.body,
            "version": article.version,
        }
        if article
        else {}
    )
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {key: data[key] for key in ("title", "category", "body")}
        try:
            if article is None:
                article = knowledge.create_article(actor=request.user, data=fields)
            else:
                knowledge.update_article(
                    actor=request.user,
                    article=article,
                    data=fields,
                    expected_version=data["version"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except (PermissionDenied, StaleRecordError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Article %(title)s saved.") % {"title": article.title})
            return redirect(article)
    return render(
        request,
        "tickets/article_edit.html",
        {"form": form, "article": article},
        status=400 if form.errors else 200,
    )


@require_POST
def article_trash(request, pk: int):
    article = _visible_article(request, pk)
    try:
        knowledge.trash_article(actor=request.user, article=article)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(article)
    messages.success(request, _("%(title)s was moved to the trash.") % {"title": article.title})
    return redirect("tickets:articles")


@require_POST
def category_create(request):
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            category = knowledge.create_category(actor=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Category %(name)s added.") % {"name": category.name})
    else:
        messages.error(request, " ".join(form.errors.get("name", [])))
    return redirect("tickets:articles")
