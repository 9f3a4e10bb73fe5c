"""Resources of the API, each declared once: an app's `api.py` calls `register(Resource(…))`
with its schemas, selector and services, and gets list, read, create, update, delete and
bulk endpoints, token scopes, idempotent POSTs and webhook payloads from that one line."""

# No `from __future__ import annotations`: django-ninja reads the endpoint functions'
# annotations, which here are schemas chosen at run time.

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.db import models
from django.db.models import QuerySet
from django.utils.module_loading import autodiscover_modules
from ninja import Field, Header, Path, Query, Router, Schema, Status
from pydantic import create_model

from clientela.api import requests as api_requests
from clientela.api.scopes import READ, WRITE
from clientela.api.types import MAX_ID, DateTime, IfMatch
from clientela.core import permissions, records
from clientela.core.listing import ListSpec, sort_queryset
from clientela.core.pagination import Page, keyset_page
from clientela.users.requests import AuthenticatedRequest

if TYPE_CHECKING:
    from clientela.users.models import User

DEFAULT_LIMIT, MAX_LIMIT, MAX_BULK = 50, 200, 100


class ListParams(Schema):
    cursor: str | None = Field(
        None, max_length=2000, description="`next_cursor` of the page before."
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    sort: str | None = Field(
        None, max_length=60, description="A sort name; a leading `-` reverses it."
    )
    updated_since: DateTime | None = Field(
        None, description="Only records changed at or after this time (for syncing)."
    )


IF_MATCH_HEADER = Header(
    None,
    alias="If-Match",
    max_length=100,
    description='The ETag you read (`"3"`), to be refused with 409 if it changed since.',
)
IDEMPOTENCY_KEY = Header(
    None, alias="Idempotency-Key", max_length=200, description="Send the same key to retry."
)


class NoFilters(Schema):
    pass


@dataclass
class Action:
    """One more endpoint on a record, beyond read and change: `POST /orders/{id}/lines`.
    `run(user, record, data, expected_version)` calls the app's service; a JSON action
    answers with the record as the resource serializes it (`run` returns it), a file
    action (`media_type`) with the HttpResponse `run` returns. A POST is idempotent like
    a create; a `versioned` one takes `version` or If-Match."""

    name: str  # the URL segment after the id, and the route's name: "lines"
    summary: str
    # (user, record, data, expected version): the record is of the resource's own model.
    run: Callable[[Any, Any, dict, int | None], Any]
    method: str = "POST"
    payload: type[Schema] | None = None
    versioned: bool = False
    media_type: str | None = None
    description: str = ""

    @property
    def level(self) -> str:
        return READ if self.method == "GET" else WRITE


@dataclass
class Resource:
    """One record type as the API offers it. `queryset(user)` is the app's selector (what
    the user may see); `serialize(record, user)` the record as that user may see it
    (sensitive fields left out); `create(user, data)`, `update(user, record, data,
    expected_version)` and `delete(user, record)` call the app's services. A missing
    callable means the operation is not offered."""

    name: str  # URL segment and scope: "contacts"
    label: str  # "contact", in summaries
    model: type[models.Model]
    out: type[Schema]
    queryset: Callable[[Any], QuerySet]
    serialize: Callable[[Any, Any], dict]
    sorts: dict[str, list[str]] = field(default_factory=lambda: {"id": ["id"]})
    default_sort: str = "id"
    # The UI's list spec (sorts incl. custom fields) when the resource has a UI list.
    list_spec: Callable[[Any], ListSpec] | None = None
    filters: type[Schema] = NoFilters
    # (user, queryset, filters as a dict, raw query) → queryset: the UI's own filtering.
    apply_filters: Callable[[Any, QuerySet, dict, Any], QuerySet] | None = None
    # Reads for a whole page at once what `serialize` needs of each record (a contact's
    # e-mails and tags), so a list's queries stay flat without prefetch_related per row.
    prepare: Callable[[list], Any] | None = None
    # Replaces the keyset list when a resource pages differently (a timeline).
    page: Callable[[Any, dict], Page] | None = None
    updated_field: str | None = None
    create_in: type[Schema] | None = None
    # Each callable is given and returns records of the resource's own model.
    create: Callable[[Any, dict], Any] | None = None
    update_in: type[Schema] | None = None
    update: Callable[[Any, Any, dict, int | None], Any] | None = None
    # (user, record): raises PermissionDenied unless the user may change the record. Asked
    # before `update` sees the request, so a change that turns out to change nothing is
    # refused like any other; record types default to their role's edit scope.
    may_update: Callable[[Any, Any], None] | None = None
    delete: Callable[[Any, Any], object] | None = None
    actions: list[Action] = field(default_factory=list)
    versioned: bool = False
    description: str = ""

    @property
    def levels(self) -> tuple[str, ...]:
        writes = bool(self.create or self.update or self.delete)
        writes = writes or any(action.level == WRITE for action in self.actions)
        return (READ, WRITE) if writes else (READ,)

    def spec(self, user: "User") -> ListSpec:
        if self.list_spec is not None:
            return self.list_spec(user)
        return ListSpec(self.label, [], self.sorts, self.default_sort)

    def get(self, user: "User", pk: int) -> models.Model:
        """The record if this user may see it; DoesNotExist (a 404) otherwise."""
        return self.queryset(user).get(pk=pk)

    def can_see(self, user: "User", record: models.Model) -> bool:
        return self.queryset(user).filter(pk=record.pk).exists()

    def check_update(self, user: "User", record: models.Model) -> None:
        if self.may_update is not None:
            self.may_update(user, record)
        elif record._meta.model_name in records.TYPES:
            permissions.check(user, record, "edit")

    def list(self, user: "User", params: dict, raw: Any) -> Page:
        if self.page is not None:
            return self.page(user, params)
        queryset = self.queryset(user)
        if self.apply_filters is not None:
            queryset = self.apply_filters(user, queryset, params, raw)
        sort = params.get("sort") or ""
        if params.get("updated_since") and self.updated_field:
            queryset = queryset.filter(**{f"{self.updated_field}__gte": params["updated_since"]})
            sort = sort or "updated"
        queryset, ordering, _sort = sort_queryset(
            self.spec(user), queryset, sort or self.default_sort
        )
        return keyset_page(
            queryset, ordering, params.get("cursor"), params.get("limit") or DEFAULT_LIMIT
        )


def exact_filters(fields: dict[str, str]) -> Callable[[Any, QuerySet, dict, Any], QuerySet]:
    """An `apply_filters` for filters that each match one field: filter name → field."""

    def apply(user: "User", queryset: QuerySet, params: dict, raw: Any) -> QuerySet:
        chosen = {
            field: params[name]
            for name, field in fields.items()
            if params.get(name) not in (None, "")
        }
        return queryset.filter(**chosen)

    return apply


RESOURCES: dict[str, Resource] = {}


def discover() -> dict[str, Resource]:
    """Import every app's `api` module, where resources register themselves."""
    autodiscover_modules("api")
    return RESOURCES


def resource_for(model: type[models.Model]) -> Resource | None:
    return next((r for r in discover().values() if r.model is model), None)


def register(resource: Resource) -> Resource:
    RESOURCES[resource.name] = resource
    return resource


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))


