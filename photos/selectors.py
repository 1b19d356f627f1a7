"""Reads of the photos app, always limited to what the asker may see."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Greatest, Least
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from photos.models import Album, Photo, PhotoConsent
from photos.processing import BLUR_DPI_FACTOR, PRINT_SHARPNESS_MIN, print_formats

if TYPE_CHECKING:
    from accounts.models import User

# The visitor's photo key lives in the session data, so it survives the new
# session key that signing in gives; then the photos move to the account.
VISITOR_KEY = "photos_visitor_key"

SORTS = {
    "newest": ["-uploaded_at"],
    "best": [F("can_print").desc(), F("quality_score").desc(nulls_last=True), "-uploaded_at"],
    "oldest": ["uploaded_at"],
}


@dataclass(frozen=True)
class Owner:
    """Who a photo belongs to: an account, or a visitor's session before sign-in."""

    user_id: int | None = None
    session_key: str = ""

    def filter(self) -> Q:
        """Return the condition that selects the owner's photos and albums."""
        if self.user_id:
            return Q(user_id=self.user_id)
        return Q(user__isnull=True, session_key=self.session_key)

    def fields(self) -> dict:
        """Return the owner's fields of a new photo or album."""
        return {"user_id": self.user_id, "session_key": "" if self.user_id else self.session_key}

    @property
    def key(self) -> str:
        """Return a string naming the owner (the key of its upload lock)."""
        return f"user:{self.user_id}" if self.user_id else f"visitor:{self.session_key}"


def storage_used(*, owner: Owner) -> int:
    """Return how many bytes the owner's stored originals take."""
    return Photo.objects.filter(owner.filter()).aggregate(total=Sum("size_bytes"))["total"] or 0


def quota_check(*, owner: Owner, size: int) -> None:
    """Raise ValidationError if ``size`` more bytes would take the owner past ``PHOTOS_QUOTA_BYTES``.

    Only advisory outside the owner's upload lock: ingest checks again under it.
    """
    used = storage_used(owner=owner)
    quota = settings.PHOTOS_QUOTA_BYTES
    if used + size > quota:
        raise ValidationError(
            _("Your photo storage is full (%(used)s of %(quota)s used). Delete photos to make room.")
            % {"used": filesizeformat(used), "quota": filesizeformat(quota)},
            code="quota",
        )


def keeps_location(*, owner: Owner) -> bool:
    """Whether the owner consented to keeping photo locations (PIX-7); a visitor never has."""
    return bool(owner.user_id) and PhotoConsent.objects.filter(user_id=owner.user_id, keep_location=True).exists()


def photo_by_content(*, owner: Owner, content_hash: str) -> Photo | None:
    """Return the owner's photo stored from these bytes, if any."""
    return Photo.objects.filter(owner.filter(), content_hash=content_hash).first()


def photo_count(*, user: User) -> int:
    """Return how many photos a user's account holds."""
    return Photo.objects.filter(user=user).count()


def owner_for(request: HttpRequest, *, create: bool = False) -> Owner | None:
    """Return who the request's photos belong to (None for a visitor who has none yet)."""
    if request.user.is_authenticated:
        return Owner(user_id=request.user.pk)
    key = request.session.get(VISITOR_KEY)
    if not key and create:
        key = request.session[VISITOR_KEY] = secrets.token_hex(20)
    return Owner(session_key=key) if key else None


def _reaches(dpi: float) -> Q:
    """Return the condition that some print format on sale reaches ``dpi`` (on the annotated pixel sides).

    With no format on sale (an empty catalogue) no photo can be printed.
    """
    conditions = [
        Q(long_px__gte=dpi * fmt.long_cm / 2.54, short_px__gte=dpi * fmt.short_cm / 2.54) for fmt in print_formats()
    ]
    return reduce(or_, conditions) if conditions else Q(pk__in=[])


def printable_condition() -> Q:
    """Return the condition that a photo may be printed in at least one format (``processing.print_fit``).

    Processed, passed or approved by the scan (STX-10), and some format
    reaching the minimum DPI; a blurred photo (``PRINT_SHARPNESS_MIN``) needs
    ``BLUR_DPI_FACTOR`` times that. Needs the ``long_px``/``short_px`` annotations.
    """
    sharp = Q(sharpness__isnull=True) | Q(sharpness__gte=PRINT_SHARPNESS_MIN)
    return Q(status=Photo.Status.READY, review__in=[Photo.Review.CLEAN, Photo.Review.APPROVED]) & (
        (sharp & _reaches(settings.PHOTOS_MIN_DPI))
        | (Q(sharpness__lt=PRINT_SHARPNESS_MIN) & _reaches(BLUR_DPI_FACTOR * settings.PHOTOS_MIN_DPI))
    )


def photos_for(owner: Owner | None, *, sort: str = "newest") -> QuerySet[Photo]:
    """Return the owner's photos in the asked order (none for a visitor without photos).

    "best" puts the photos that cannot be printed in any format (too small,
    blurred, held, rejected, failed, not processed yet) after all the others.
    """
    if owner is None:
        return Photo.objects.none()
    photos = Photo.objects.filter(owner.filter())
    if sort == "best":  # only this order needs to know, in SQL, which photos can be printed
        photos = photos.annotate(long_px=Greatest("width", "height"), short_px=Least("width", "height")).annotate(
            can_print=Case(
                When(printable_condition(), then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
    return photos.select_related("album").defer("nsfw_labels").order_by(*SORTS.get(sort, SORTS["newest"]))


def albums_for(owner: Owner | None) -> QuerySet[Album]:
    """Return the owner's albums by title, each with its number of photos (``photo_total``)."""
    if owner is None:
        return Album.objects.none()
    return Album.objects.filter(owner.filter()).annotate(photo_total=Count("photos")).order_by("title")


def photo_visible_to(request: HttpRequest, pk) -> Photo | None:
    """Return the photo if the request may see it: its owner, or staff allowed to view photos.

    Staff do not see the photos of a person whose processing is restricted
    (ALB-3), unless they handle privacy requests, as in the admin.
    """
    user = request.user
    if user.is_authenticated and user.is_staff and user.has_perm("photos.view_photo"):
        photos = Photo.objects.filter(pk=pk)
        if not user.has_perm("privacy.handle_privacyrequest"):
            photos = photos.exclude(user__processing_restricted_at__isnull=False)
        return photos.first()
    owner = owner_for(request)
    if owner is None:
        return None
    return Photo.objects.filter(owner.filter(), pk=pk).first()
