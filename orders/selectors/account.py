"""Reads for the customer's order pages."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Sum

from accounts.models import User
from orders.models import Order, OrderEvent, OrderStatus

# Events a customer sees on the order page: what happened to the order, not staff notes or lab work.
CUSTOMER_EVENT_KINDS = (OrderEvent.Kind.PLACED, OrderEvent.Kind.STATUS, OrderEvent.Kind.REFUND)


def orders_for(*, user: User) -> QuerySet[Order]:
    """Return the user's orders, newest first, with their number of items (served by the user/placed index)."""
    return (
        Order.objects.filter(user=user)
        .order_by("-placed_at")
        .annotate(item_count=Sum("lines__quantity"), line_count=Count("lines"))
        .only("id", "number", "status", "placed_at", "total_cents", "currency", "tracking_number")
    )


def order_detail_for(*, order_id) -> Order | None:
    """Return one order with what its page shows: shipping method, lines and the events a customer may see."""
    from django.db.models import Prefetch

    return (
        Order.objects.select_related("shipping_method")
        .prefetch_related(
            Prefetch("lines", to_attr="line_list"),
            Prefetch(
                "events",
                queryset=OrderEvent.objects.filter(kind__in=CUSTOMER_EVENT_KINDS).order_by("at", "id"),
                to_attr="customer_events",
            ),
        )
        .filter(pk=order_id)
        .first()
    )


def invoice_of(order: Order):
    """Return the order's invoice, or None (one query; an order without one has no row)."""
    from orders.models import Invoice

    return Invoice.objects.filter(order=order).only("id", "number", "order_id", "pdf").first()


def steps_of(order: Order) -> list[tuple[str, str, bool]]:
    """Return the lifecycle steps for a progress line: (status, label, reached)."""
    path = [
        OrderStatus.PLACED,
        OrderStatus.PAID,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ]
    if order.status not in path:
        return []
    reached = path.index(order.status)
    return [(str(status), str(status.label), i <= reached) for i, status in enumerate(path)]
