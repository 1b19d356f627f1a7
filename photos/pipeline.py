"""Processing of a stored photo: run the image pipeline and the scan, then let the services record it."""

from __future__ import annotations

import struct
import zlib

from celery.exceptions import SoftTimeLimitExceeded
from PIL import Image, UnidentifiedImageError

from photos import selectors, services
from photos.models import Photo
from photos.nsfw import ScannerUnavailable, get_scanner
from photos.processing import process_image

# What decoding a file Pillow cannot follow raises, storage errors (OSError) aside.
UNREADABLE = (
    UnidentifiedImageError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    Image.DecompressionBombError,
)


def photo_process(*, photo_id: str) -> str:
    """Process one photo; storage errors propagate so the task is retried. Return the photo's status."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.status != Photo.Status.PROCESSING:
        return photo.status if photo else "gone"
    keep_location = selectors.keeps_location(owner=selectors.Owner(user_id=photo.user_id))
    try:
        with photo.original.open("rb") as handle:
            result = process_image(handle, keep_location=keep_location)
    except SoftTimeLimitExceeded:
        # The task's time limit: a retry would hit it again, and "processing" forever helps no one.
        services.photo_processing_fail(photo=photo, error=Photo.Error.TOO_SLOW)
        return Photo.Status.FAILED
    except UNREADABLE:
        # Pillow's parsers raise these on a file they cannot follow; retrying changes nothing,
        # and a photo left "processing" would never be shown as failed.
        services.photo_processing_fail(photo=photo, error=Photo.Error.UNREADABLE)
        return Photo.Status.FAILED
    except OSError as exc:
        if "truncated" in str(exc) or "broken" in str(exc).lower() or "cannot identify" in str(exc):
            services.photo_processing_fail(photo=photo, error=Photo.Error.DAMAGED)
            return Photo.Status.FAILED
        raise
    try:
        scan = get_scanner().scan(result.analysis_image)
        review = Photo.Review.HELD if scan.flagged else Photo.Review.CLEAN
        labels = {"labels": scan.labels, "flagged": scan.flagged}
    except ScannerUnavailable as exc:
        # Never pass silently: without a scan a person looks at it.
        review, labels = Photo.Review.HELD, {"error": str(exc)}
    if not services.photo_processing_finish(photo=photo, result=result, review=review, labels=labels):
        return Photo.objects.filter(pk=photo.pk).values_list("status", flat=True).first() or "gone"
    return Photo.Status.READY
