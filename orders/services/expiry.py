"""Unpaid orders end: cancelled 7 days after they were placed, or 48 hours after a failed payment not retried.

A cancelled order gives back what it held: the promo code on it (the
promotions app's receiver of ``order_status_changed``), and the provider's
payment intent is cancelled so that the order can no longer be paid. The
customer gets an e-mail saying so. Each order moves in its own transaction
with its audit row; the due orders are found in one query, in batches.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from orders.emails import EmailKind, order_email_send
from orders.models import Order, OrderStatus, Payment
from orders.payments import PaymentsUnavailable, gateway
from orders.services.lifecycle import order_transition

logger = logging.getLogger(__name__)

BATCH = 200
REASON = gettext_noop("not paid in time")


def unpaid_limits() -> tuple[datetime.timedelta, datetime.timedelta]:
    """How long an order waits for payment, and how long after a failed payment that is not retried."""
    return (
        datetime.timedelta(hours=settings.ORDERS_UNPAID_CANCEL_AFTER_HOURS),
        datetime.timedelta(hours=settings.ORDERS_FAILED_PAYMENT_CANCEL_AFTER_HOURS),
    )


def _latest_payment(field: str) -> Subquery:
    return Subquery(Payment.objects.filter(order=OuterRef("pk")).order_by("-created_at", "-pk").values(field)[:1])


def orders_unpaid_due(*, now: datetime.datetime) -> QuerySet[Order]:
    """Return the orders still waiting for payment past their limit."""
    unpaid_for, failed_for = unpaid_limits()
    return (
        Order.objects.filter(status=OrderStatus.PLACED)
        .annotate(last_payment=_latest_payment("status"), last_payment_at=_latest_payment("updated_at"))
        .filter(
            Q(placed_at__lte=now - unpaid_for)
            | Q(last_payment=Payment.Status.FAILED, last_payment_at__lte=now - failed_for)
        )
    )


def unpaid_deadline(order: Order) -> datetime.datetime:
    """Return when ``order`` is cancelled if it is not paid by then (what the payment reminder tells)."""
    unpaid_for, failed_for = unpaid_limits()
    deadline = order.placed_at + unpaid_for
    latest = order.payments.order_by("-created_at", "-pk").first()
    if latest is not None and latest.status == Payment.Status.FAILED:
        deadline = min(deadline, latest.updated_at + failed_for)
    return deadline


def orders_cancel_unpaid(*, now: datetime.datetime | None = None) -> int:
    """Cancel the unpaid orders past their limit, each in its own transaction; return how many were cancelled."""
    now = now or timezone.now()
    cancelled = 0
    while ids := list(orders_unpaid_due(now=now).order_by("placed_at").values_list("pk", flat=True)[:BATCH]):
        done = sum(_cancel(order) for order in Order.objects.filter(pk__in=ids))
        cancelled += done
        if len(ids) < BATCH or not done:  # the last batch, or one that moved nothing: never loop on it
            break
    return cancelled


def _cancel(order: Order) -> int:
    with transaction.atomic():
        try:
            with translation.override(order.language or settings.LANGUAGE_CODE):
                reason = gettext(REASON)  # shown to the customer on the order page
            locked = order_transition(order=order, to=OrderStatus.CANCELLED, reason=reason, by="system")
        except ValidationError:  # paid or cancelled meanwhile
            return 0
        order_email_send(order=locked, kind=EmailKind.UNPAID_CANCELLED)
        intent_id = locked.payment_intent_id
        if intent_id:
            transaction.on_commit(lambda: _cancel_intent(intent_id))
    return 1


def _cancel_intent(intent_id: str) -> None:
    """Let the provider refuse a late payment; one that slips through is marked for a refund (payment_sync)."""
    try:
        gateway().cancel_intent(intent_id)
    except PaymentsUnavailable:
        logger.warning("payment intent %s of a cancelled order could not be cancelled", intent_id)
