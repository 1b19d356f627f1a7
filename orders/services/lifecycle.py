"""The order lifecycle: every status change goes through ``order_transition``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import transitions
from orders.emails import EMAIL_FOR_STATUS, order_email_send
from orders.locks import order_qs_select_for_update
from orders.models import Order, OrderEvent, OrderStatus


def order_event_record(
    *, order: Order, kind: str, actor: Any = None, from_status: str = "", to_status: str = "", **detail: Any
) -> OrderEvent:
    """Write one audit row for an order; call it inside the transaction that makes the change."""
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=to_status,
        at=timezone.now(),
        detail=detail,
    )


# The timestamp each status sets on the order.
_STAMPS = {
    OrderStatus.PAID: "paid_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.DELIVERED: "completed_at",
    OrderStatus.CANCELLED: "cancelled_at",
}


@transaction.atomic
def order_transition(
    *,
    order: Order,
    to: str,
    actor: Any = None,
    reason: str = "",
    allow_same: bool = False,
    **detail: Any,
) -> Order:
    """Move an order to status ``to`` under its row lock, with an event row; refuse a move the table forbids.

    Returns the locked, updated order. With ``allow_same``, an order already
    in ``to`` is returned unchanged (a repeated webhook or a second click).
    """
    if to not in OrderStatus.values:
        raise ValidationError(_("Unknown order status: %(target)s.") % {"target": to}, code="invalid_status")
    locked = order_qs_select_for_update().get(pk=order.pk)
    current = locked.status
    if current == to and allow_same:
        return locked
    if not transitions.allowed(current, to):
        raise ValidationError(
            _("An order that is %(current)s cannot become %(target)s.")
            % {"current": OrderStatus(current).label, "target": OrderStatus(to).label},
            code="invalid_transition",
        )
    if to == OrderStatus.IN_PRODUCTION and locked.held_at is not None:
        raise ValidationError(
            _("Order %(number)s is on hold for review: release it first.") % {"number": locked.number}, code="held"
        )
    reason = reason.strip()
    if to in transitions.NEEDS_REASON and not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    now = timezone.now()
    locked.status = to
    fields = ["status", "updated_at"]
    if reason:
        locked.status_reason = reason[:255]
        fields.append("status_reason")
    stamp = _STAMPS.get(to)
    if stamp:
        setattr(locked, stamp, now)
        fields.append(stamp)
    if to in transitions.COMPLETED and stamp != "completed_at":
        locked.completed_at = now
        fields.append("completed_at")
    for name in ("carrier", "tracking_number"):
        if name in detail:
            setattr(locked, name, str(detail[name])[: Order._meta.get_field(name).max_length])
            fields.append(name)
    locked.save(update_fields=fields)
    order_event_record(
        order=locked,
        kind=OrderEvent.Kind.STATUS,
        actor=actor,
        from_status=current,
        to_status=to,
        **({"reason": reason} if reason else {}),
        **detail,
    )
    from orders.signals import order_status_changed

    order_status_changed.send(sender=Order, order=locked, from_status=current, to_status=to)
    if to == OrderStatus.PAID:
        # In the paying transaction: the invoice number is taken (no gap if it rolls back), and the
        # order's own print files are queued for rendering once it commits.
        from orders.services.invoices import invoice_issue
        from orders.services.printfiles import print_files_create

        invoice_issue(order=locked)
        print_files_create(order=locked)
    email = EMAIL_FOR_STATUS.get(to)
    if email:
        # Sent by a task once this transaction commits (STX-7: always sent).
        order_email_send(order=locked, kind=email)
    # Keep the caller's instance in step with the row.
    for field in fields:
        setattr(order, field, getattr(locked, field))
    return locked
