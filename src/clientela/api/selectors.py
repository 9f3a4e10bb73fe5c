"""Reads of the API app: a person's own tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from clientela.api.models import ApiToken


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
