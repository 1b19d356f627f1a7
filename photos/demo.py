"""Demo photos for ``manage.py seed_demo``: generated pictures, uploaded through the real pipeline."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from photos import services
from photos.models import Photo


def picture(width: int = 800, height: int = 600, seed: int = 1) -> Image.Image:
    """A photo-like picture: sky, ground, shapes and grain (sharp edges for the quality score)."""
    rng = random.Random(seed)  # noqa: S311 (pictures, not secrets)
    image = Image.new("RGB", (width, height), (120, 160, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 2 // 3, width, height], fill=(70, 110, 60))
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(max(2, width // 40), max(3, width // 8))
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour, outline=(20, 20, 20), width=3)
    # Seeded grain, so the same seed always gives the same bytes (demo data stays deduplicated).
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height)).convert("RGB")
    return Image.blend(image, noise, 0.08)


def seed_photos(user, count: int = 4) -> int:
    """Give the demo user a few processed photos (idempotent: same pictures, same content hash)."""
    owner = services.Owner(user_id=user.pk)
    album = services.album_get_or_create(owner=owner, title="Zomer 2026")
    for seed in range(count):
        out = io.BytesIO()
        picture(2400, 1800, seed=seed).save(out, "JPEG", quality=88)
        size = out.tell()
        out.seek(0)
        # Processing is queued on commit: eager in the embedded setup, a worker otherwise.
        services.photo_ingest(owner=owner, handle=out, filename=f"zomer-{seed + 1}.jpg", size=size, album=album)
    return Photo.objects.filter(user=user).count()
