"""Print files: the order's own copy of each ordered photo, at the format's size and crop, without metadata.

Created when an order is paid; rendered by a task after commit. The order
owns them: deleting the photo from the gallery or withdrawing storage
(ALB-2) leaves them in place until the order's own retention ends (SMP-5).
"""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageOps

from orders.models import CartLine, CreationPage, Fit, Order, OrderLine, PrintFile
from photoshop.outbox import enqueue

PRINT_DPI = 300
JPEG_QUALITY = 92


def print_files_create(*, order: Order) -> int:
    """Create the pending print files of a paid order (one per photo: a photo book has one per page)."""
    lines = list(order.lines.all())
    creation_pages: dict[int, list[CreationPage]] = {}
    if order.cart_id:
        for cart_line in CartLine.objects.filter(cart_id=order.cart_id, creation__isnull=False).select_related(
            "creation"
        ):
            pages = list(cart_line.creation.pages.order_by("position"))
            creation_pages[cart_line.format_id] = pages
    rows = []
    for line in lines:
        if line.photo_id:
            rows.append(
                PrintFile(
                    line=line,
                    position=1,
                    source_photo_id=line.photo_id,
                    fit=line.fit,
                    crop_left=line.crop_left,
                    crop_top=line.crop_top,
                    crop_right=line.crop_right,
                    crop_bottom=line.crop_bottom,
                )
            )
        else:
            for page in creation_pages.get(line.format_id, []):
                rows.append(PrintFile(line=line, position=page.position, source_photo_id=page.photo_id, fit=Fit.CROP))
    PrintFile.objects.bulk_create(rows, ignore_conflicts=True)
    from orders.tasks_lab import render_print_files

    enqueue(render_print_files, str(order.pk))
    return len(rows)


def _target_pixels(line: OrderLine, landscape: bool) -> tuple[int, int]:
    long_mm, short_mm = max(line.width_mm, line.height_mm), min(line.width_mm, line.height_mm)
    long_px, short_px = round(long_mm / 25.4 * PRINT_DPI), round(short_mm / 25.4 * PRINT_DPI)
    return (long_px, short_px) if landscape else (short_px, long_px)


def render(print_file: PrintFile) -> bytes:
    """Return the print-ready JPEG of one print file: oriented, cropped or fitted, at 300 dpi, no metadata."""
    photo = print_file.source_photo
    with photo.original.open("rb") as handle, Image.open(handle) as image:
        image.load()
        upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.info = {}
    width, height = upright.size
    target = _target_pixels(print_file.line, landscape=width >= height)
    if print_file.fit == Fit.FIT:
        fitted = ImageOps.contain(upright, target, Image.Resampling.LANCZOS)
        canvas = Image.new("RGB", target, "white")
        canvas.paste(fitted, ((target[0] - fitted.width) // 2, (target[1] - fitted.height) // 2))
        result = canvas
    else:
        if print_file.crop_left is not None:
            box = (
                round(print_file.crop_left * width),
                round(print_file.crop_top * height),
                round(print_file.crop_right * width),
                round(print_file.crop_bottom * height),
            )
            upright = upright.crop(box)
        result = ImageOps.fit(upright, target, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= and no info: the stored bytes carry no EXIF, GPS or XMP (PIX-7).
    result.save(out, "JPEG", quality=JPEG_QUALITY, dpi=(PRINT_DPI, PRINT_DPI))
    return out.getvalue()


def print_files_render(*, order_id: str) -> int:
    """Render every pending print file of an order; return how many are ready now."""
    done = 0
    pending = PrintFile.objects.filter(line__order_id=order_id, status=PrintFile.Status.PENDING).select_related(
        "line", "source_photo"
    )
    for print_file in pending:  # one order: bounded by its lines
        if print_file.source_photo is None or not print_file.source_photo.original:
            PrintFile.objects.filter(pk=print_file.pk).update(status=PrintFile.Status.FAILED)
            continue
        data = render(print_file)
        name = f"{print_file.line.position:03d}-{print_file.position:03d}.jpg"
        print_file.file.save(name, ContentFile(data), save=False)
        with Image.open(io.BytesIO(data)) as check:
            size = check.size
        PrintFile.objects.filter(pk=print_file.pk).update(
            file=print_file.file.name,
            sha256=hashlib.sha256(data).hexdigest(),
            width_px=size[0],
            height_px=size[1],
            status=PrintFile.Status.READY,
            rendered_at=timezone.now(),
        )
        done += 1
    return done
