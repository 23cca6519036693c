"""The schedule (make run starts it): every few seconds, queue a fetch round for the
linkages that are due. The task worker runs the rounds."""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from extmail import services
from extmail.fetch.runner import due_linkages
from extmail.models import FetchState
from extmail.tasks import fetch_linkages


class Command(BaseCommand):
    help = "Queue mail fetching for every checked linkage, at BEATBOX_FETCH_INTERVAL."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args, once: bool = False, **options) -> None:
        running = True

        def stop(signum, frame) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        tick = float(getattr(settings, "BEATBOX_FETCH_TICK", 15))
        while running:
            close_old_connections()
            queue_due_round()
            services.purge_stale_drafts()
            if once:
                return
            end = time.monotonic() + tick
            while running and time.monotonic() < end:
                time.sleep(0.2)


def queue_due_round(limit: int = 200) -> int:
    ids = [str(pk) for pk in due_linkages(limit)]
    if not ids:
        return 0
    # Not due again until this round has had its chance (a session sets the real time).
    later = timezone.now() + timezone.timedelta(
        seconds=float(getattr(settings, "BEATBOX_FETCH_INTERVAL", 300)))
    for pk in ids:
        FetchState.objects.get_or_create(linkage_id=pk)
    FetchState.objects.filter(linkage_id__in=ids).update(next_poll_at=later)
    fetch_linkages.enqueue(ids)
    return len(ids)
