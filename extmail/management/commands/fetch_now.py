"""Fetch one linkage's mail now, in this process (operators, and the crash tests)."""

from django.core.management.base import BaseCommand

from extmail.fetch.runner import fetch_linkage


class Command(BaseCommand):
    help = "Fetch the mail of one external mail linkage now."

    def add_arguments(self, parser) -> None:
        parser.add_argument("linkage_id")

    def handle(self, *args, linkage_id: str, **options) -> None:
        outcome = fetch_linkage(linkage_id)
        self.stdout.write(f"{outcome.status} delivered={outcome.delivered} "
                          f"quarantined={outcome.quarantined} set_aside={outcome.set_aside} "
                          f"{outcome.error}".rstrip())
