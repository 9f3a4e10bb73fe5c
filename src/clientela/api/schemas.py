"""The API's error bodies, the same for every endpoint."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


class StaleOut(Schema):
    detail: str
    current_version: int | None = None