def _title(resource: Resource) -> str:
    return _camel(resource.name)


def router_for(resource: Resource) -> Router:
    """The endpoints of one resource; `api.site` mounts it under /api/v1/<name>."""
    router = Router(tags=[resource.name])
    title = _title(resource)
    # The schemas below are made at run time for this resource and handed to django-ninja
    # in the endpoints' annotations, which it reads; a type checker sees only variables
    # there (valid-type), and the payloads as Any.
    out = resource.out
    errors = api_requests.ERROR_RESPONSES
    page_schema = create_model(
        f"{title}Page",
        __base__=Schema,
        items=(list[out], ...),  # type: ignore[valid-type]
        next_cursor=(str | None, None),
    )
    query_schema = create_model(f"{title}ListQuery", __base__=(ListParams, resource.filters))
    many_out = create_model(f"{title}List", __base__=Schema, items=(list[out], ...))  # type: ignore[valid-type]
    snake = resource.name.replace("-", "_")

    def endpoint(
        method: str,
        path: str,
        action: str,
        level: str,
        answer: dict,
        summary: str,
        **extra: Any,
    ) -> Callable[[Callable[..., Any]], Any]:
        """Route `view` for this resource: scope-guarded, named `<resource>-<action>`."""

        def decorate(view: Callable[..., Any]) -> Any:
            return router.api_operation(
                [method],
                path,
                response={**answer, **errors},
                url_name=f"{resource.name}-{action}",
                operation_id=f"{snake}_{action.replace('-', '_')}",
                summary=summary,
                **extra,
            )(api_requests.guarded(resource, level)(view))

        return decorate

    @endpoint(
        "GET",
        "/",
        "list",
        READ,
        {200: page_schema},
        f"List {resource.name}",
        description=resource.description,
    )
    def list_records(
        request: AuthenticatedRequest,
        params: Query[query_schema],  # type: ignore[valid-type]
    ) -> dict[str, Any]:
        page = resource.list(request.user, cast(Schema, params).dict(), request.GET)
        if resource.prepare is not None:
            resource.prepare(page.items)
        return {
            "items": [resource.serialize(record, request.user) for record in page.items],
            "next_cursor": page.next_cursor,
        }

    if resource.create is not None:
        create = resource.create
        create_in = resource.create_in
        bulk_create_in = create_model(
            f"{title}BulkCreate",
            __base__=Schema,
            items=(list[create_in], Field(..., min_length=1, max_length=MAX_BULK)),  # type: ignore[valid-type]
        )

        @endpoint(
            "POST",
            "/",
            "create",
            WRITE,
            {201: out},
            f"Create a {resource.label}",
        )
        def create_record(
            request: AuthenticatedRequest,
            payload: create_in,  # type: ignore[valid-type]
            idempotency_key: str = IDEMPOTENCY_KEY,
        ) -> Any:
            def run() -> dict:
                record = create(request.user, cast(Schema, payload).dict(exclude_unset=True))
                return resource.serialize(record, request.user)

            return api_requests.idempotent(request, idempotency_key, out, run)

        @endpoint(
            "POST",
            "/bulk",
            "bulk-create",
            WRITE,
            {201: many_out},
            f"Create several {resource.name} at once (all or none)",
        )
        def bulk_create(
            request: AuthenticatedRequest,
            payload: bulk_create_in,  # type: ignore[valid-type]
            idempotency_key: str = IDEMPOTENCY_KEY,
        ) -> Any:
            def run() -> dict:
                records = api_requests.each_item(
                    cast(Any, payload).items,
                    lambda item: create(request.user, item.dict(exclude_unset=True)),
                )
                return {"items": [resource.serialize(r, request.user) for r in records]}

            return api_requests.idempotent(request, idempotency_key, many_out, run)

    if resource.update is not None:
        update = resource.update
        update_in = resource.update_in
        bulk_item = create_model(
            f"{title}BulkUpdateItem",
            __base__=update_in,
            id=(int, Field(..., ge=1, le=MAX_ID)),
        )
        bulk_update_in = create_model(
            f"{title}BulkUpdate",
            __base__=Schema,
            items=(list[bulk_item], Field(..., min_length=1, max_length=MAX_BULK)),  # type: ignore[valid-type]
        )

        @endpoint(
            "PATCH",
            "/bulk",
            "bulk-update",
            WRITE,
            {200: many_out},
            f"Change several {resource.name} at once (all or none)",
        )
        def bulk_update(
            request: AuthenticatedRequest,
            payload: bulk_update_in,  # type: ignore[valid-type]
        ) -> dict[str, Any]:
            def change(item: Schema) -> models.Model:
                data = item.dict(exclude_unset=True)
                record = resource.get(request.user, data.pop("id"))
                resource.check_update(request.user, record)
                expected = data.pop("version", None)
                return update(request.user, record, data, expected)

            records = api_requests.each_item(cast(Any, payload).items, change)
            return {"items": [resource.serialize(r, request.user) for r in records]}

        @endpoint(
            "PATCH",
            "/{record_id}",
            "update",
            WRITE,
            {200: out},
            f"Change a {resource.label}",
            description="Only the fields sent change. Send `version` (or an `If-Match` "
            "header with the ETag) to be refused with 409 if someone changed it since.",
        )
        def update_record(
            request: AuthenticatedRequest,
            payload: update_in,  # type: ignore[valid-type]
            record_id: int = Path(..., ge=1, le=MAX_ID),
            if_match: IfMatch = IF_MATCH_HEADER,
        ) -> dict:
            record = resource.get(request.user, record_id)
            resource.check_update(request.user, record)
            data = cast(Schema, payload).dict(exclude_unset=True)
            expected = api_requests.expected_version(data.pop("version", None), if_match)
            record = update(request.user, record, data, expected)
            return resource.serialize(record, request.user)

    @endpoint(
        "GET",
        "/{record_id}",
        "get",
        READ,
        {200: out},
        f"Read a {resource.label}",
    )
    def get_record(
        request: AuthenticatedRequest, record_id: int = Path(..., ge=1, le=MAX_ID)
    ) -> dict:
        record = resource.get(request.user, record_id)
        return resource.serialize(record, request.user)

    if resource.delete is not None:
        delete = resource.delete

        @endpoint(
            "DELETE",
            "/{record_id}",
            "delete",
            WRITE,
            {204: None},
            f"Move a {resource.label} to the trash",
        )
        def delete_record(
            request: AuthenticatedRequest, record_id: int = Path(..., ge=1, le=MAX_ID)
        ) -> Status:
            delete(request.user, resource.get(request.user, record_id))
            return Status(204, None)

    for action in resource.actions:
        _action_route(resource, action, endpoint)
    return router


