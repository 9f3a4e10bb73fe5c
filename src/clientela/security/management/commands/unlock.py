"""`clientela unlock EMAIL`: lift a login lockout before its time is up."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from clientela.security import services


class Command(BaseCommand):
    help = "Lets an e-mail address log in again after too many failed attempts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email", help="the e-mail address the person logs in with")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        if services.unlock(email):
            self.stdout.write(f"{email} can log in again.")
        else:
            self.stdout.write(f"{email} was not locked out: nothing to do.")
