"""Celery tasks of the shop: customers' e-mails and the daily reminders."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from orders import emails
from orders.services import expiry, reminders
from photoshop.celery import TRANSIENT_ERRORS


@shared_task(
    name="orders.send_order_email",
    autoretry_for=(SMTPException, OSError, *TRANSIENT_ERRORS),
    retry_backoff=True,
    max_retries=5,
)
def send_order_email(order_id: str, kind: str, amount_cents: int | None = None) -> bool:
    """Send one e-mail about an order (queued after the commit of the change it reports)."""
    return emails.order_email_deliver(order_id=order_id, kind=kind, amount_cents=amount_cents)


@shared_task(
    name="orders.send_cart_reminder",
    autoretry_for=(SMTPException, OSError, *TRANSIENT_ERRORS),
    retry_backoff=True,
    max_retries=5,
)
def send_cart_reminder(cart_id: str) -> bool:
    """Send the service message about a cart left for a day (the cart is already marked reminded)."""
    return reminders.cart_reminder_deliver(cart_id=cart_id)


@shared_task(name="orders.send_reminders")
def send_reminders() -> dict[str, int]:
    """Mark and queue the reminders due now: carts left and orders unpaid for 24 hours; return how many."""
    return reminders.reminders_send_due()


from orders.tasks_lab import render_invoice_pdf, render_print_files  # noqa: E402, F401  (Celery finds tasks in orders.tasks)


@shared_task(name="orders.cancel_unpaid")
def cancel_unpaid() -> int:
    """Cancel the orders left unpaid past their limit (their codes come free); return how many."""
    return expiry.orders_cancel_unpaid()
