"""`clientela demo`: fill the database with a living demo data set, once."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from clientela.core import demo_records


class Command(BaseCommand):
    help = "Load the demo data set (names in English, Romanian and Spanish). Safe to run twice."

    def handle(self, *args: Any, **options: Any) -> None:
        # Each app that has demo data keeps it in its own demo.py with a load() function;
        # apps are loaded in INSTALLED_APPS order so later apps can use earlier ones' data.
        with transaction.atomic():
            before = demo_records.last_ids()
            for app in apps.get_app_configs():
                try:
                    module = import_module(f"{app.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{app.name}.demo":
                        raise
                    continue
                summary = module.load()
                if summary:
                    self.stdout.write(f"Demo {app.verbose_name}: {summary}")
            # Marked so that an administrator can take exactly these away again.
            demo_records.mark_added_since(before)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
