"""Writes of the photos app: ingest, delete, move to an account, review, consents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from photos.models import Album, Photo, PhotoConsent
from photos.validation import check_image
from privacy.services import delete_with_files


@dataclass(frozen=True)
class Owner:
    """Who a photo belongs to: an account, or a visitor's session before sign-in."""

    user_id: int | None = None
    session_key: str = ""

    def filter(self) -> Q:
        if self.user_id:
            return Q(user_id=self.user_id)
        return Q(user__isnull=True, session_key=self.session_key)

    def fields(self) -> dict:
        return {"user_id": self.user_id, "session_key": "" if self.user_id else self.session_key}


def check_quota(owner: Owner, size: int) -> None:
    used = Photo.objects.filter(owner.filter()).aggregate(total=Sum("size_bytes"))["total"] or 0
    quota = settings.PHOTOS_QUOTA_BYTES
    if used + size > quota:
        raise ValidationError(
            _("Your photo storage is full (%(used)s of %(quota)s used). Delete photos to make room.")
            % {"used": filesizeformat(used), "quota": filesizeformat(quota)},
            code="quota",
        )


def photo_ingest(*, owner: Owner, handle: IO[bytes], filename: str, size: int, album: Album | None = None) -> Photo:
    """Validate and store an uploaded file; return the new photo, or the one already holding these bytes.

    Processing (metadata, thumbnails, quality, NSFW scan) is queued after commit.
    """
    checked = check_image(handle, size=size)
    existing = Photo.objects.filter(owner.filter(), content_hash=checked.content_hash).first()
    if existing is not None:
        return existing
    check_quota(owner, checked.size_bytes)
    photo = Photo(
        **owner.fields(),
        album=album,
        filename=filename[:255],
        content_hash=checked.content_hash,
        size_bytes=checked.size_bytes,
        image_format=checked.image_format,
        width=checked.width,
        height=checked.height,
    )
    photo.original.save(f"upload.{checked.extension}", File(handle), save=False)
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:
        # The same bytes arrived twice at once: keep the first, drop this copy.
        photo.original.storage.delete(photo.original.name)
        return Photo.objects.get(owner.filter(), content_hash=checked.content_hash)
    transaction.on_commit(lambda: queue_processing(photo.pk))
    return photo


def queue_processing(photo_id) -> None:
    from photos.tasks import process_photo

    process_photo.delay(str(photo_id))


def photos_delete(*, photos) -> int:
    """Delete photos from the database and, once that has committed, from the storage."""
    return delete_with_files(photos)


def album_delete(*, album: Album) -> int:
    """Delete an album with its photos, from the storage too."""
    count = photos_delete(photos=Photo.objects.filter(album=album))
    album.delete()
    return count


def photos_claim_for_user(*, session_key: str, user) -> int:
    """Move a visitor's photos to the account they signed in to (duplicates of account photos are dropped)."""
    if not session_key:
        return 0
    visitor = Photo.objects.filter(user__isnull=True, session_key=session_key)
    duplicates = visitor.filter(content_hash__in=Photo.objects.filter(user=user).values("content_hash"))
    photos_delete(photos=duplicates)
    Album.objects.filter(user__isnull=True, session_key=session_key).update(user=user, session_key="")
    return visitor.update(user=user, session_key="")


def consent_for(user) -> PhotoConsent:
    consent, _created = PhotoConsent.objects.get_or_create(user=user)
    return consent


@transaction.atomic
def location_consent_set(*, user, keep: bool) -> None:
    """Record the location consent (PIX-7); withdrawing it strips stored locations at once."""
    consent = consent_for(user)
    consent.keep_location = keep
    consent.keep_location_changed_at = timezone.now()
    consent.save(update_fields=["keep_location", "keep_location_changed_at"])
    if not keep:
        Photo.objects.filter(user=user).exclude(latitude=None).update(latitude=None, longitude=None)


def storage_consent_withdraw(*, user) -> int:
    """Withdraw the photo-storage consent (ALB-2): delete the photos now; return how many went."""
    consent = consent_for(user)
    consent.storage = False
    consent.storage_changed_at = timezone.now()
    consent.save(update_fields=["storage", "storage_changed_at"])
    # Photos needed for an open order are kept once orders exist (orders app).
    return photos_delete(photos=Photo.objects.filter(user=user))


def photo_review(*, photo: Photo, approve: bool, reviewer, reason: str = "") -> Photo:
    """Record a staff decision on a held photo; a rejection carries the reason shown to the customer."""
    if not approve and not reason.strip():
        raise ValidationError(_("Give the reason the customer will see."), code="reason_required")
    photo.review = Photo.Review.APPROVED if approve else Photo.Review.REJECTED
    photo.review_reason = reason.strip()
    photo.reviewed_by = reviewer
    photo.save(update_fields=["review", "review_reason", "reviewed_by"])
    return photo
