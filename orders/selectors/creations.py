"""Reads of creations (ALB-5): a customer's suggested and saved photo books and calendars."""

from __future__ import annotations

from django.conf import settings
from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Greatest, Least

from orders.models import Creation, CreationPage, Format
from photos.models import Photo
from photos.processing import BLUR_DPI_FACTOR, PRINT_SHARPNESS_MIN


def creations_for(*, user) -> QuerySet[Creation]:
    """Return the customer's creations still offered or kept (not dismissed), newest first."""
    return (
        Creation.objects.filter(user=user)
        .exclude(status=Creation.Status.DISMISSED)
        .select_related("format__product")
        .order_by("-created_at")
    )


def creation_for(*, user, pk) -> Creation | None:
    """Return one of the customer's creations with its pages and their photos (None: not theirs, or none)."""
    return (
        Creation.objects.filter(user=user, pk=pk)
        .exclude(status=Creation.Status.DISMISSED)
        .select_related("format__product")
        .prefetch_related(
            Prefetch("pages", queryset=CreationPage.objects.select_related("photo").order_by("position"))
        )
        .first()
    )


def _reaches(fmt: Format) -> Q:
    """Return the condition that a photo prints in ``fmt``: the minimum DPI, twice it for a blurred photo."""
    long_cm, short_cm = max(fmt.width_mm, fmt.height_mm) / 10, min(fmt.width_mm, fmt.height_mm) / 10

    def at(dpi: float) -> Q:
        return Q(long_px__gte=dpi * long_cm / 2.54, short_px__gte=dpi * short_cm / 2.54)

    sharp = Q(sharpness__isnull=True) | Q(sharpness__gte=PRINT_SHARPNESS_MIN)
    minimum = settings.PHOTOS_MIN_DPI
    return (sharp & at(minimum)) | (Q(sharpness__lt=PRINT_SHARPNESS_MIN) & at(BLUR_DPI_FACTOR * minimum))


def printable_photos_for(*, user, fmt: Format) -> QuerySet[Photo]:
    """Return the customer's own photos that print in the format, best print quality first (ALB-5).

    Only the account's photos (never a visitor's, never another customer's),
    processed and passed by the scan (STX-10), reaching the minimum DPI in
    the format as ``photos.selectors.printable_condition`` requires of prints.
    """
    return (
        Photo.objects.filter(
            user=user, status=Photo.Status.READY, review__in=[Photo.Review.CLEAN, Photo.Review.APPROVED]
        )
        .annotate(long_px=Greatest("width", "height"), short_px=Least("width", "height"))
        .filter(_reaches(fmt))
        .defer("nsfw_labels")
        .order_by(F("quality_score").desc(nulls_last=True), "-uploaded_at", "pk")
    )
