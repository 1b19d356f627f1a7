"""Benchmark the photo pipeline on 12-megapixel camera-like JPEGs.

    python bench/photos.py            # 10 photos
    python bench/photos.py --quick    # 3 photos

Per photo: the whole pipeline (metadata, orientation, every thumbnail size,
quality score) from a reduced-size decode, against the same outputs computed
naively from a full-size decode, in the same run; photos per second for a
batch on two worker processes; the NSFW scan (nudenet) on its own. The last
line is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photoshop.settings")


def _setup() -> None:
    import django

    django.setup()


def camera_jpeg(seed: int) -> bytes:
    """A 4000 x 3000 JPEG with EXIF (camera, date, orientation), as a phone or camera writes it."""
    from photos.tests import images

    return images.encode(images.picture(4000, 3000, seed=seed), "JPEG", quality=90, exif=images.exif(orientation=6))


def _pipeline(data: bytes) -> float:
    from photos.processing import process_image

    started = time.perf_counter()
    process_image(io.BytesIO(data), keep_location=False)
    return time.perf_counter() - started


def _worker_init() -> None:
    _setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="a short run: 3 photos")
    args = parser.parse_args()
    count = 3 if args.quick else args.photos
    _setup()
    from PIL import Image

    from photos.nsfw import NudeNetScanner
    from photos.processing import THUMBNAIL_SIZES, process_image, process_image_naively

    photos = [camera_jpeg(seed) for seed in range(count)]
    print(f"{count} photos of 12 MP, {statistics.mean(len(p) for p in photos) / 1e6:.1f} MB each on average")

    process_image(io.BytesIO(photos[0]), keep_location=False)  # warm up
    fast = [_pipeline(p) * 1000 for p in photos]
    naive = []
    for data in photos:
        started = time.perf_counter()
        process_image_naively(io.BytesIO(data))
        naive.append((time.perf_counter() - started) * 1000)
    pipeline_ms, naive_ms = statistics.median(fast), statistics.median(naive)
    print(f"pipeline: {pipeline_ms:.0f} ms per photo (reduced decode), naive: {naive_ms:.0f} ms (full decode)")

    batch = photos * max(1, 12 // count)
    with ProcessPoolExecutor(max_workers=2, initializer=_worker_init) as pool:
        list(pool.map(_pipeline, batch[:2]))  # start both workers
        started = time.perf_counter()
        list(pool.map(_pipeline, batch))
        elapsed = time.perf_counter() - started
    photos_per_s = len(batch) / elapsed
    print(f"batch of {len(batch)} on two workers: {photos_per_s:.1f} photos/s")

    scanner = NudeNetScanner()
    large = Image.open(io.BytesIO(process_image(io.BytesIO(photos[0]), keep_location=False).thumbnails["large"]))
    scanner.labels(large)  # load the model
    scans = []
    for _ in range(5):
        started = time.perf_counter()
        scanner.labels(large)
        scans.append((time.perf_counter() - started) * 1000)
    nsfw_ms = statistics.median(scans)
    print(f"NSFW scan (nudenet, on the {THUMBNAIL_SIZES['large']} px thumbnail): {nsfw_ms:.0f} ms")

    speedup = naive_ms / pipeline_ms
    print(
        json.dumps(
            {
                "benchmark": "photos",
                "photos": count,
                "pipeline_ms": round(pipeline_ms, 1),
                "naive_ms": round(naive_ms, 1),
                "speedup": round(speedup, 2),
                "photos_per_s": round(photos_per_s, 2),
                "nsfw_ms": round(nsfw_ms, 1),
                "targets_met": speedup >= 6 and pipeline_ms < 100,
            }
        )
    )


if __name__ == "__main__":
    main()
