"""Photos: uploaded originals in private storage, their metadata, thumbnails and review state."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def original_path(photo: Photo, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"photos/originals/{photo.id.hex[:2]}/{photo.id.hex}.{extension}"


def thumbnail_path(photo: Photo, filename: str) -> str:
    return f"photos/thumbnails/{photo.id.hex[:2]}/{filename}"


class Album(models.Model):
    id = models.UUIDField(_("number"), primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="albums",
    )
    session_key = models.CharField(_("visitor session"), max_length=40, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=120)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("album")
        verbose_name_plural = _("albums")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(session_key=""), name="photos_album_has_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Photo(models.Model):
    """An uploaded photo; it belongs to an account or, before sign-in, to a visitor's session."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("processing")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be processed")

    class Review(models.TextChoices):
        PENDING = "pending", _("waiting for the scan")
        CLEAN = "clean", _("passed the scan")
        HELD = "held", _("held for review")
        APPROVED = "approved", _("approved by our staff")
        REJECTED = "rejected", _("rejected by our staff")

    class Error(models.TextChoices):
        # Codes, not text: the customer reads the label in their own language.
        UNREADABLE = "unreadable", _("The image could not be read.")
        DAMAGED = "damaged", _("The image data is damaged or incomplete.")
        TOO_SLOW = "too_slow", _("The image took too long to process. Try a smaller file.")

    id = models.UUIDField(_("number"), primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    session_key = models.CharField(_("visitor session"), max_length=40, blank=True, db_index=True)
    album = models.ForeignKey(
        Album, verbose_name=_("album"), null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    original = models.FileField(_("original"), upload_to=original_path, max_length=200)
    # PIX-7: whether the stored original may still carry its GPS location; only with the
    # owner's location consent, and cleared when the file is rewritten without it.
    original_geotagged = models.BooleanField(_("original carries its location"), default=False, editable=False)
    thumbnail_small = models.FileField(_("small thumbnail"), upload_to=thumbnail_path, max_length=200, blank=True)
    thumbnail_large = models.FileField(_("large thumbnail"), upload_to=thumbnail_path, max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    content_hash = models.CharField(_("content hash"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(_("file size in bytes"))
    image_format = models.CharField(_("image format"), max_length=8)
    width = models.PositiveIntegerField(_("width in pixels"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height in pixels"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    camera_make = models.CharField(_("camera make"), max_length=64, blank=True)
    camera_model = models.CharField(_("camera model"), max_length=64, blank=True)
    orientation = models.PositiveSmallIntegerField(_("EXIF orientation"), default=1)
    # PIX-7: kept only with the user's separate location consent.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    sharpness = models.FloatField(_("sharpness"), null=True, blank=True)
    exposure = models.FloatField(_("exposure"), null=True, blank=True)
    quality_score = models.FloatField(_("print quality"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROCESSING)
    error = models.CharField(_("error"), max_length=255, blank=True, choices=Error.choices)
    review = models.CharField(
        _("review"), max_length=10, choices=Review.choices, default=Review.PENDING, db_index=True
    )
    nsfw_labels = models.JSONField(_("scanner labels"), default=dict, blank=True)
    review_reason = models.CharField(_("reason shown to the customer"), max_length=255, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(session_key=""), name="photos_photo_has_owner"
            ),
            # The same picture uploaded twice by one owner is stored once.
            models.UniqueConstraint(
                fields=["user", "content_hash"], condition=Q(user__isnull=False), name="photos_photo_unique_per_user"
            ),
            models.UniqueConstraint(
                fields=["session_key", "content_hash"],
                condition=Q(user__isnull=True),
                name="photos_photo_unique_per_session",
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def printable(self) -> bool:
        """Whether the photo may be printed: processed and not held or rejected by the scan (STX-10)."""
        return self.status == self.Status.READY and self.review in (self.Review.CLEAN, self.Review.APPROVED)


class PhotoConsent(models.Model):
    """A user's consents about photos: keeping location data (PIX-7), keeping photos in the account (ALB-2)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="photo_consent"
    )
    keep_location = models.BooleanField(_("keep the location of my photos"), default=False)
    keep_location_changed_at = models.DateTimeField(_("location choice changed at"), null=True, blank=True)
    storage = models.BooleanField(_("keep my photos in my account"), default=True)
    storage_changed_at = models.DateTimeField(_("storage choice changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("photo consent")
        verbose_name_plural = _("photo consents")

    def __str__(self) -> str:
        return str(self.user)
