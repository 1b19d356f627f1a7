"""Real image files made in the tests: JPEG with EXIF, PNG, WebP, HEIC, bombs and broken files."""

from __future__ import annotations

import io

from PIL import ExifTags, Image
from pillow_heif import register_heif_opener

from photos.demo import picture

register_heif_opener()


def exif(*, orientation: int = 1, gps: bool = False, make: str = "Canon", model: str = "EOS R6") -> Image.Exif:
    data = Image.Exif()
    data[ExifTags.Base.Make] = make
    data[ExifTags.Base.Model] = model
    data[ExifTags.Base.Orientation] = orientation
    data[ExifTags.Base.DateTime] = "2025:07:14 15:30:00"
    if gps:
        data[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (50.0, 50.0, 48.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (4.0, 21.0, 36.0),
        }
    return data


def encode(image: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    out = io.BytesIO()
    if fmt == "HEIF":
        image.save(out, format="HEIF", quality=80)
    else:
        image.save(out, fmt, **options)
    return out.getvalue()


def jpeg(width: int = 800, height: int = 600, *, seed: int = 1, **exif_options) -> bytes:
    return encode(picture(width, height, seed), "JPEG", quality=90, exif=exif(**exif_options))


def decompression_bomb(pixels_side: int = 20_000) -> bytes:
    """A tiny PNG that claims a huge canvas (a one-colour image compresses to almost nothing)."""
    return encode(Image.new("1", (pixels_side, pixels_side)), "PNG", optimize=True)
