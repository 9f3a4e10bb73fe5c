"""What is sent to a contact (an invoice, an e-mail, a survey) is written in their
language: their own when they have one, else the sender's (the active language)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

from clientela.customers.models import Contact


def language_of(contact: Contact | None) -> str:
    if contact is not None and contact.language:
        return contact.language
    return translation.get_language() or settings.LANGUAGE_CODE


@contextmanager
def writing_to(contact: Contact | None) -> Iterator[str]:
    """Render inside this: labels, dates, numbers and money come out in the contact's
    language (yielded); the active language is restored after, so the sender's own pages
    stay in theirs."""
    language = language_of(contact)
    with translation.override(language):
        yield language
