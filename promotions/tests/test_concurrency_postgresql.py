"""Redemption under real parallel connections on PostgreSQL: the database decides, never a check then a write."""

import pytest

from accounts.tests.factories import UserFactory
from orders.models import Cart
from orders.tests.test_concurrency_postgresql import at_once
from promotions.models import Campaign, CampaignUse, Code, Redemption
from promotions.services import RedemptionError, code_redeem
from promotions.tests.factories import CampaignFactory, CodeFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql_only")]


def _shoppers(count: int) -> list[tuple]:
    users = [UserFactory() for _ in range(count)]
    return [(Cart.objects.create(user=user), user) for user in users]


def _successes(results: list) -> int:
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, RedemptionError)]
    assert not unexpected, unexpected
    return sum(1 for r in results if isinstance(r, Redemption))


def test_concurrent_redemptions_of_a_single_use_code_give_exactly_one_success():
    code = CodeFactory()
    results = at_once(*[lambda c=c, u=u: code_redeem(cart=c, user=u, raw_code=code.code) for c, u in _shoppers(50)])
    assert _successes(results) == 1
    code.refresh_from_db()
    assert code.used == 1
    assert Redemption.objects.count() == 1


def test_concurrent_redemptions_never_exceed_the_campaign_quota():
    campaign = CampaignFactory(quota=5)
    codes = [CodeFactory(campaign=campaign) for _ in range(20)]
    shoppers = _shoppers(20)
    results = at_once(
        *[
            lambda c=c, u=u, k=k: code_redeem(cart=c, user=u, raw_code=k.code)
            for (c, u), k in zip(shoppers, codes, strict=True)
        ]
    )
    assert _successes(results) == 5
    assert Campaign.objects.get(pk=campaign.pk).redeemed == 5


def test_concurrent_carts_of_one_customer_keep_the_limit_per_customer():
    campaign = CampaignFactory(per_user_limit=2)
    codes = [CodeFactory(campaign=campaign) for _ in range(8)]
    user = UserFactory()
    # One customer, eight carts at once (a cart per device): the account's limit holds across them.
    carts = [Cart.objects.create(user=user if i == 0 else None, session_key=f"device{i}") for i in range(8)]
    results = at_once(
        *[lambda c=c, k=k: code_redeem(cart=c, user=user, raw_code=k.code) for c, k in zip(carts, codes, strict=True)]
    )
    assert _successes(results) == 2
    assert CampaignUse.objects.get(campaign=campaign, user=user).count == 2
    assert sum(Code.objects.filter(campaign=campaign).values_list("used", flat=True)) == 2


def test_concurrent_codes_on_one_cart_leave_one_code_on_it():
    campaign = CampaignFactory(per_user_limit=5)
    codes = [CodeFactory(campaign=campaign) for _ in range(5)]
    user = UserFactory()
    cart = Cart.objects.create(user=user)
    results = at_once(*[lambda k=k: code_redeem(cart=cart, user=user, raw_code=k.code) for k in codes])
    assert _successes(results) == 1
    assert sum(Code.objects.filter(campaign=campaign).values_list("used", flat=True)) == 1


def test_concurrent_checkouts_to_one_address_keep_the_limit_per_address():
    from orders.services.checkout import Delivery
    from promotions.models import HouseholdUse
    from promotions.services import redemption_claim_delivery

    campaign = CampaignFactory(per_address_limit=2, per_user_limit=1, review_after_accounts=None)
    shoppers = _shoppers(12)
    for (cart, user), code in zip(shoppers, [CodeFactory(campaign=campaign) for _ in shoppers], strict=True):
        code_redeem(cart=cart, user=user, raw_code=code.code)
    home = {"email": "x@example.com", "ship_name": "Emma", "ship_street": "Kerkstraat 1", "ship_postal_code": "9000",
            "ship_city": "Gent", "ship_country": "BE"}  # fmt: skip
    results = at_once(
        *[lambda c=c: redemption_claim_delivery(cart=c, delivery=Delivery(**home)) for c, _user in shoppers]
    )
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, RedemptionError)]
    assert not unexpected, unexpected
    assert sum(1 for r in results if r == "") == 2
    assert HouseholdUse.objects.get(campaign=campaign, kind="address").count == 2
