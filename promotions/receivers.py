"""Reactions of the promotions app to other apps' events."""

from __future__ import annotations

from typing import Any

from promotions.models import Redemption
from promotions.services import redemption_release


def release_when_cancelled(*, order, to_status: str, **kwargs: Any) -> None:
    """Give a cancelled order's code back (its uses, the quota and the customer's limit), in the same transaction."""
    if to_status != "cancelled":
        return
    for redemption in Redemption.objects.filter(order=order, status=Redemption.Status.ACTIVE):
        redemption_release(redemption=redemption, reason="order cancelled")
