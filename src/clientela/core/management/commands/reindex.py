"""`clientela reindex`: give the one search an entry for every record or message that has
none, e.g. the messages received before messages joined the search. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientela.core import search


class Command(BaseCommand):
    help = (
        "Write the missing search entries of every searchable type, or of the types named "
        "(app_label.model, e.g. channels.message)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("types", nargs="*", help="app_label.model; every type when none")

    def handle(self, *args: Any, types: list[str], **options: Any) -> None:
        known = {model._meta.label_lower: model for model in search.BUILDERS}
        unknown = sorted(set(types) - set(known))
        if unknown:
            raise CommandError(
                f"Not a searchable type: {', '.join(unknown)}. "
                f"Searchable types: {', '.join(sorted(known))}."
            )
        for label in types or sorted(known):
            written = search.index_missing(known[label])
            self.stdout.write(f"{label}: {written} search entries written")
