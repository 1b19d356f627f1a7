"""The gallery's photo tiles, rendered once per kind of photo and filled in per photo.

A tile (thumbnail, state, quality score and the DPI reached in every print
format) is most of the gallery's rendering time, and it depends on few
things: the photo's state, size, sharpness and score, the print formats on
sale and the language. Photos alike in those (a phone's photos share their
size) share one rendered tile, kept in this process under the catalogue
version: a catalogue edit changes the version, so a tile is never shown with
old formats. The kept tile holds none of the photo's own data: its id, file
name and review reason are placeholders, filled in for each photo in one pass.
"""

from __future__ import annotations

import functools
import uuid
from typing import NamedTuple

from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import get_language

from photos.models import Photo
from photos.processing import PRINT_SHARPNESS_MIN, print_fit, print_formats
from photoshop.prerender import fill, split_at

SENTINEL_ID = uuid.UUID("00000000-0000-4000-8000-00000000f1e0")
SENTINEL_NAME = "__photo_tile_name__"
SENTINEL_SHORT_NAME = "__photo_tile_short_name__"
SENTINEL_REASON = "__photo_tile_reason__"
_TOKENS = (str(SENTINEL_ID), SENTINEL_SHORT_NAME, SENTINEL_NAME, SENTINEL_REASON)
NAME_LENGTH = 32
# The columns a tile shows (``gallery_tiles``): a gallery page reads no others.
TILE_FIELDS = (
    "id",
    "filename",
    "status",
    "error",
    "review",
    "review_reason",
    "quality_score",
    "width",
    "height",
    "sharpness",
    "thumbnail_small",
)
KEPT_TILES = 2048


class TileKind(NamedTuple):
    """What a tile's markup depends on, besides the photo's id, file name and review reason."""

    language: str
    catalogue_version: str
    can_order: bool
    has_thumbnail: bool
    status: str
    error: str
    review: str
    quality_score: str  # as shown: whole points, rounded as the template rounds
    width: int
    height: int
    blurry: bool | None


def tile_kind(photo, *, can_order: bool, catalogue_version: str) -> TileKind:
    score = photo.quality_score
    return TileKind(
        language=get_language() or "",
        catalogue_version=catalogue_version,
        can_order=can_order,
        has_thumbnail=bool(photo.thumbnail_small),
        status=photo.status,
        error=photo.error or "",
        review=photo.review,
        quality_score="" if score is None else floatformat(score, 0),
        width=photo.width or 0,
        height=photo.height or 0,
        blurry=None if photo.sharpness is None else photo.sharpness < PRINT_SHARPNESS_MIN,
    )


@functools.lru_cache(maxsize=KEPT_TILES)
def _tile_parts(kind: TileKind) -> tuple[str, ...]:
    """Return the kind's tile split at its placeholders: markup at even positions, placeholders at odd ones."""
    return split_at(_tile_markup(kind), _TOKENS)


def _tile_markup(kind: TileKind) -> str:
    """Render the tile of one kind of photo, with placeholders for what is the photo's own."""
    stand_in = Photo(
        id=SENTINEL_ID,
        filename=SENTINEL_NAME,
        review_reason=SENTINEL_REASON,
        status=kind.status,
        error=kind.error,
        review=kind.review,
        quality_score=int(kind.quality_score) if kind.quality_score else None,
        width=kind.width,
        height=kind.height,
        thumbnail_small="tile" if kind.has_thumbnail else "",
    )
    # The sharpness only matters as "blurred or not" (print_fit's threshold).
    sharpness = None if kind.blurry is None else (0.0 if kind.blurry else PRINT_SHARPNESS_MIN)
    fits = print_fit(kind.width, kind.height, sharpness, formats=print_formats())
    context = {"photo": stand_in, "short_name": SENTINEL_SHORT_NAME, "fits": fits, "can_order": kind.can_order}
    return render_to_string("photos/_tile.html", context)


def gallery_tiles(photos: list, *, can_order: bool, catalogue_version: str) -> list[SafeString]:
    """Return each photo's tile, from the kept tile of its kind with its own id, file name and reason.

    ``photos`` are photos or rows with ``TILE_FIELDS`` as attributes (``values_list(..., named=True)``).
    """
    tiles = []
    for photo in photos:
        parts = _tile_parts(tile_kind(photo, can_order=can_order, catalogue_version=catalogue_version))
        name = photo.filename
        values = {
            str(SENTINEL_ID): str(photo.id),
            SENTINEL_NAME: escape(name),
            SENTINEL_SHORT_NAME: escape(name if len(name) <= NAME_LENGTH else Truncator(name).chars(NAME_LENGTH)),
            SENTINEL_REASON: escape(photo.review_reason),
        }
        tiles.append(fill(parts, values))
    return tiles
