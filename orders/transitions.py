"""The order lifecycle as one table: which status may follow which (after django-oscar's pipeline).

``orders.services.lifecycle.order_transition`` is the only code that changes
``Order.status``; it refuses any move not listed here.
"""

from orders.models import OrderStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLACED: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.IN_PRODUCTION, S.CANCELLED, S.REFUNDED}),
    S.IN_PRODUCTION: frozenset({S.SHIPPED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}

# Moves that need a reason from the person making them.
NEEDS_REASON = frozenset({S.CANCELLED, S.REFUNDED})
# Statuses after which the order counts as completed (PIX-1: "na afronding").
COMPLETED = frozenset({S.DELIVERED, S.CANCELLED, S.REFUNDED})


def allowed(current: str, target: str) -> bool:
    """Return whether an order in ``current`` may move to ``target``."""
    return target in TRANSITIONS.get(current, frozenset())
