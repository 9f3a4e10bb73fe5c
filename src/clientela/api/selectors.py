"""Reads of the API app: a person's own tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from clientela.api.models import ApiToken

if TYPE_CHECKING:
    from clientela.users.models import User


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
