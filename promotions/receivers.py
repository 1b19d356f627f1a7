"""Reactions of the promotions app to other apps' events."""

from __future__ import annotations

from typing import Any

from promotions.models import Redemption
from promotions.services import advert_choose, redemption_release, redemptions_settle


def follow_the_order(*, order, to_status: str, **kwargs: Any) -> None:
    """In the order's transaction: a paid order keeps its code and frees its cart; a cancelled one gives it back."""
    if to_status == "paid":
        redemptions_settle(order=order)
        advert_choose(order=order)  # the sponsor's advert for its free products (STX-12)
        return
    if to_status != "cancelled":
        return
    # Its uses, the quota and the customer's limit.
    for redemption in Redemption.objects.filter(order=order, status=Redemption.Status.ACTIVE):
        redemption_release(redemption=redemption, reason="order cancelled")


def adverts_for_the_lab(*, orders, **kwargs: Any) -> dict:
    """The advert chosen for each exported order (STX-12): its file goes into the lab's ZIP once."""
    from promotions.models import AdvertDecision

    decisions = AdvertDecision.objects.filter(order__in=orders, campaign__isnull=False).select_related("campaign")
    extras = {}
    for decision in decisions:  # bounded by the exported orders
        advert = decision.campaign.advert
        if not advert or not decision.campaign.advert_placement:
            continue
        name = f"adverts/campaign-{decision.campaign_id}{advert.name[advert.name.rfind('.') :]}"
        extras[decision.order_id] = {
            "advert": (name, advert.storage, advert.name),
            "advert_placement": decision.campaign.advert_placement,
        }
    return extras
