"""Payments: one PaymentIntent per order attempt, paid only from the provider's verified word, refunds.

``payment_sync`` is the one function that applies what the provider says
about an intent; the webhook and the staff's "re-check with Stripe" both call
it, under the order's lock, so a duplicate, late or out-of-order event (or a
second click) changes nothing that is already true.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from orders.emails import order_email_send
from orders.locks import (
    cart_qs_select_for_update,
    order_lines_qs_select_for_update,
    order_qs_select_for_update,
    payment_qs_select_for_update,
)
from orders.models import Order, OrderEvent, OrderLine, OrderStatus, Payment, Refund, StripeEvent
from orders.payments import Intent, gateway, intent_from_object
from orders.services.checkout import cart_close
from orders.services.lifecycle import order_event_record, order_transition

# Intent statuses in which the shopper can still pay with the same intent.
REUSABLE = {"requires_payment_method", "requires_confirmation", "requires_action", "processing"}


@transaction.atomic
def payment_start(*, order: Order) -> Intent:
    """Return the intent the shopper pays this order with: the current one if still usable, else a new attempt.

    Runs under the order's lock: a reload or a double click waits for the
    first request and then reuses its intent instead of charging twice.
    """
    caller, order = order, order_qs_select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.PLACED:
        raise ValidationError(_("This order is not waiting for payment."), code="not_payable")
    if order.total_cents <= 0:
        raise ValidationError(_("This order costs nothing and needs no payment."), code="free")
    provider = gateway()
    if order.payment_intent_id:
        current = provider.retrieve_intent(order.payment_intent_id)
        if current.status == "succeeded":
            payment_sync(intent=current, source="payment page")
            raise ValidationError(_("This order is paid already."), code="paid")
        pending = order.payments.filter(intent_id=current.id, status=Payment.Status.PENDING).exists()
        if pending and current.status in REUSABLE and current.amount == order.total_cents:
            return current
    attempt = order.payments.count() + 1
    intent = provider.create_intent(
        amount=order.total_cents,
        currency=order.currency,
        reference=order.number,
        idempotency_key=f"order-{order.pk}-attempt-{attempt}",
    )
    Payment.objects.create(order=order, intent_id=intent.id, amount_cents=intent.amount, currency=order.currency)
    order.payment_intent_id = caller.payment_intent_id = intent.id
    order.save(update_fields=["payment_intent_id", "updated_at"])
    order_event_record(order=order, kind=OrderEvent.Kind.PAYMENT, intent=intent.id, attempt=attempt, result="started")
    return intent


@transaction.atomic
def payment_sync(*, intent: Intent, source: str, actor: Any = None) -> str:
    """Apply the provider's state of ``intent`` to its payment and order; return what happened, in a word.

    Idempotent: a state already applied is a no-op. An order is marked paid
    only when the provider says the intent succeeded for the order's amount.
    """
    payment = Payment.objects.filter(intent_id=intent.id).select_related("order").first()
    if payment is None:
        return "unknown intent"
    # Locks in the fixed order: cart, order, payment.
    if payment.order.cart_id:
        cart_qs_select_for_update().filter(pk=payment.order.cart_id).first()
    order = order_qs_select_for_update().get(pk=payment.order_id)
    payment = payment_qs_select_for_update().get(pk=payment.pk)
    if intent.status == "succeeded":
        if payment.status == Payment.Status.SUCCEEDED:
            return "already paid"
        payment.status = Payment.Status.SUCCEEDED
        payment.failure_code = ""
        payment.save(update_fields=["status", "failure_code", "updated_at"])
        if intent.amount != order.total_cents or intent.currency.upper() != order.currency:
            order_event_record(
                order=order, kind=OrderEvent.Kind.PAYMENT, actor=actor, intent=intent.id, source=source,
                result="amount mismatch", amount=intent.amount,
            )  # fmt: skip
            return "amount mismatch"
        if order.status != OrderStatus.PLACED:
            # Paid after a cancellation, or a second intent of a paid order: staff refund it.
            order_event_record(
                order=order, kind=OrderEvent.Kind.PAYMENT, actor=actor, intent=intent.id, source=source,
                result="paid but order is " + order.status,
            )  # fmt: skip
            return "needs refund"
        order_event_record(
            order=order, kind=OrderEvent.Kind.PAYMENT, actor=actor, intent=intent.id, source=source, result="paid"
        )
        order_transition(order=order, to=OrderStatus.PAID, actor=actor, allow_same=True, intent=intent.id)
        cart_close(order=order)
        return "paid"
    if intent.status == "canceled":
        if payment.status != Payment.Status.PENDING:
            return "no change"
        payment.status = Payment.Status.CANCELLED
        payment.save(update_fields=["status", "updated_at"])
        order_event_record(
            order=order, kind=OrderEvent.Kind.PAYMENT, actor=actor, intent=intent.id, result="cancelled"
        )
        return "cancelled"
    if intent.failure_code:
        if payment.status != Payment.Status.PENDING:
            return "no change"
        payment.status = Payment.Status.FAILED
        payment.failure_code = intent.failure_code[:64]
        payment.save(update_fields=["status", "failure_code", "updated_at"])
        order_event_record(
            order=order, kind=OrderEvent.Kind.PAYMENT, actor=actor, intent=intent.id, source=source,
            result="failed", code=intent.failure_code,
        )  # fmt: skip
        return "failed"
    return "no change"


def payment_recheck(*, order: Order, actor: Any = None) -> str:
    """Ask the provider for the order's current intent and apply it (the admin's "re-check with Stripe")."""
    if not order.payment_intent_id:
        return "no payment"
    intent = gateway().retrieve_intent(order.payment_intent_id)
    return payment_sync(intent=intent, source="re-check", actor=actor)


# Event type -> how its object becomes an Intent for payment_sync.
HANDLED_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.processing",
}


@transaction.atomic
def webhook_event_process(*, event: dict[str, Any]) -> str:
    """Process one verified provider event once: its id is stored under a unique constraint first."""
    event_id = str(event.get("id") or "")
    event_type = str(event.get("type") or "")
    obj = (event.get("data") or {}).get("object") or {}
    if not event_id:
        return "no id"
    _row, created = StripeEvent.objects.get_or_create(
        event_id=event_id, defaults={"type": event_type[:64], "object_id": str(obj.get("id") or "")[:255]}
    )
    if not created:
        return "duplicate"
    if event_type == "charge.refunded" and obj.get("object") == "charge":
        result = refund_sync(charge=obj)
    elif event_type not in HANDLED_EVENTS or obj.get("object") != "payment_intent":
        result = "ignored"
    else:
        try:
            intent = intent_from_object(obj)
        except (KeyError, TypeError, ValueError):
            intent = None
        result = payment_sync(intent=intent, source=event_type) if intent else "malformed"
    StripeEvent.objects.filter(event_id=event_id).update(result=result[:64])
    return result


def refund_create(
    *, order: Order, amount_cents: int, reason: str, actor: Any = None, line: OrderLine | None = None
) -> Refund:
    """Refund part or all of a paid order (or of one line) with the provider, once, with an idempotency key.

    The refund row is committed before the provider is asked, so a retry of a
    failed call reuses its key and can never pay back twice.
    """
    if not reason.strip():
        raise ValidationError(_("Give a reason."), code="reason_required")
    with transaction.atomic():
        order = order_qs_select_for_update().get(pk=order.pk)
        if order.status not in (
            OrderStatus.PAID,
            OrderStatus.IN_PRODUCTION,
            OrderStatus.SHIPPED,
            OrderStatus.DELIVERED,
        ):
            raise ValidationError(_("Only a paid order can be refunded."), code="not_paid")
        pending = sum(order.refunds.filter(status=Refund.Status.PENDING).values_list("amount_cents", flat=True))
        refundable = order.total_cents - order.refunded_cents - pending
        if line is not None:
            line = order_lines_qs_select_for_update().get(pk=line.pk, order=order)
            refundable = min(refundable, line.total_cents - line.refunded_cents)
        if not 1 <= amount_cents <= refundable:
            raise ValidationError(
                _("Refund between € 0,01 and %(max)s.") % {"max": _euros(max(refundable, 0))}, code="amount"
            )
        refund = Refund.objects.create(order=order, line=line, amount_cents=amount_cents, reason=reason, actor=actor)
        order_event_record(
            order=order, kind=OrderEvent.Kind.REFUND, actor=actor, refund=str(refund.pk), amount=amount_cents,
            result="requested", reason=reason,
        )  # fmt: skip
    return refund_send(refund=refund, actor=actor)


def _euros(cents: int) -> str:
    from orders.money import format_cents

    return format_cents(cents)


def refund_send(*, refund: Refund, actor: Any = None) -> Refund:
    """Ask the provider for a pending refund (again, safely: same idempotency key) and record the outcome."""
    from orders.payments import PaymentDeclined, PaymentsUnavailable

    if refund.status != Refund.Status.PENDING:
        return refund
    order = refund.order
    payment = order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("-created_at").first()
    if payment is None:
        raise ValidationError(_("This order has no successful payment to refund."), code="no_payment")
    try:
        result = gateway().refund(
            intent_id=payment.intent_id, amount=refund.amount_cents, idempotency_key=refund.idempotency_key
        )
    except PaymentsUnavailable as exc:
        raise ValidationError(
            _("The payment provider could not be reached; the refund is kept as pending: try again."),
            code="unavailable",
        ) from exc
    except PaymentDeclined as exc:
        result = None
        failure = exc.code
    with transaction.atomic():
        order = order_qs_select_for_update().get(pk=order.pk)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status != Refund.Status.PENDING:
            return refund
        if result is None or result.status == "failed":
            refund.status = Refund.Status.FAILED
            refund.save(update_fields=["status"])
            order_event_record(
                order=order, kind=OrderEvent.Kind.REFUND, actor=actor, refund=str(refund.pk), result="failed",
                code=failure if result is None else result.status,
            )  # fmt: skip
            return refund
        refund.status = Refund.Status.SUCCEEDED
        refund.stripe_refund_id = result.id
        refund.save(update_fields=["status", "stripe_refund_id"])
        Order.objects.filter(pk=order.pk).update(refunded_cents=F("refunded_cents") + refund.amount_cents)
        if refund.line_id:
            OrderLine.objects.filter(pk=refund.line_id).update(
                refunded_cents=F("refunded_cents") + refund.amount_cents
            )
        order.refresh_from_db()
        order_event_record(
            order=order, kind=OrderEvent.Kind.REFUND, actor=actor, refund=str(refund.pk), result="refunded",
            amount=refund.amount_cents, provider_refund=result.id,
        )  # fmt: skip
        if order.refunded_cents >= order.total_cents:
            order_transition(order=order, to=OrderStatus.REFUNDED, actor=actor, reason=refund.reason)
        else:
            order_email_send(order=order, kind="refund", amount_cents=refund.amount_cents)
    return refund


def refund_sync(*, charge: dict[str, Any], actor: Any = None) -> str:
    """Apply a refund made outside the shop (in Stripe's dashboard) that a ``charge.refunded`` event reports.

    Refunds the shop made itself are already counted: only the part of the
    charge's ``amount_refunded`` beyond what the order records is added, as a
    refund row, so a repeated or late event adds nothing.
    """
    intent_id = str(charge.get("payment_intent") or "")
    payment = (
        Payment.objects.filter(intent_id=intent_id, status=Payment.Status.SUCCEEDED).first() if intent_id else None
    )
    if payment is None:
        return "unknown charge"
    with transaction.atomic():
        order = order_qs_select_for_update().get(pk=payment.order_id)
        pending = sum(order.refunds.filter(status=Refund.Status.PENDING).values_list("amount_cents", flat=True))
        extra = min(int(charge.get("amount_refunded") or 0), order.total_cents) - order.refunded_cents - pending
        if extra <= 0:
            return "no change"
        refund = Refund.objects.create(
            order=order,
            amount_cents=extra,
            reason="Refunded in Stripe",
            status=Refund.Status.SUCCEEDED,
            stripe_refund_id=str(charge.get("id") or "")[:255],
            actor=actor,
        )
        Order.objects.filter(pk=order.pk).update(refunded_cents=F("refunded_cents") + extra)
        order.refresh_from_db()
        order_event_record(
            order=order, kind=OrderEvent.Kind.REFUND, actor=actor, refund=str(refund.pk), result="refunded in Stripe",
            amount=extra,
        )  # fmt: skip
        if order.refunded_cents >= order.total_cents and order.status != OrderStatus.REFUNDED:
            order_transition(order=order, to=OrderStatus.REFUNDED, actor=actor, reason="Refunded in Stripe")
        else:
            order_email_send(order=order, kind="refund", amount_cents=extra)
    return "refunded"
