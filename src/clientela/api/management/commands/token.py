"""`clientela token create --user EMAIL --scope contacts:read …`: a token for scripts."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clientela.api import services
from clientela.api.scopes import all_scopes
from clientela.users import selectors as user_selectors


class Command(BaseCommand):
    help = "Create a personal access token for a user and print it (shown only this once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it.")
        create.add_argument("--user", required=True, help="The e-mail of the token's user.")
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            help=f"Repeat or comma-separate; one of: {', '.join(all_scopes())}.",
        )
        create.add_argument("--name", default="Command line")
        create.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        user = user_selectors.active().filter(email__iexact=options["user"].strip()).first()
        if user is None:
            raise CommandError(f"No active user has the e-mail {options['user']}.")
        scopes = [part for scope in options["scope"] for part in scope.split(",")]
        try:
            _token, raw = services.create_token(
                actor=user,
                name=options["name"],
                scopes=scopes,
                expires_in_days=options["expires_days"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(raw)
