"""Send the tasks kept in the outbox while the broker was down (beat does it every minute)."""

import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from photoshop import outbox


class Command(BaseCommand):
    help = "Send the Celery tasks that waited in the outbox because the broker was down."

    def handle(self, *args, **options) -> None:
        waiting = outbox.pending()
        bar = tqdm(total=waiting, desc="outbox", unit="tasks", file=sys.stderr, disable=not waiting)
        sent = 0
        while True:
            went = outbox.relay(now=outbox.far_future())
            sent += went
            bar.update(went)
            if not went:
                break
        bar.close()
        left = outbox.pending()
        self.stdout.write(f"{sent} task(s) sent, {left} still waiting.")
        if left:
            sys.exit(1)
