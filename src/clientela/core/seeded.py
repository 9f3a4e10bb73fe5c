"""Names a new installation starts with: lifecycle stages, order stages, the first
pipeline and its stages, roles. They are stored in English, as the migrations and first
use write them, and shown in the reader's language; a name the business typed itself is
shown as typed. Each model keeps a table of its seeded names, English name → the name
marked with `pgettext_lazy` (a context tells "Lead" the stage from "Lead" the person), and
shows `label(...)`."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise


def label(name: str, seeded: Mapping[str, Promise]) -> str:
    """`name` in the active language when it is one of the `seeded` names, else as it is."""
    translated = seeded.get(name)
    return name if translated is None else str(translated)


def lazy_label(name: str, seeded: Mapping[str, Promise]) -> str | Promise:
    """`name` still marked when it is a seeded one, to be put in the language of whoever
    reads it later (core/phrases.py); a typed name as it is."""
    return seeded.get(name, name)
