"""Row locks of the orders app, always taken in one order: cart, then order, then payment, then lines.

A webhook and a shopper's click on the same order then queue instead of
deadlocking (after Saleor's ``lock_objects.py``). ``of=("self",)`` keeps
PostgreSQL from locking joined rows; SQLite serialises writers anyway.
"""

from __future__ import annotations

from django.db.models import QuerySet

from orders.models import Cart, InvoiceSequence, Order, OrderLine, Payment


def cart_qs_select_for_update() -> QuerySet[Cart]:
    return Cart.objects.select_for_update(of=("self",)).order_by("pk")


def order_qs_select_for_update() -> QuerySet[Order]:
    return Order.objects.select_for_update(of=("self",)).order_by("pk")


def payment_qs_select_for_update() -> QuerySet[Payment]:
    return Payment.objects.select_for_update(of=("self",)).order_by("pk")


def order_lines_qs_select_for_update() -> QuerySet[OrderLine]:
    return OrderLine.objects.select_for_update(of=("self",)).order_by("order_id", "position")


def invoice_sequence_qs_select_for_update() -> QuerySet[InvoiceSequence]:
    return InvoiceSequence.objects.select_for_update(of=("self",))
