"""A transactional outbox for Celery tasks: a change and the work it queues commit together.

``task.delay()`` in an ``on_commit`` callback loses the task when the broker
is down at that moment (the change is committed, the e-mail is never sent)
and answers the customer with a server error. ``enqueue`` instead writes the
task as a row in the same transaction as the change; after the commit it
hands the task to the broker and deletes the row. If the broker cannot take
it, the row stays and ``relay`` (a beat task every minute, and
``manage.py outbox_relay``) sends it once the broker is back. Delivery is
at least once: a process dying between the broker's acceptance and the
row's deletion sends the task again, so tasks are written to be repeatable
(they check state before acting: an order e-mail records its event, a photo
is processed once).

In the embedded default (no broker) tasks run eagerly after the commit, as before.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from celery import Task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from photoshop.models import OutboxMessage

logger = logging.getLogger(__name__)

# A row younger than this is still being sent by the request that wrote it.
RELAY_GRACE = datetime.timedelta(seconds=30)
RELAY_BATCH = 500


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    """Queue ``task(*args, **kwargs)`` to run once the current transaction commits, surviving a broker outage."""
    enqueue_many(task, [args], kwargs)


def enqueue_many(task: Task, arg_lists: Iterable[Sequence[Any]], kwargs: dict[str, Any] | None = None) -> int:
    """Queue ``task`` once per argument list (one row each, one INSERT); return how many."""
    rows = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task=task.name, args=list(args), kwargs=kwargs or {}) for args in arg_lists]
    )
    if rows:
        transaction.on_commit(lambda: _send_after_commit(task, rows))
    return len(rows)


def _send_after_commit(task: Task, messages: list[OutboxMessage]) -> None:
    sent = _send(task, messages)  # the rows as written: no need to read them back
    if sent < len(messages):
        logger.warning("Broker unavailable: %s task(s) %s kept for the outbox relay.", len(messages) - sent, task.name)


def _send(task: Task, messages: list[OutboxMessage]) -> int:
    """Hand each message to the broker, deleting it once taken; stop at the first refusal. Return how many went."""
    sent: list[int] = []
    try:
        for message in messages:
            try:
                task.apply_async(args=message.args, kwargs=message.kwargs, retry_policy=PUBLISH_RETRY)
            except OperationalError as error:
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=message.attempts + 1, last_error=str(error)[:300]
                )
                break
            sent.append(message.pk)
    finally:
        OutboxMessage.objects.filter(pk__in=sent).delete()
    return len(sent)


# Fail fast in a web request when the broker is down: the row keeps the task.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def relay(*, now: datetime.datetime | None = None, limit: int = RELAY_BATCH) -> int:
    """Send the tasks the broker could not take when they were written; return how many went."""
    from photoshop.celery import app

    app.loader.import_default_modules()  # every app's tasks registered, as in a worker
    cutoff = (now or timezone.now()) - RELAY_GRACE
    sent = 0
    with transaction.atomic():
        # Two relays at once (a slow one and the next minute's) take different rows.
        messages = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(created_at__lte=cutoff)
            .order_by("pk")[:limit]
        )
        by_task: dict[str, list[OutboxMessage]] = {}
        for message in messages:
            by_task.setdefault(message.task, []).append(message)
        for name, group in by_task.items():
            task = app.tasks.get(name)
            if task is None:
                logger.error("Outbox: no task named %s; %s message(s) left for a developer.", name, len(group))
                continue
            went = _send(task, group)
            sent += went
            if went < len(group):
                break  # the broker is still down
    return sent


def far_future() -> datetime.datetime:
    """A moment that makes every waiting row due (the command sends them all, young ones included)."""
    return timezone.now() + RELAY_GRACE


def pending() -> int:
    """Return how many tasks wait for the broker."""
    return OutboxMessage.objects.count()
