from botocore.exceptions import BotoCoreError
from celery import shared_task

from photos import pipeline


@shared_task(
    name="photos.process_photo",
    autoretry_for=(OSError, BotoCoreError),
    retry_backoff=True,
    max_retries=5,
)
def process_photo(photo_id: str) -> str:
    """Process an uploaded photo (idempotent: a processed photo is left as it is); return its status."""
    return pipeline.photo_process(photo_id=photo_id)
