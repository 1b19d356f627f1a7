"""Orders held for staff review (fair use, STX-9): not produced until released; staff may ask who ordered.

Each step writes its audit row in the same transaction. A held order may be
paid (or free) and is confirmed to the customer as usual; only production
waits: the print lab does not see it and it cannot move to production.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.emails import EmailKind, order_email_send
from orders.locks import order_qs_select_for_update
from orders.models import Order, OrderEvent, OrderStatus
from orders.services.lifecycle import order_event_record

OPEN = (OrderStatus.PLACED, OrderStatus.PAID)


@transaction.atomic
def order_hold(*, order: Order, reason: str, actor: Any = None) -> Order:
    """Hold ``order`` for review, saying why (no personal data in ``reason``); a held order stays held."""
    locked = order_qs_select_for_update().get(pk=order.pk)
    if locked.held_at is None:
        locked.held_at, locked.hold_reason = timezone.now(), reason[:200]
        locked.save(update_fields=["held_at", "hold_reason", "updated_at"])
        order_event_record(order=locked, kind=OrderEvent.Kind.HOLD, actor=actor, result="held", reason=reason[:200])
    order.held_at, order.hold_reason = locked.held_at, locked.hold_reason
    return locked


@transaction.atomic
def order_hold_release(*, order: Order, actor: Any, note: str = "") -> bool:
    """Release a held order for production after review; return False when it was not held."""
    locked = order_qs_select_for_update().get(pk=order.pk)
    if locked.held_at is None:
        return False
    locked.held_at, locked.hold_reason = None, ""
    locked.save(update_fields=["held_at", "hold_reason", "updated_at"])
    order_event_record(order=locked, kind=OrderEvent.Kind.HOLD, actor=actor, result="released", note=note[:200])
    order.held_at, order.hold_reason = None, ""
    return True


@transaction.atomic
def order_identity_request(*, order: Order, actor: Any) -> None:
    """Ask the customer of a held order to confirm who they are (STX-9); the e-mail leaves after commit."""
    locked = order_qs_select_for_update().get(pk=order.pk)
    if locked.held_at is None or locked.status not in OPEN:
        raise ValidationError(_("Only an open order on hold can ask for identity verification."), code="not_held")
    order_event_record(order=locked, kind=OrderEvent.Kind.HOLD, actor=actor, result="identity asked")
    order_email_send(order=locked, kind=EmailKind.IDENTITY_CHECK)
