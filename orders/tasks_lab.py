"""Tasks of invoices and print files (imported by ``orders.tasks`` so that Celery finds them)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="orders.render_invoice_pdf", acks_late=True)
def render_invoice_pdf(invoice_id: int) -> bool:
    from orders.services.invoices import invoice_pdf_store

    return invoice_pdf_store(invoice_id=invoice_id)


@shared_task(name="orders.render_print_files", acks_late=True)
def render_print_files(order_id: str) -> int:
    from orders.services.printfiles import print_files_render

    return print_files_render(order_id=order_id)