def _action_route(
    resource: Resource, action: Action, endpoint: Callable[..., Callable[[Callable[..., Any]], Any]]
) -> None:
    """Mount one Action at /<resource>/{record_id}/<action.name>."""
    path, url_name = f"/{{record_id}}/{action.name}", action.name
    if action.media_type is not None:
        file_answer = {
            "responses": {
                200: {
                    "description": "OK",
                    "content": {
                        action.media_type: {"schema": {"type": "string", "format": "binary"}}
                    },
                }
            }
        }

        @endpoint(
            action.method,
            path,
            url_name,
            action.level,
            {200: None},
            action.summary,
            description=action.description,
            openapi_extra=file_answer,
        )
        def download(
            request: AuthenticatedRequest, record_id: int = Path(..., ge=1, le=MAX_ID)
        ) -> Any:
            return action.run(request.user, resource.get(request.user, record_id), {}, None)

        return

    payload_schema = action.payload or NoFilters
    if action.versioned:
        payload_schema = create_model(
            f"{_title(resource)}{_camel(action.name)}In",
            __base__=payload_schema,
            version=(
                int | None,
                Field(None, ge=1, le=2**31, description="The version you read."),
            ),
        )

    @endpoint(
        action.method,
        path,
        url_name,
        action.level,
        {201: resource.out},
        action.summary,
        description=action.description,
    )
    def act(
        request: AuthenticatedRequest,
        payload: payload_schema,  # type: ignore[valid-type]
        record_id: int = Path(..., ge=1, le=MAX_ID),
        if_match: IfMatch = IF_MATCH_HEADER,
        idempotency_key: str = IDEMPOTENCY_KEY,
    ) -> Any:
        record = resource.get(request.user, record_id)
        data = cast(Schema, payload).dict(exclude_unset=True)
        expected = api_requests.expected_version(data.pop("version", None), if_match)

        def run() -> dict:
            result = action.run(request.user, record, data, expected if action.versioned else None)
            return resource.serialize(resource.get(request.user, result.pk), request.user)

        return api_requests.idempotent(request, idempotency_key, resource.out, run)
