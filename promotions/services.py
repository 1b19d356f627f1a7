"""Writes of the promotions app: generating codes, redeeming and releasing them.

Every limit (a code's uses, a campaign's quota, a customer's limit) is
raised by one conditional ``UPDATE ... WHERE used < max_uses`` whose row
count decides, inside the redemption's transaction: never a check followed
by a separate write, which concurrent checkouts slip through.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from promotions.models import CODE_ALPHABET, CODE_LENGTH, Campaign, CampaignUse, Code, Redemption

INSERT_BATCH = 10_000


class RedemptionError(ValidationError):
    """A code that cannot be used, with the message the customer sees and a code for the reason."""


def code_normalise(raw: str) -> str:
    """Return a code as typed, upper case, without spaces or dashes."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def _draw(count: int) -> set[str]:
    base, codes = len(CODE_ALPHABET), set()
    space = base**CODE_LENGTH
    while len(codes) < count:
        number = secrets.randbelow(space)
        chars = []
        for _position in range(CODE_LENGTH):
            number, digit = divmod(number, base)
            chars.append(CODE_ALPHABET[digit])
        codes.add("".join(chars))
    return codes


def codes_generate(
    *, campaign: Campaign, count: int, max_uses: int = 1, on_progress: Callable[[int], None] | None = None
) -> int:
    """Create ``count`` new unique codes for the campaign, ``INSERT_BATCH`` a statement; return how many.

    A code that exists already is drawn again, so exactly ``count`` are
    added; each batch costs one lookup and one insert, whatever the campaign
    already holds.
    """
    if count < 1 or max_uses < 1:
        raise ValidationError(_("Enter a number of codes and of uses of at least 1."), code="count")
    added = 0
    while added < count:
        drawn = _draw(min(INSERT_BATCH, count - added))
        # A code drawn before (by this or any campaign) is left out; one drawn at the
        # same moment elsewhere fails the batch's unique constraint, and the batch is drawn again.
        drawn -= set(Code.objects.filter(code__in=drawn).values_list("code", flat=True))
        try:
            with transaction.atomic():
                Code.objects.bulk_create([Code(campaign=campaign, code=code, max_uses=max_uses) for code in drawn])
        except IntegrityError:
            continue
        added += len(drawn)
        if on_progress:
            on_progress(len(drawn))
    return added


def _refuse(message: str, code: str) -> None:
    raise RedemptionError(message, code=code)


@transaction.atomic
def code_redeem(*, cart, user, raw_code: str, site=None) -> Redemption:
    """Apply a code to a signed-in customer's cart; raise ``RedemptionError`` saying why it cannot be used.

    ``site``: the microsite the customer is on (``microsites.selectors.Site``), None in the web shop;
    a campaign says where its codes are accepted.

    The code's uses, the campaign's quota and the customer's limit are each
    raised by one conditional UPDATE; the first that fails rolls the others
    back with the transaction.
    """
    text = code_normalise(raw_code)
    if not text:
        _refuse(_("Enter a code."), "empty")
    if user is None or not user.is_authenticated:
        _refuse(_("Sign in to use a code: it is linked to your account."), "anonymous")
    code = Code.objects.select_related("campaign").filter(code=text).first()
    if code is None:
        _refuse(_("This code does not exist. Check it and try again."), "unknown")
    campaign, now = code.campaign, timezone.now()
    if now < campaign.starts_at:
        valid_from = timezone.localtime(campaign.starts_at).strftime("%d-%m-%Y")
        _refuse(_("This code is valid from %(date)s.") % {"date": valid_from}, "not_yet_valid")
    if not campaign.is_active or now >= campaign.ends_at:
        _refuse(_("This code has expired."), "expired")
    if site is None and not campaign.web_shop:
        _refuse(_("This code is only valid on the sponsor's own site."), "wrong_channel")
    if site is not None and campaign.pk not in site.campaign_ids:
        _refuse(_("This code is not valid on this site."), "wrong_channel")
    if Redemption.objects.filter(cart=cart, status=Redemption.Status.ACTIVE).exists():
        _refuse(_("Your cart already has a code. Remove it first to use another."), "cart_has_code")
    if not Code.objects.filter(pk=code.pk, used__lt=F("max_uses")).update(used=F("used") + 1):
        if code.max_uses == 1:
            _refuse(_("This code has already been used."), "used")
        _refuse(_("This code has been used as often as it may be."), "exhausted")
    use, _created = CampaignUse.objects.get_or_create(campaign=campaign, user=user)
    if not CampaignUse.objects.filter(pk=use.pk, count__lt=campaign.per_user_limit).update(count=F("count") + 1):
        _refuse(_("You have already used a code of this campaign."), "user_limit")
    try:
        with transaction.atomic():
            redemption = Redemption.objects.create(code=code, campaign=campaign, user=user, cart=cart)
    except IntegrityError:  # the same cart redeemed at the same moment elsewhere (one active code per cart)
        _refuse(_("Your cart already has a code. Remove it first to use another."), "cart_has_code")
    # The campaign's row is shared by every redemption of the campaign: raised last, so that
    # its lock is held only until the commit (``bench/codes.py``).
    claimed = Campaign.objects.filter(pk=campaign.pk)
    if campaign.quota is not None:
        claimed = claimed.filter(redeemed__lt=F("quota"))
    if not claimed.update(redeemed=F("redeemed") + 1):
        _refuse(_("All free products of this campaign have been given away."), "exhausted")
    return redemption


@transaction.atomic
def redemption_release(*, redemption: Redemption, reason: str) -> bool:
    """Give a redemption's use back to its code, campaign and customer, once; return whether it was active."""
    released = Redemption.objects.filter(pk=redemption.pk, status=Redemption.Status.ACTIVE).update(
        status=Redemption.Status.RELEASED, released_at=timezone.now(), release_reason=reason[:120]
    )
    if not released:
        return False
    Code.objects.filter(pk=redemption.code_id, used__gt=0).update(used=F("used") - 1)
    Campaign.objects.filter(pk=redemption.campaign_id, redeemed__gt=0).update(redeemed=F("redeemed") - 1)
    if redemption.user_id:
        CampaignUse.objects.filter(campaign_id=redemption.campaign_id, user_id=redemption.user_id, count__gt=0).update(
            count=F("count") - 1
        )
    return True


def redemption_attach(*, cart, order) -> int:
    """Link the cart's active code to the order placed from it, so that cancelling the order gives it back."""
    return Redemption.objects.filter(cart=cart, status=Redemption.Status.ACTIVE).update(order=order)


def redemptions_settle(*, order) -> int:
    """Tie the code of a paid order to it for good and free its cart (which is reused) for the next order."""
    mine = Q(order=order)
    if order.cart_id:
        mine |= Q(cart_id=order.cart_id, order__isnull=True)
    return Redemption.objects.filter(mine, status=Redemption.Status.ACTIVE).update(order=order, cart=None)
