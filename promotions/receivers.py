"""Reactions of the promotions app to other apps' events."""

from __future__ import annotations

from typing import Any

from promotions.models import Redemption
from promotions.services import redemption_release, redemptions_settle


def follow_the_order(*, order, to_status: str, **kwargs: Any) -> None:
    """In the order's transaction: a paid order keeps its code and frees its cart; a cancelled one gives it back."""
    if to_status == "paid":
        redemptions_settle(order=order)
        return
    if to_status != "cancelled":
        return
    # Its uses, the quota and the customer's limit.
    for redemption in Redemption.objects.filter(order=order, status=Redemption.Status.ACTIVE):
        redemption_release(redemption=redemption, reason="order cancelled")
