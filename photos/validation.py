"""Checks on an uploaded file before it is accepted: a real image, of a format we print, within bounds."""

from __future__ import annotations

import hashlib
import re
import struct
import tempfile
import zlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

SPOOL_BYTES = 8 * 1024 * 1024
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}


# Pillow's name for a multi-picture JPEG (phones, 3D cameras): a JPEG whose primary image is printed.
JPEG_FAMILY = {"JPEG", "MPO"}
# A marker in a JPEG's entropy-coded data: 0xFF not followed by stuffing (0x00), a restart marker or fill.
_ENTROPY_MARKER = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")
_MPF = b"MPF\x00"


@dataclass(frozen=True)
class CheckedImage:
    image_format: str
    extension: str
    width: int
    height: int
    size_bytes: int
    content_hash: str
    # A JPEG's primary image, when the file holds more (MPO frames, a motion photo's video):
    # where it ends, and the byte ranges of its multi-picture index, which then points nowhere.
    primary_end: int | None = None
    drop: tuple[tuple[int, int], ...] = ()


class _Truncated(Exception):
    """The file ends before its image does."""


class _Damaged(Exception):
    """The file's structure is not that of its format."""


def max_upload_bytes() -> int:
    return settings.PHOTOS_MAX_UPLOAD_BYTES


def _incomplete() -> ValidationError:
    return ValidationError(_("The image is incomplete: the upload was cut off."), code="truncated")


def _damaged() -> ValidationError:
    return ValidationError(_("The image data is damaged: the picture cannot be decoded."), code="damaged")


def check_image(handle: IO[bytes], *, size: int) -> CheckedImage:
    """Return what the bytes are, or raise ValidationError with a message for the customer.

    The bytes are sniffed (not the file name): Pillow reads the header, and
    the pixel count is bounded explicitly against decompression bombs. Then
    the whole picture is decoded, so a truncated or damaged file is refused
    now with its own message rather than failing later. A multi-picture JPEG
    (MPO) or a JPEG followed by other data (a motion photo's video) is a
    JPEG: its primary image is what is kept (``primary_end``).
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
    head = handle.read(16)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and size < struct.unpack("<I", head[4:8])[0] + 8:
        raise _incomplete()  # the container says how long it is
    handle.seek(0)
    try:
        with Image.open(handle) as image:
            image_format = image.format or ""
            width, height = image.size
    except Image.DecompressionBombError as exc:
        raise ValidationError(_("The image has too many pixels."), code="too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        if "end of file" in str(exc).lower():
            raise _incomplete() from exc
        raise ValidationError(_("This file is not an image we can read."), code="not_image") from exc
    if image_format in JPEG_FAMILY:
        image_format = "JPEG"
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
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    primary_end, drop = None, ()
    if image_format == "JPEG":
        handle.seek(0)
        try:
            end, drop = jpeg_primary(handle.read())
        except _Truncated:
            raise _incomplete() from None
        except _Damaged:
            raise _damaged() from None
        primary_end = end if end < size or drop else None
    _decode(handle)
    handle.seek(0)
    return CheckedImage(
        image_format,
        ACCEPTED_FORMATS[image_format],
        width,
        height,
        size,
        digest.hexdigest(),
        primary_end,
        tuple(drop),
    )


def _decode(handle: IO[bytes]) -> None:
    """Decode the whole picture (a JPEG at a reduced scale, which still reads all its data) or refuse it."""
    handle.seek(0)
    try:
        with Image.open(handle) as image:
            if image.format in JPEG_FAMILY:
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Image.DecompressionBombError as exc:
        raise ValidationError(_("The image has too many pixels."), code="too_many_pixels") from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, MemoryError) as exc:
        text = str(exc).lower()
        if "truncated" in text or "end of file" in text:
            raise _incomplete() from exc
        raise _damaged() from exc
    finally:
        handle.seek(0)


def jpeg_primary(data: bytes) -> tuple[int, list[tuple[int, int]]]:
    """Return where a JPEG's first image ends (after its end-of-image marker) and its MPF segments.

    The marker segments are followed by their lengths and each scan's
    entropy-coded data to the next marker, so data after the image (another
    frame, a video) is never mistaken for part of it. Raise ``_Truncated``
    if the file ends first, ``_Damaged`` if its structure is not a JPEG's.
    """
    size = len(data)
    if data[:2] != b"\xff\xd8":
        raise _Damaged
    position = 2
    drop: list[tuple[int, int]] = []
    while True:
        if position >= size:
            raise _Truncated
        if data[position] != 0xFF:
            # Junk before a marker: libjpeg skips it (with a warning), and so does Pillow.
            position = data.find(b"\xff", position)
            if position < 0:
                raise _Truncated
        start = position
        while position < size and data[position] == 0xFF:  # fill bytes before a marker
            position += 1
        if position >= size:
            raise _Truncated
        code = data[position]
        position += 1
        if code == 0xD9:
            return position, drop
        if code == 0x01 or 0xD0 <= code <= 0xD7:
            continue
        if position + 2 > size:
            raise _Truncated
        length = struct.unpack_from(">H", data, position)[0]
        if length < 2:
            raise _Damaged
        end = position + length
        if end > size:
            raise _Truncated
        if code == 0xE2 and data[position + 2 : position + 6] == _MPF:
            drop.append((start, end))
        position = end
        if code == 0xDA:  # a scan: its data runs to the next marker
            marker = _ENTROPY_MARKER.search(data, position)
            if marker is None:
                raise _Truncated
            position = marker.start()


def primary_copy(handle: IO[bytes], checked: CheckedImage) -> IO[bytes]:
    """Return a copy of the JPEG's primary image alone, positioned at 0 (see ``CheckedImage.primary_end``).

    The image's own bytes are copied as they are; only the multi-picture
    index, which would name frames no longer there, is left out.
    """
    end = checked.primary_end if checked.primary_end is not None else checked.size_bytes
    handle.seek(0)
    data = handle.read(end)
    handle.seek(0)
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned to the caller)
    position = 0
    for start, stop in checked.drop:
        copy.write(data[position:start])
        position = stop
    copy.write(data[position:])
    copy.seek(0)
    return copy
