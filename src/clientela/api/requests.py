"""What every API endpoint does around the app's selector or service: who is asking and
with which scopes, the audit source, ETags, idempotent POSTs, all-or-none bulk writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema, Status

from clientela.api.models import ApiToken, IdempotentRequest
from clientela.api.schemas import ErrorOut, StaleOut, ValidationErrorOut
from clientela.api.scopes import grants
from clientela.core import audit
from clientela.core.models import AuditSource

if TYPE_CHECKING:
    from clientela.api.registry import Resource
    from clientela.users.requests import AuthenticatedRequest

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

ERROR_RESPONSES = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: StaleOut,
    422: ValidationErrorOut,
    429: ErrorOut,
}


def token_of(request: HttpRequest) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def guarded(resource: Resource, level: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run an endpoint as the authenticated user, within the token's scopes, audited as
    coming from the API."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            token = token_of(request)
            if token is not None:
                request.user = token.user
                if not grants(token.scopes, resource.name, level):
                    raise PermissionDenied(
                        _("This token lacks the scope %(scope)s.")
                        % {"scope": f"{resource.name}:{level}"}
                    )
            _require_object_body(request)
            with audit.acting(AuditSource.API, audit.client_ip(request)):
                return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _require_object_body(request: HttpRequest) -> None:
    """A JSON body is an object, as every payload's schema says (`true` or a list would
    otherwise be read as an empty payload)."""
    if request.method not in {"POST", "PATCH", "PUT"} or not request.body:
        return
    if "json" not in (request.content_type or ""):
        return
    try:
        data = json.loads(request.body)
    except ValueError:
        return  # the schema's own parsing says what is wrong
    if not isinstance(data, dict):
        raise ValidationError({"body": _("Send a JSON object.")})


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(version: int | None, if_match: str | None) -> int | None:
    if version is not None:
        return version
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 18:
        raise ValidationError(
            {"header.If-Match": _('Send the ETag of the record as it was read, like "3".')}
        )
    return int(value)


def each_item(items: list[_Item], change: Callable[[_Item], _Result]) -> list[_Result]:
    """Apply `change` to every item in one transaction: all succeed, or nothing is written
    and the error names the item."""
    results = []
    with transaction.atomic():
        for index, item in enumerate(items):
            try:
                results.append(change(item))
            except Exception as error:
                # Read by the API's error handlers, whatever the exception's class.
                error.item_index = index  # type: ignore[attr-defined]
                raise
    return results


@contextmanager
def api_field_names(names: dict[str, str], default: str = "") -> Iterator[None]:
    """All or nothing, with the services' field names in errors turned into the API's
    (a service's `carrier` is the API's `carrier_id`); an error of no field is put on
    `default` when given, so a 422 still points at what was sent."""
    try:
        with transaction.atomic():
            yield
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(
                {names.get(key, key): value for key, value in error.error_dict.items()}
            ) from None
        if default:
            raise ValidationError({default: error.messages}) from None
        raise


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in ((request.method or "").encode(), request.path.encode(), request.body):
        digest.update(part)
        digest.update(b"\x00")
    return digest.hexdigest()


def idempotent(
    request: AuthenticatedRequest, key: str | None, schema: type[Schema], run: Callable[[], Any]
) -> Any:
    """Create once per Idempotency-Key: the same key again returns the first answer; the
    key reused for a different request is refused. Failed requests keep no key."""
    if not key:
        return Status(201, run())
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    user=request.user, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            row = IdempotentRequest.objects.get(user=request.user, key=key)
            if row.fingerprint != fingerprint or row.status is None:
                raise ValidationError(
                    {"header.Idempotency-Key": _("This key was used for a different request.")}
                ) from None
            return _stored(row, replayed=True)
        data = schema.model_validate(run()).model_dump(mode="json")
        row.status, row.body = 201, json.dumps(data, cls=DjangoJSONEncoder)
        row.save(update_fields=["status", "body"])
    # The stored bytes, so the first answer and every replay are identical.
    return _stored(row, replayed=False)


def _stored(row: IdempotentRequest, *, replayed: bool) -> HttpResponse:
    response = HttpResponse(row.body, status=row.status, content_type="application/json")
    data = json.loads(row.body)
    if isinstance(data.get("version"), int):
        response["ETag"] = etag(data["version"])
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
