"""Invoices: numbered without gaps per year, issued in the transaction that marks the order paid.

The number is taken from ``InvoiceSequence`` under its row lock in that same
transaction: if the payment's transaction rolls back, so does the number, and
no two invoices share one however many payments arrive at once.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from orders.locks import invoice_sequence_qs_select_for_update
from orders.models import Invoice, InvoiceSequence, Order, OrderEvent
from orders.money import compute_totals
from orders.services.lifecycle import order_event_record
from photoshop.outbox import enqueue


def _next_number(year: int) -> int:
    try:
        with transaction.atomic():
            InvoiceSequence.objects.get_or_create(year=year)
    except IntegrityError:  # created by a concurrent payment just now
        pass
    sequence = invoice_sequence_qs_select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def _address(order: Order) -> str:
    """Return the invoice address: the billing address when one was given, else the delivery address."""
    prefix = "bill" if order.bill_street else "ship"

    def part(name: str) -> str:
        return str(getattr(order, f"{prefix}_{name}") or "")

    country = getattr(order, f"{prefix}_country")
    parts = [part("company"), part("street"), part("line2"), f"{part('postal_code')} {part('city')}".strip()]
    return "\n".join(p for p in [*parts, str(country.name) if country else ""] if p)


def invoice_issue(*, order: Order) -> Invoice:
    """Issue the invoice of a paid order (once), with the next number of the year; render its PDF after commit."""
    existing = Invoice.objects.filter(order=order).first()
    if existing is not None:
        return existing
    now = timezone.now()
    sequence = _next_number(now.year)
    invoice = Invoice.objects.create(
        order=order,
        user_id=order.user_id,
        year=now.year,
        sequence=sequence,
        number=f"{now.year}-{sequence:06d}",
        issued_at=now,
        customer_name=order.bill_name or order.ship_name,
        customer_company=order.bill_company or order.ship_company,
        customer_vat_number=order.bill_vat_number,
        customer_address=_address(order),
        total_cents=order.total_cents,
        vat_cents=order.vat_cents,
    )
    order_event_record(order=order, kind=OrderEvent.Kind.INVOICE, number=invoice.number)
    from orders.tasks_lab import render_invoice_pdf

    enqueue(render_invoice_pdf, invoice.pk)
    return invoice


def invoice_vat_rows(invoice: Invoice) -> list[tuple[float, int, int]]:
    """Return (rate %, gross, VAT) per rate of an invoice's order, from ``orders.money``."""
    from orders.money import Amount

    order = invoice.order
    if order is None:
        return []
    lines = [Amount(line.total_cents, line.vat_rate_bp) for line in order.lines.all()]
    shipping = Amount(order.shipping_cents, order.shipping_vat_bp)
    totals = compute_totals(
        items=lines, shipping=shipping, discounts=list(order.discounts.values_list("amount_cents", flat=True))
    )
    return [(rate / 100, gross, vat) for rate, (gross, vat) in sorted(totals.vat_by_rate.items())]


def invoice_html(invoice: Invoice) -> str:
    """Return the invoice as HTML in the order's language (the PDF's source)."""
    from django.conf import settings

    language = invoice.order.language if invoice.order else "nl"
    with translation.override(language):
        return render_to_string(
            "orders/invoices/invoice.html",
            {
                "invoice": invoice,
                "order": invoice.order,
                "lines": invoice.order.lines.all() if invoice.order else [],
                "vat_rows": invoice_vat_rows(invoice),
                "site_name": settings.SITE_NAME,
            },
        )


def _weasyprint():
    """Import WeasyPrint without its process-wide side effect on Pillow.

    WeasyPrint sets ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True`` when imported:
    in a process that also checks uploads, a truncated photo would then pass as
    whole. The flag is put back; invoices hold no images.
    """
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        import weasyprint
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
    return weasyprint


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    """Render the invoice as a PDF (WeasyPrint, from the HTML template)."""
    return _weasyprint().HTML(string=invoice_html(invoice)).write_pdf()


def invoice_pdf_store(*, invoice_id: int) -> bool:
    """Render and store an invoice's PDF (the task's work); return False for an invoice restricted or gone."""
    invoice = Invoice.objects.select_related("order").filter(pk=invoice_id, restricted_at__isnull=True).first()
    if invoice is None:
        return False
    data = invoice_pdf_bytes(invoice)
    invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(data), save=False)
    Invoice.objects.filter(pk=invoice.pk).update(pdf=invoice.pdf.name)
    return True
