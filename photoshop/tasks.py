"""The project's own periodic task: the outbox relay."""

from celery import shared_task

from photoshop import outbox


@shared_task(name="photoshop.outbox_relay")
def outbox_relay() -> int:
    """Send the tasks that waited in the outbox while the broker was down; return how many went."""
    return outbox.relay()
