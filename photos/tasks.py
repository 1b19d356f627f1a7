import datetime

from botocore.exceptions import BotoCoreError
from celery import shared_task

from photos import pipeline, services
from photoshop.celery import TRANSIENT_ERRORS


@shared_task(
    name="photos.process_photo",
    autoretry_for=(OSError, BotoCoreError, *TRANSIENT_ERRORS),
    retry_backoff=True,
    max_retries=5,
)
def process_photo(photo_id: str) -> str:
    """Process an uploaded photo (idempotent: a processed photo is left as it is); return its status."""
    return pipeline.photo_process(photo_id=photo_id)


@shared_task(
    name="photos.strip_locations",
    autoretry_for=(OSError, BotoCoreError, *TRANSIENT_ERRORS),
    retry_backoff=True,
    max_retries=5,
)
def strip_locations(user_id: int | None = None, before: str | None = None) -> int:
    """Remove the GPS location from stored originals kept without consent (PIX-7); return how many changed.

    Queued when a user withdraws the location consent (``user_id`` and the
    moment, ``before``); daily without arguments for every owner who does
    not consent. Idempotent: a retry or a second run finds nothing left.
    """
    moment = datetime.datetime.fromisoformat(before) if before else None
    return services.photo_locations_strip(user_id=user_id, before=moment)


@shared_task(
    name="photos.remove_abandoned_uploads", autoretry_for=(OSError, BotoCoreError, *TRANSIENT_ERRORS), max_retries=3
)
def remove_abandoned_uploads() -> int:
    """Delete direct uploads whose token expired without a photo naming them; return how many went."""
    return services.uploads_abandoned_remove()
