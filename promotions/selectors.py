"""Reads of the promotions app."""

from __future__ import annotations

import datetime
import re

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from accounts.selectors import wants_service_messages
from promotions.models import Campaign, EligibilityField, Redemption


def active_redemption(*, cart) -> Redemption | None:
    """Return the code applied to the cart, if any."""
    if cart is None or cart.pk is None:
        return None
    return (
        Redemption.objects.select_related("code", "campaign__format__product", "campaign__sponsor")
        .filter(cart=cart, status=Redemption.Status.ACTIVE)
        .first()
    )


def redemption_discount_cents(*, redemption: Redemption, view, shipping_cents: int | None) -> int:
    """Return what the code takes off (zero or negative cents, VAT included) for this cart and shipping.

    The campaign's format is free up to its quantity, the dearest units
    first (a finish's surcharge stays paid); shipping too when included.
    """
    campaign = redemption.campaign
    prices = sorted(
        ((item.line.format.price_cents, item.line.quantity) for item in view.lines
         if item.line.format_id == campaign.format_id),
        reverse=True,
    )  # fmt: skip
    amount, left = 0, campaign.quantity
    for price, quantity in prices:
        taken = min(quantity, left)
        amount, left = amount + price * taken, left - taken
    if campaign.shipping_included and shipping_cents:
        amount += shipping_cents
    return -amount


def redemption_label(redemption: Redemption) -> str:
    """Return how the discount reads on the order and invoice."""
    campaign = redemption.campaign
    return _("%(quantity)s x %(format)s free, offered by %(sponsor)s (code %(code)s)") % {
        "quantity": campaign.quantity,
        "format": campaign.format.name,
        "sponsor": campaign.sponsor.name,
        "code": redemption.code.code,
    }


def code_normalise(raw: str) -> str:
    """Return a code as typed, upper case, without spaces or dashes."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def eligibility_fields_of(raw_code: str) -> list[EligibilityField]:
    """Return the details the campaign of a code asks for (STX-8), in their order; none for an unknown code."""
    return list(EligibilityField.objects.filter(campaign__codes__code=code_normalise(raw_code)))


def campaign_of(raw_code: str) -> Campaign | None:
    """Return the campaign of a code, with its sponsor, or None for an unknown code."""
    return Campaign.objects.select_related("sponsor").filter(codes__code=code_normalise(raw_code)).first()


# STX-7: a code in a cart is reminded this long before its campaign ends.
EXPIRY_REMINDER_BEFORE = datetime.timedelta(days=3)


def redemptions_expiring(*, now: datetime.datetime) -> QuerySet[Redemption]:
    """Return the codes left in an account's cart whose campaign ends within 3 days, not reminded yet.

    Only to people who did not turn service messages off, at an address they confirmed.
    """
    return (
        Redemption.objects.filter(
            status=Redemption.Status.ACTIVE,
            order__isnull=True,
            reminded_at__isnull=True,
            user__is_active=True,
            user__closed_at__isnull=True,
            campaign__ends_at__gt=now,
            campaign__ends_at__lte=now + EXPIRY_REMINDER_BEFORE,
        )
        .filter(wants_service_messages(OuterRef("user")))
        .filter(Exists(EmailAddress.objects.filter(user=OuterRef("user"), verified=True, primary=True)))
    )
