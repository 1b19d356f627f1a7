"""Checks on an uploaded file before it is accepted: a real image, of a format we print, within bounds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}


@dataclass(frozen=True)
class CheckedImage:
    image_format: str
    extension: str
    width: int
    height: int
    size_bytes: int
    content_hash: str


def max_upload_bytes() -> int:
    return settings.PHOTOS_MAX_UPLOAD_BYTES


def check_image(handle: IO[bytes], *, size: int) -> CheckedImage:
    """Return what the bytes are, or raise ValidationError with a message for the customer.

    The bytes are sniffed (not the file name): Pillow reads the header, and
    the pixel count is bounded explicitly against decompression bombs. A
    JPEG must end with its end-of-image marker (a truncated upload does not).
    """
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_upload_bytes():
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_upload_bytes())},
            code="too_large",
        )
    handle.seek(0)
    try:
        with Image.open(handle) as image:
            image_format = image.format or ""
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("This file is not an image we can read."), code="not_image") from exc
    except Image.DecompressionBombError as exc:
        raise ValidationError(_("The image has too many pixels."), code="too_many_pixels") from exc
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(
            _("%(format)s images are not supported: upload JPEG, PNG, WebP or HEIC.") % {"format": image_format},
            code="unsupported_format",
        )
    if width * height > settings.PHOTOS_MAX_PIXELS:
        raise ValidationError(
            _("The image has too many pixels (%(pixels)s million); the limit is %(limit)s million.")
            % {"pixels": round(width * height / 1e6), "limit": round(settings.PHOTOS_MAX_PIXELS / 1e6)},
            code="too_many_pixels",
        )
    digest = hashlib.sha256()
    handle.seek(0)
    tail = b""
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
        tail = (tail + chunk)[-16:]
    if image_format == "JPEG" and b"\xff\xd9" not in tail:
        raise ValidationError(_("The image is incomplete: the upload was cut off."), code="truncated")
    handle.seek(0)
    return CheckedImage(image_format, ACCEPTED_FORMATS[image_format], width, height, size, digest.hexdigest())
