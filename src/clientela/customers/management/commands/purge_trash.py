"""`clientela purge_trash`: delete for good what has been in the trash past its retention."""

from django.core.management.base import BaseCommand

from clientela.core import record_services


class Command(BaseCommand):
    help = "Delete records that have been in the trash longer than CLIENTELA_TRASH_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Override the retention, in days.")

    def handle(self, *args, days=None, **options):
        if days is not None and days < 0:
            self.stderr.write("--days must be zero or more.")
            raise SystemExit(2)
        purged = record_services.purge_expired_trash(days=days)
        self.stdout.write(f"{purged} records deleted for good.")
