"""Real image files made in the tests: JPEG with EXIF, PNG, WebP, HEIC, bombs and broken files."""

from __future__ import annotations

import io
import random

from PIL import ExifTags, Image, ImageDraw
from pillow_heif import register_heif_opener

register_heif_opener()


def picture(width: int = 800, height: int = 600, seed: int = 1) -> Image.Image:
    """A photo-like picture: sky, ground, shapes and grain (sharp edges for the quality score)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (120, 160, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 2 // 3, width, height], fill=(70, 110, 60))
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(max(2, width // 40), max(3, width // 8))
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour, outline=(20, 20, 20), width=3)
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    return Image.blend(image, noise, 0.12)


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
