"""`clientela translations make|compile`: gather the marked strings into the catalogues of
every language, or compile the catalogues when they changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientela.core import catalogues


class Command(BaseCommand):
    help = (
        "make: gather every marked string of the templates, Python and JavaScript into the "
        "catalogues (needs GNU gettext). compile: compile the catalogues if they changed."
    )
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["make", "compile"])
        parser.add_argument(
            "--force", action="store_true", help="Compile even when nothing changed."
        )

    def handle(self, *args: object, action: str, force: bool, **options: Any) -> None:
        if action == "make":
            try:
                catalogues.make_catalogues(verbosity=options["verbosity"])
            except CommandError as error:
                raise CommandError(f"{error} (on Debian: apt-get install gettext)") from None
            self.stdout.write(f"Catalogues of {', '.join(catalogues.languages())} made.")
            return
        if force:
            catalogues.compile_catalogues()
        elif not catalogues.ensure_compiled():
            return
        self.stdout.write("Translations compiled.")
