"""Promo codes: generation, redemption with a clear message for every refusal, release, and the free order."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from orders.models import Cart, Order, OrderStatus
from orders.selectors.cart import cart_view
from orders.services.lifecycle import order_transition
from orders.tests.factories import CartLineFactory, ShippingMethodFactory, VatRateFactory
from orders.views.checkout import code_discounts
from promotions.models import CODE_ALPHABET, CODE_LENGTH, Campaign, CampaignUse, Code, Redemption
from promotions.selectors import active_redemption
from promotions.services import RedemptionError, code_redeem, codes_generate
from promotions.tests.factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


CHECKOUT_ADDRESS = {
    "email": "emma@example.com",
    "ship-full_name": "Emma Janssens",
    "ship-street_address": "Kerkstraat 1",
    "ship-postal_code": "9000",
    "ship-city": "Gent",
    "ship-country": "BE",
}


@pytest.fixture
def cart():
    VatRateFactory(kind="print", country="BE", rate_bp=2100)
    VatRateFactory(kind="shipping", country="BE", rate_bp=2100)
    return Cart.objects.create(user=UserFactory())


def _refusal(**kwargs) -> str:
    with pytest.raises(RedemptionError) as info:
        code_redeem(**kwargs)
    return info.value.code


def test_a_code_is_valid_until_the_last_moment_of_its_campaign(cart):
    code = CodeFactory()
    with time_machine.travel(code.campaign.ends_at - datetime.timedelta(seconds=1)):
        assert code_redeem(cart=cart, user=cart.user, raw_code=code.code).pk


def test_generated_codes_are_unique_unambiguous_and_as_many_as_asked():
    campaign = CampaignFactory()
    assert codes_generate(campaign=campaign, count=2500, max_uses=1) == 2500
    codes = list(Code.objects.filter(campaign=campaign).values_list("code", flat=True))
    assert len(set(codes)) == 2500
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01OIL25SZ8B") & set("".join(codes))


def test_a_code_is_applied_to_the_cart_and_typed_loosely(cart):
    code = CodeFactory(code="ABCD3EFG4H")
    redemption = code_redeem(cart=cart, user=cart.user, raw_code=" abcd-3efg 4h ")
    assert redemption.code == code
    assert active_redemption(cart=cart) == redemption
    code.refresh_from_db()
    assert code.used == 1
    assert code.campaign.redeemed == 1


def test_every_refusal_says_why(cart):
    other = Cart.objects.create(user=UserFactory())
    assert _refusal(cart=cart, user=cart.user, raw_code="") == "empty"
    assert _refusal(cart=cart, user=None, raw_code="X") == "anonymous"
    assert _refusal(cart=cart, user=cart.user, raw_code="NOPE") == "unknown"
    later = CodeFactory(campaign=CampaignFactory(starts_at=timezone.now() + datetime.timedelta(days=2)))
    assert _refusal(cart=cart, user=cart.user, raw_code=later.code) == "not_yet_valid"
    ending = CodeFactory()
    with time_machine.travel(ending.campaign.ends_at):
        assert _refusal(cart=cart, user=cart.user, raw_code=ending.code) == "expired"
    microsite_only = CodeFactory(campaign=CampaignFactory(web_shop=False))
    assert _refusal(cart=cart, user=cart.user, raw_code=microsite_only.code) == "wrong_channel"
    single = CodeFactory()
    code_redeem(cart=other, user=other.user, raw_code=single.code)
    assert _refusal(cart=cart, user=cart.user, raw_code=single.code) == "used"
    code_redeem(cart=cart, user=cart.user, raw_code=CodeFactory().code)
    assert _refusal(cart=cart, user=cart.user, raw_code=CodeFactory().code) == "cart_has_code"


def test_the_quota_and_the_limit_per_customer_hold_and_a_refusal_changes_nothing(cart):
    campaign = CampaignFactory(quota=1)
    first, second = CodeFactory(campaign=campaign), CodeFactory(campaign=campaign)
    code_redeem(cart=cart, user=cart.user, raw_code=first.code)
    other = Cart.objects.create(user=UserFactory())
    assert _refusal(cart=other, user=other.user, raw_code=second.code) == "exhausted"
    second.refresh_from_db()
    assert second.used == 0  # rolled back with the refusal

    limited = CampaignFactory(per_user_limit=1)
    a, b = CodeFactory(campaign=limited), CodeFactory(campaign=limited)
    shopper = UserFactory()
    code_redeem(cart=Cart.objects.create(user=shopper), user=shopper, raw_code=a.code)
    Cart.objects.filter(user=shopper).delete()
    assert _refusal(cart=Cart.objects.create(user=shopper), user=shopper, raw_code=b.code) == "user_limit"
    assert CampaignUse.objects.get(campaign=limited, user=shopper).count == 1


def test_a_shared_code_serves_its_number_of_uses():
    code = CodeFactory(max_uses=2)
    for _ in range(2):
        user = UserFactory()
        code_redeem(cart=Cart.objects.create(user=user), user=user, raw_code=code.code)
    user = UserFactory()
    assert _refusal(cart=Cart.objects.create(user=user), user=user, raw_code=code.code) == "exhausted"


def _checkout_with_code(client, cart, code: Code) -> Order:
    """Apply the code on the cart page and check out on the checkout page, as the customer does."""
    client.force_login(cart.user)
    client.post(reverse("promotions:code_apply"), {"code": code.code})
    shipping = ShippingMethodFactory(country="BE")
    client.post(reverse("orders:checkout"), {**CHECKOUT_ADDRESS, "shipping": shipping.pk})
    return Order.objects.get(user=cart.user)


def test_a_code_with_shipping_makes_the_order_free_and_it_is_paid_without_stripe(client, cart):
    campaign = CampaignFactory(quantity=20, shipping_included=True)
    CartLineFactory(cart=cart, format=campaign.format, quantity=20)
    code = CodeFactory(campaign=campaign)
    client.force_login(cart.user)
    page = client.post(reverse("promotions:code_apply"), {"code": code.code}, follow=True)
    assert code.code in page.content.decode()  # the cart shows the code applied
    order = _checkout_with_code(client, cart, code)
    assert order.total_cents == 0
    assert order.status == OrderStatus.PAID
    assert order.discounts.get().source == f"promo:{code.code}"
    # The code stays with the paid order; the cart, reused for the next order, has none.
    assert Redemption.objects.get(code=code).order == order
    assert active_redemption(cart=cart) is None
    CartLineFactory(cart=cart, format=campaign.format, quantity=20)
    assert code_discounts(cart=cart, view=cart_view(cart), shipping=ShippingMethodFactory(country="BE")) == []


def test_cancelling_the_order_gives_the_code_back_once(client, cart):
    campaign = CampaignFactory(quantity=5, shipping_included=False)
    CartLineFactory(cart=cart, format=campaign.format, quantity=10)
    code = CodeFactory(campaign=campaign)
    order = _checkout_with_code(client, cart, code)
    assert order.status == OrderStatus.PLACED
    assert order.discount_cents == -5 * campaign.format.price_cents  # five of ten prints free, shipping paid
    order_transition(order=order, to=OrderStatus.CANCELLED, reason="changed my mind")
    order_transition(order=order, to=OrderStatus.CANCELLED, allow_same=True)  # a repeated click
    code.refresh_from_db()
    assert code.used == 0
    assert Campaign.objects.get(pk=campaign.pk).redeemed == 0
    redemption = Redemption.objects.get(order=order)
    assert redemption.status == Redemption.Status.RELEASED
    assert redemption.release_reason == "order cancelled"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


def test_guessing_codes_is_rate_limited(client, cart):
    client.force_login(cart.user)
    CartLineFactory(cart=cart)
    for _ in range(10):
        client.post(reverse("promotions:code_apply"), {"code": "WRONG"})
    response = client.post(reverse("promotions:code_apply"), {"code": CodeFactory().code}, follow=True)
    assert "Too many codes tried" in response.content.decode() or "Te veel" in response.content.decode()
    assert not Redemption.objects.exists()


def test_valid_codes_never_count_as_guesses_even_from_one_campus_address(client, cart):
    """A student council hands out codes on campus: one network address, many students, no refusal."""
    campaign = CampaignFactory(quota=None, per_user_limit=1)
    for _ in range(15):
        student = UserFactory()
        CartLineFactory(cart=Cart.objects.create(user=student))
        client.force_login(student)
        code = CodeFactory(campaign=campaign)
        page = client.post(
            reverse("promotions:code_apply"), {"code": code.code}, REMOTE_ADDR="198.51.100.9", follow=True
        )
        assert "Te veel codes geprobeerd" not in page.content.decode()
    assert Redemption.objects.filter(status=Redemption.Status.ACTIVE).count() == 15


def test_the_guessing_limit_counts_refused_codes_only(client, cart):
    client.force_login(cart.user)
    CartLineFactory(cart=cart)
    for _ in range(9):
        client.post(reverse("promotions:code_apply"), {"code": "WRONG"})
    page = client.post(reverse("promotions:code_apply"), {"code": CodeFactory().code}, follow=True)
    assert "Te veel codes geprobeerd" not in page.content.decode()  # nine wrong ones: the tenth try still goes
    assert Redemption.objects.count() == 1


def test_guessing_from_one_address_with_several_accounts_is_rate_limited(client, cart):
    CartLineFactory(cart=cart)
    for _ in range(5):
        other = UserFactory()
        Cart.objects.create(user=other)
        client.force_login(other)
        for _try in range(2):
            client.post(reverse("promotions:code_apply"), {"code": "WRONG"}, REMOTE_ADDR="198.51.100.7")
    client.force_login(cart.user)
    page = client.post(
        reverse("promotions:code_apply"), {"code": CodeFactory().code}, REMOTE_ADDR="198.51.100.7", follow=True
    )
    assert "Te veel codes geprobeerd" in page.content.decode()
    assert not Redemption.objects.exists()
