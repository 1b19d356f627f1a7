"""The image pipeline: metadata, orientation, thumbnails and print quality, from one reduced decode.

For JPEG, Pillow's ``draft()`` asks libjpeg for a reduced-size decode (1/2,
1/4 or 1/8 scale) no smaller than the largest thumbnail, which is where most
of the speed comes from; every other output is computed from that image.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import struct
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from PIL import ExifTags, Image, ImageFilter, ImageOps, ImageStat

# Longest side in pixels, at most. The decode aims at 3/4 of the largest size, so a
# 12 MP JPEG decodes at 1/4 scale (1000 px) and its large thumbnail needs no resampling.
THUMBNAIL_SIZES = {"small": 320, "large": 1024}
DECODE_FRACTION = 0.75
ANALYSIS_SIZE = 512  # about the long side of the grayscale image the quality is measured on
LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)
# White noise of variance s² gives the Laplacian above a variance of 20 s² (1+1+1+1+16).
LAPLACIAN_NOISE_GAIN = 20
# Immerkær's kernel: the difference of two Laplacians, blind to edges and smooth shading.
NOISE = ImageFilter.Kernel((3, 3), [1, -2, 1, -2, 4, -2, 1, -2, 1], scale=1, offset=128)


@dataclass
class Metadata:
    taken_at: datetime.datetime | None = None
    camera_make: str = ""
    camera_model: str = ""
    orientation: int = 1
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass
class Result:
    width: int
    height: int
    metadata: Metadata
    thumbnails: dict[str, bytes] = field(default_factory=dict)
    sharpness: float = 0.0
    exposure: float = 0.0
    quality_score: float = 0.0
    analysis_image: Image.Image | None = None


# Dates a photo can have been taken on: from the first photograph to a little after now (clocks drift).
EARLIEST_CAPTURE = datetime.datetime(1826, 1, 1, tzinfo=datetime.UTC)
CAPTURE_CLOCK_MARGIN = datetime.timedelta(days=2)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _gps_degrees(values, ref, limit: int) -> Decimal | None:
    """Return a GPS coordinate in degrees, or None where it is missing or impossible (beyond ``limit``)."""
    try:
        degrees, minutes, seconds = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    # A 0/0 rational reads as NaN; minutes and seconds beyond 60 are no position either.
    if not all(math.isfinite(v) and v >= 0 for v in (degrees, minutes, seconds)) or minutes >= 60 or seconds >= 60:
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if value > limit:
        return None
    if ref in ("S", "W"):
        value = -value
    return Decimal(str(round(value, 6)))


def _text(value) -> str:
    """Return an EXIF text without control characters (NUL included), which no column may hold."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(_CONTROL.sub("", str(value or "")).split())[:64]


def _orientation(value) -> int:
    """Return the EXIF orientation, 1 (as it is) unless it is one of the eight the standard defines."""
    try:
        orientation = int(value)
    except (TypeError, ValueError):
        return 1
    return orientation if 1 <= orientation <= 8 else 1


def _taken_at(stamp) -> datetime.datetime | None:
    """Return the capture time, None where it cannot be read or cannot be true."""
    if isinstance(stamp, bytes):
        stamp = stamp.decode("ascii", "replace")
    try:
        # Cameras record local time without a zone; it is kept as is, marked UTC.
        taken = datetime.datetime.strptime(f"{_CONTROL.sub('', str(stamp)).strip()} +0000", "%Y:%m:%d %H:%M:%S %z")
    except ValueError:
        return None
    if not EARLIEST_CAPTURE <= taken <= datetime.datetime.now(datetime.UTC) + CAPTURE_CLOCK_MARGIN:
        return None
    return taken


