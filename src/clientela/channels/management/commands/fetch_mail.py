"""`manage.py fetch_mail`: fetch new mail of every active account now."""

from django.core.management.base import BaseCommand

from clientela.channels import services


class Command(BaseCommand):
    help = "Fetch new mail of every active e-mail account."

    def handle(self, *args, **options):
        kept = services.fetch_all()
        self.stdout.write(f"{kept} new messages")
