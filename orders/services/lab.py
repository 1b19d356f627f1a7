"""The print lab: batch exports (print files with a job ticket) and defect decisions per line."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from orders.locks import order_lines_qs_select_for_update, order_qs_select_for_update
from orders.models import LabExport, Order, OrderEvent, OrderLine, OrderStatus, PrintFile
from orders.services.lifecycle import order_event_record
from orders.signals import lab_export_extras

PRODUCIBLE = (OrderStatus.PAID, OrderStatus.IN_PRODUCTION)
TICKET_FIELDS = (
    "order",
    "line",
    "page",
    "product",
    "format",
    "width_mm",
    "height_mm",
    "quantity",
    "finish",
    "crop_or_fit",
    "crop_box",
    "file",
    "sha256",
    "ship_to",
    "advert",
    "advert_placement",
)


def _ticket_rows(orders: Sequence[Order]) -> list[dict]:
    files = (
        PrintFile.objects.filter(line__order__in=orders)
        .select_related("line__order")
        .order_by("line__order__placed_at", "line__position", "position")
    )
    rows = []
    for print_file in files:  # bounded by the chosen orders
        line = print_file.line
        order = line.order
        box = (
            [print_file.crop_left, print_file.crop_top, print_file.crop_right, print_file.crop_bottom]
            if print_file.crop_left is not None
            else None
        )
        rows.append(
            {
                "order": order.number,
                "line": line.position,
                "page": print_file.position,
                "product": line.product_name,
                "format": line.format_code,
                "width_mm": line.width_mm,
                "height_mm": line.height_mm,
                "quantity": line.quantity,
                "finish": line.finish_code,
                "crop_or_fit": print_file.fit,
                "crop_box": box,
                "file": f"{order.number}/{line.position:03d}-{print_file.position:03d}.jpg",
                "sha256": print_file.sha256,
                "ship_to": f"{order.ship_name}, {order.ship_street}, {order.ship_postal_code} {order.ship_city}, "
                f"{order.ship_country.code}",
                "_path": print_file.file.name,
                "_storage": print_file.file.storage,
            }
        )
    return rows


@transaction.atomic
def lab_export_create(*, orders: Sequence[Order], actor=None) -> LabExport:
    """Export paid orders to the lab: a ZIP with their print files and a job ticket in CSV and JSON.

    Refused while any print file of the chosen orders is not rendered yet, or
    when an order is not paid or already past production.
    """
    orders = list(order_qs_select_for_update().filter(pk__in=[o.pk for o in orders]))
    if not orders:
        raise ValidationError(_("Choose at least one order."), code="empty")
    wrong = [o.number for o in orders if o.status not in PRODUCIBLE]
    if wrong:
        raise ValidationError(
            _("Only paid orders can be produced: %(orders)s.") % {"orders": ", ".join(wrong)}, code="status"
        )
    held = [o.number for o in orders if o.held_at is not None]
    if held:
        raise ValidationError(
            _("These orders are on hold for review: %(orders)s.") % {"orders": ", ".join(held)}, code="held"
        )
    waiting = sorted(
        set(
            PrintFile.objects.filter(line__order__in=orders)
            .exclude(status=PrintFile.Status.READY)
            .values_list("line__order__number", flat=True)
        )
    )
    if waiting:
        raise ValidationError(
            _("The print files of these orders are not ready yet; try again in a minute: %(orders)s.")
            % {"orders": ", ".join(waiting)},
            code="not_ready",
        )
    rows = _ticket_rows(orders)
    extras: dict = {}
    for _receiver, response in lab_export_extras.send(sender=LabExport, orders=orders):
        extras.update(response or {})
    numbers = {order.number: order.pk for order in orders}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        added = set()
        for row in rows:
            with row["_storage"].open(row["_path"], "rb") as handle:
                archive.writestr(row["file"], handle.read())
            extra = extras.get(numbers[row["order"]], {})
            advert = extra.get("advert")
            row["advert"], row["advert_placement"] = (advert[0] if advert else ""), extra.get("advert_placement", "")
            if advert and advert[0] not in added:
                with advert[1].open(advert[2], "rb") as handle:
                    archive.writestr(advert[0], handle.read())
                added.add(advert[0])
        ticket = [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]
        archive.writestr("ticket.json", json.dumps(ticket, indent=2, ensure_ascii=False))
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=TICKET_FIELDS)
        writer.writeheader()
        for row in ticket:
            writer.writerow({**row, "crop_box": " ".join(str(v) for v in row["crop_box"] or [])})
        archive.writestr("ticket.csv", text.getvalue())
    export = LabExport.objects.create(created_by=actor if getattr(actor, "is_authenticated", False) else None)
    export.archive.save(f"{export.pk}.zip", ContentFile(buffer.getvalue()), save=True)
    export.orders.set(orders)
    for order in orders:
        order_event_record(order=order, kind=OrderEvent.Kind.LAB, actor=actor, export=str(export.pk))
    return export


def line_defect_decide(*, line: OrderLine, decision: str, note: str, actor=None) -> OrderLine:
    """Record the lab's defect report of a line and decide: reprint it (rendered again) or refund it.

    A refund goes to the payment provider after the decision is recorded, with
    the refund's own idempotency key (``orders.services.payments.refund_create``).
    """
    if decision not in (OrderLine.LabDecision.REPRINT, OrderLine.LabDecision.REFUND):
        raise ValidationError(_("Choose reprint or refund."), code="decision")
    if not note.strip():
        raise ValidationError(_("Describe the defect."), code="note")
    with transaction.atomic():
        order = order_qs_select_for_update().get(pk=line.order_id)
        line = order_lines_qs_select_for_update().get(pk=line.pk)
        line.lab_decision = decision
        line.lab_note = note.strip()[:255]
        line.save(update_fields=["lab_decision", "lab_note"])
        order_event_record(
            order=order, kind=OrderEvent.Kind.LAB, actor=actor, line=line.position, decision=decision,
            note=line.lab_note,
        )  # fmt: skip
        if decision == OrderLine.LabDecision.REPRINT:
            line.print_files.update(status=PrintFile.Status.PENDING)
            from orders.tasks_lab import render_print_files
            from photoshop.outbox import enqueue

            enqueue(render_print_files, str(order.pk))
    if decision == OrderLine.LabDecision.REFUND and line.total_cents > line.refunded_cents:
        from orders.services.payments import refund_create

        refund_create(
            order=order,
            amount_cents=line.total_cents - line.refunded_cents,
            reason=_("Defect: %(note)s") % {"note": line.lab_note},
            line=line,
            actor=actor,
        )
    return line
