"""Processing of a stored photo: run the image pipeline, store thumbnails, scan, record the outcome."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import UnidentifiedImageError

from photos.models import Photo, PhotoConsent
from photos.nsfw import ScannerUnavailable, get_scanner
from photos.processing import process_image
from privacy import files as privacy_files


def photo_process(*, photo_id: str) -> str:
    """Process one photo; storage errors propagate so the task is retried."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.status != Photo.Status.PROCESSING:
        return photo.status if photo else "gone"
    keep_location = bool(
        photo.user_id and PhotoConsent.objects.filter(user_id=photo.user_id, keep_location=True).exists()
    )
    try:
        with photo.original.open("rb") as handle:
            result = process_image(handle, keep_location=keep_location)
    except (UnidentifiedImageError, SyntaxError, ValueError) as exc:
        return _fail(photo, f"The image could not be read ({exc}).")
    except OSError as exc:
        if "truncated" in str(exc) or "broken" in str(exc).lower() or "cannot identify" in str(exc):
            return _fail(photo, "The image data is damaged or incomplete.")
        raise
    try:
        scan = get_scanner().scan(result.analysis_image)
        review = Photo.Review.HELD if scan.flagged else Photo.Review.CLEAN
        labels = {"labels": scan.labels, "flagged": scan.flagged}
    except ScannerUnavailable as exc:
        # Never pass silently: without a scan a person looks at it.
        review, labels = Photo.Review.HELD, {"error": str(exc)}
    names = {}
    for size, data in result.thumbnails.items():
        field = getattr(photo, f"thumbnail_{size}")
        field.save(f"{photo.id.hex}-{size}.jpg", ContentFile(data), save=False)
        names[f"thumbnail_{size}"] = field.name
    meta = result.metadata
    with transaction.atomic():
        updated = Photo.objects.filter(pk=photo.pk, status=Photo.Status.PROCESSING).update(
            **names,
            width=result.width,
            height=result.height,
            taken_at=meta.taken_at,
            camera_make=meta.camera_make,
            camera_model=meta.camera_model,
            orientation=meta.orientation,
            latitude=meta.latitude,
            longitude=meta.longitude,
            sharpness=result.sharpness,
            exposure=result.exposure,
            quality_score=result.quality_score,
            review=review,
            nsfw_labels=labels,
            status=Photo.Status.READY,
            processed_at=timezone.now(),
        )
        if not updated:
            # Deleted or processed meanwhile: the thumbnails just written belong to nobody.
            orphans = privacy_files.record_removals(names.values())
    if not updated:
        privacy_files.remove(orphans)
    return Photo.Status.READY


def _fail(photo: Photo, message: str) -> str:
    Photo.objects.filter(pk=photo.pk).update(status=Photo.Status.FAILED, error=message[:255])
    return Photo.Status.FAILED