def read_metadata(image: Image.Image) -> Metadata:
    """Return capture date, camera, orientation and GPS position from the EXIF data.

    What cannot be true is treated as absent: coordinates beyond the poles or
    the date line, NaN or 0/0 values, orientations other than 1-8, dates
    before photography or in the future; control characters leave texts.
    """
    try:
        exif = image.getexif()
    except (OSError, ValueError, SyntaxError, struct.error):
        return Metadata()  # an EXIF block that cannot be read says nothing
    meta = Metadata(orientation=_orientation(exif.get(ExifTags.Base.Orientation, 1)))
    meta.camera_make = _text(exif.get(ExifTags.Base.Make, ""))
    meta.camera_model = _text(exif.get(ExifTags.Base.Model, ""))
    try:
        detail = exif.get_ifd(ExifTags.IFD.Exif)
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except (OSError, ValueError, SyntaxError, struct.error):
        detail, gps = {}, {}
    stamp = detail.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if stamp:
        meta.taken_at = _taken_at(stamp)
    if gps:
        meta.latitude = _gps_degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), 90)
        meta.longitude = _gps_degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), 180)
        if meta.latitude is None or meta.longitude is None:
            meta.latitude = meta.longitude = None  # half a position is no position
    return meta


def _reduced(image: Image.Image, long_side: int) -> Image.Image:
    """Decode at the smallest scale that still gives ``long_side`` pixels (JPEG only), then load."""
    if image.format == "JPEG":
        w, h = image.size
        scale = long_side / max(w, h)
        image.draft("RGB", (max(1, int(w * scale)), max(1, int(h * scale))))
    image.load()
    return image


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    """Return ``size`` scaled down (never up) so that its longer side is at most ``long_side``."""
    w, h = size
    scale = min(1.0, long_side / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def _thumbnails(image: Image.Image) -> dict[str, bytes]:
    """Encode every thumbnail size, largest first, each made from the one before.

    Each step first averages whole blocks of pixels (``reducing_gap=1``), then
    resamples the rest of the way: fast, and without aliasing.
    """
    thumbnails = {}
    current = image if image.mode == "RGB" else image.convert("RGB")
    for name, long_side in sorted(THUMBNAIL_SIZES.items(), key=lambda item: -item[1]):
        size = _fit(current.size, long_side)
        if size != current.size:
            current = current.resize(size, Image.Resampling.BICUBIC, reducing_gap=1.0)
        out = io.BytesIO()
        current.save(out, "JPEG", quality=85, exif=b"")  # no metadata at all (PIX-7)
        thumbnails[name] = out.getvalue()
    return thumbnails


def analysis_gray(image: Image.Image) -> Image.Image:
    """Return the grayscale copy quality is measured on: block averages, long side near ``ANALYSIS_SIZE``."""
    gray = image.convert("L")
    factor = max(1, round(max(gray.size) / ANALYSIS_SIZE))
    return gray.reduce(factor) if factor > 1 else gray


def noise_sigma(gray: Image.Image) -> float:
    """Estimate the standard deviation of a grayscale image's noise (Immerkær, fast noise variance estimation)."""
    width, height = gray.size
    if width < 3 or height < 3:
        return 0.0
    histogram = gray.filter(NOISE).histogram()
    total = sum(abs(value - 128) * count for value, count in enumerate(histogram))
    return math.sqrt(math.pi / 2) * total / (6 * (width - 2) * (height - 2))


def measure_quality(gray: Image.Image, *, width: int, height: int) -> tuple[float, float, float]:
    """Return (sharpness, exposure, score 0..100) of an image (STX-11).

    Sharpness is the variance of the Laplacian of a reduced grayscale copy,
    less the part that image noise accounts for, so that a grainy photo does
    not pass for a sharp one; exposure is 1 for a mid-grey average and falls
    towards black or white clipping; resolution counts up to 12 megapixels.
    """
    edges = gray.filter(LAPLACIAN)
    sharpness = max(0.0, ImageStat.Stat(edges).var[0] - LAPLACIAN_NOISE_GAIN * noise_sigma(gray) ** 2)
    histogram = gray.histogram()
    total = sum(histogram) or 1
    clipped = (sum(histogram[:8]) + sum(histogram[-8:])) / total
    mean = ImageStat.Stat(gray).mean[0]
    exposure = max(0.0, 1 - abs(mean - 118) / 118 - clipped)
    resolution = min(1.0, (width * height) / 12e6)
    sharp_part = min(1.0, sharpness / 300)
    score = round(100 * (0.45 * sharp_part + 0.25 * exposure + 0.30 * resolution), 1)
    return round(sharpness, 2), round(exposure, 3), score


def process_image(handle, *, keep_location: bool) -> Result:
    """Run the whole pipeline on an image file; decode once, at a reduced size where possible."""
    with Image.open(handle) as image:
        metadata = read_metadata(image)
        width, height = image.size
        reduced = _reduced(image, int(max(THUMBNAIL_SIZES.values()) * DECODE_FRACTION))
        upright = ImageOps.exif_transpose(reduced)
    # PIX-7: nothing made from the picture (thumbnails, the scanner's copy) takes its EXIF or XMP along.
    upright.info = {}
    if metadata.orientation in (5, 6, 7, 8):
        width, height = height, width
    if not keep_location:
        metadata.latitude = metadata.longitude = None  # PIX-7
    result = Result(width=width, height=height, metadata=metadata, thumbnails=_thumbnails(upright))
    gray = analysis_gray(upright)
    result.sharpness, result.exposure, result.quality_score = measure_quality(gray, width=width, height=height)
    result.analysis_image = upright
    return result


def process_image_naively(handle) -> dict:
    """The same outputs computed the straightforward way (the benchmark's baseline).

    Full-size decode, orientation applied to the full image, each thumbnail
    resized from the full image, quality measured from a full-size grayscale.
    """
    with Image.open(handle) as image:
        metadata = read_metadata(image)
        image.load()
        upright = ImageOps.exif_transpose(image).convert("RGB")
    thumbnails = {}
    for name, long_side in THUMBNAIL_SIZES.items():
        thumb = upright.copy()
        thumb.thumbnail((long_side, long_side), Image.Resampling.BICUBIC)
        out = io.BytesIO()
        thumb.save(out, "JPEG", quality=85)
        thumbnails[name] = out.getvalue()
    quality = measure_quality(analysis_gray(upright), width=upright.width, height=upright.height)
    return {"metadata": metadata, "thumbnails": thumbnails, "quality": quality}


# Below this sharpness (the Laplacian variance measured on the ~512 px analysis copy) a
# photo looks soft even on screen; printing enlarges the blur, so it never prints sharp.
# Demo photos measure 150-400 sharp, 10-35 after a blur of 1/1000 of their width or more.
PRINT_SHARPNESS_MIN = 40.0
# A blurred photo holds about as much detail as one with half its pixels on each side:
# it needs this many times the DPI of a sharp one before a format is not refused.
BLUR_DPI_FACTOR = 2


class Fit:
    FINE = "fine"
    LOW = "low_resolution"
    TOO_SMALL = "too_small"
    UNSHARP = "unsharp"


def print_formats() -> list:
    """Return the print sizes on sale, from the shop's catalogue (its active formats): the one source of sizes."""
    from orders.selectors.catalogue import print_formats as catalogue_print_formats

    return catalogue_print_formats()


def print_fit(
    width: int, height: int, sharpness: float | None = None, *, formats: list | None = None
) -> dict[str, dict]:
    """Return, per print format, the DPI the photo reaches and whether it is fine, low, too small or unsharp.

    A photo below ``PRINT_SHARPNESS_MIN`` is at most "low" in any format, and
    "unsharp" (refused like too small) where it reaches less than
    ``BLUR_DPI_FACTOR`` times the minimum DPI: the larger the print, the more
    its blur shows. An unmeasured sharpness (``None``) judges by DPI alone.
    ``formats`` (``print_formats()`` by default) lets a page that judges many
    photos read the catalogue once.
    """
    long_px, short_px = max(width, height), min(width, height)
    blurry = sharpness is not None and sharpness < PRINT_SHARPNESS_MIN
    fits = {}
    for fmt in print_formats() if formats is None else formats:
        name, long_cm, short_cm = fmt.code, fmt.long_cm, fmt.short_cm
        dpi = min(long_px / (long_cm / 2.54), short_px / (short_cm / 2.54))
        if dpi < settings.PHOTOS_MIN_DPI:
            verdict = Fit.TOO_SMALL
        elif blurry and dpi < BLUR_DPI_FACTOR * settings.PHOTOS_MIN_DPI:
            verdict = Fit.UNSHARP
        elif dpi < settings.PHOTOS_WARN_DPI or blurry:
            verdict = Fit.LOW
        else:
            verdict = Fit.FINE
        fits[name] = {"dpi": round(dpi), "fit": verdict}
    return fits
