"""Sentences written now and read later, by people who speak other languages.

What the product writes on a timeline by itself ("Order 2026-0002 placed", "2 lines") is
kept as its catalogue string and its arguments, and put into words when it is shown, in
the reader's language; a Romanian colleague and a Spanish one read the same entry each in
theirs. `gettext` and `ngettext` here take the same strings as Django's (so the catalogue
gathers them) and give a `Phrase` instead of text. An argument is text as it is (a name,
a number), a `Phrase`, or a string marked lazily elsewhere (a choice's label, a seeded
stage name), which is kept as its catalogue string too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise


@dataclass(frozen=True)
class Phrase:
    message: str
    args: Mapping[str, Any] = field(default_factory=dict)
    plural: str = ""
    count: int | None = None
    context: str = ""
    lowercase: bool = False  # a label inside a sentence ("… is resolved")

    def __str__(self) -> str:
        text = self._words()
        return text.lower() if self.lowercase else text

    def _words(self) -> str:
        if self.plural:
            count = self.count or 0
            text = (
                translation.npgettext(self.context, self.message, self.plural, count)
                if self.context
                else translation.ngettext(self.message, self.plural, count)
            )
        else:
            text = (
                translation.pgettext(self.context, self.message)
                if self.context
                else translation.gettext(self.message)
            )
        if not self.args:
            return text
        return text % {
            name: value if isinstance(value, int) else str(value)
            for name, value in self.args.items()
        }

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message}
        if self.args:
            data["args"] = {
                name: value.as_json() if isinstance(value, Phrase) else value
                for name, value in self.args.items()
            }
        if self.plural:
            data["plural"], data["count"] = self.plural, self.count
        if self.context:
            data["context"] = self.context
        if self.lowercase:
            data["lowercase"] = True
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Phrase:
        return cls(
            message=data["message"],
            args={
                name: cls.from_json(value) if isinstance(value, dict) else value
                for name, value in data.get("args", {}).items()
            },
            plural=data.get("plural", ""),
            count=data.get("count"),
            context=data.get("context", ""),
            lowercase=data.get("lowercase", False),
        )


def gettext(message: str, **args: Any) -> Phrase:
    """`message` with `args`, translated when shown."""
    return Phrase(message, _arguments(args))


def ngettext(singular: str, plural: str, count: int, **args: Any) -> Phrase:
    """The singular or plural form for `count`, in the reader's language's plural rules."""
    return Phrase(singular, _arguments(args), plural=plural, count=count)


def in_lowercase(value: Promise) -> Phrase:
    """A lazily marked label written in lowercase inside a sentence."""
    return dataclasses.replace(lazily_marked(value), lowercase=True)


def lazily_marked(value: Promise) -> Phrase:
    """A string marked with gettext_lazy or pgettext_lazy as the phrase it stands for (a
    lazy string keeps the call it will make: the same record pickling uses)."""
    _unpickle, (function, args, _kwargs, *_results) = value.__reduce__()  # type: ignore[misc]
    if function is translation.pgettext:
        return Phrase(args[1], context=args[0])
    if function is translation.gettext:
        return Phrase(args[0])
    return Phrase(str(value))  # any other lazy text: as it reads now


def _arguments(args: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name, value in args.items():
        if isinstance(value, Promise):
            value = lazily_marked(value)
        elif hasattr(value, "phrase") and isinstance(value.phrase, Phrase):
            value = value.phrase  # a record that says how it is named in words
        elif not isinstance(value, (Phrase, int)) or isinstance(value, bool):
            value = str(value)
        kept[name] = value
    return kept


def written(value: str | Phrase) -> tuple[str, dict[str, Any] | None]:
    """What to store for a text that may be a phrase: the text in the product's source
    language (what search, exports and the API read) and the phrase, if it is one."""
    if isinstance(value, Phrase):
        with translation.override("en"):
            return str(value), value.as_json()
    return value, None


def shown(text: str, phrase: Mapping[str, Any] | None) -> str:
    """A stored text in the reader's language when it was written as a phrase."""
    return str(Phrase.from_json(phrase)) if phrase else text
