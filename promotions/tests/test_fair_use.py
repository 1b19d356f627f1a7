"""STX-9, fair use: limits per delivery address and phone number, and orders held for review.

A limit reached is explained on the checkout page and nothing is placed or
lost; a cancelled order gives its address back. Many accounts ordering a
campaign's free products to one address hold the order for staff, who can
ask the customer to confirm who they are and then release it for production.
"""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import UserFactory
from orders.models import Cart, Order, OrderEvent, OrderStatus
from orders.services.lifecycle import order_transition
from orders.tests.factories import CartLineFactory, ShippingMethodFactory, VatRateFactory
from promotions.models import Code, HouseholdUse, Redemption
from promotions.tests.factories import CampaignFactory, CodeFactory
from promotions.tests.test_codes import CHECKOUT_ADDRESS

pytestmark = pytest.mark.django_db

HOME = {key: value for key, value in CHECKOUT_ADDRESS.items() if key.startswith("ship-")}


@pytest.fixture
def shop():
    VatRateFactory(kind="print", country="BE", rate_bp=2100)
    VatRateFactory(kind="shipping", country="BE", rate_bp=2100)
    return ShippingMethodFactory(country="BE")


def checkout(client, shipping, campaign, address=HOME, **extra):
    """A new customer puts 10 prints in the cart, applies a code of ``campaign`` and checks out."""
    user = UserFactory()
    cart = Cart.objects.create(user=user)
    CartLineFactory(cart=cart, format=campaign.format, quantity=10)
    client.force_login(user)
    client.post(reverse("promotions:code_apply"), {"code": CodeFactory(campaign=campaign).code})
    page = client.post(reverse("orders:checkout"), {"email": user.email, **address, **extra, "shipping": shipping.pk})
    return user, page


def test_a_limit_per_address_is_explained_and_loses_nothing(client, shop):
    campaign = CampaignFactory(quantity=10, per_address_limit=1, review_after_accounts=None)
    first, page = checkout(client, shop, campaign)
    assert page.status_code == 302
    assert Order.objects.filter(user=first).exists()

    # The same address typed differently is the same address.
    again = {**HOME, "ship-street_address": "KERKSTRAAT  1", "ship-postal_code": " 9000"}
    second, page = checkout(client, shop, campaign, address=again)
    assert page.status_code == 200
    assert "kan 1 keer naar één adres" in page.content.decode()
    assert not Order.objects.filter(user=second).exists()
    redemption = Redemption.objects.get(user=second)
    assert redemption.status == Redemption.Status.ACTIVE  # the code stays in the cart
    assert Cart.objects.get(user=second).lines.count() == 1
    assert HouseholdUse.objects.get(campaign=campaign, kind="address").count == 1

    # Cancelling the first order gives the address back.
    order_transition(order=Order.objects.get(user=first), to=OrderStatus.CANCELLED, reason="changed my mind")
    client.force_login(second)
    page = client.post(reverse("orders:checkout"), {"email": second.email, **again, "shipping": shop.pk})
    assert page.status_code == 302
    assert Order.objects.filter(user=second).exists()


def test_a_limit_per_phone_number_whatever_its_notation(client, shop):
    campaign = CampaignFactory(quantity=10, per_phone_limit=1, review_after_accounts=None)
    _first, page = checkout(client, shop, campaign, **{"ship-phone": "0470 12 34 56"})
    assert page.status_code == 302
    elsewhere = {**HOME, "ship-street_address": "Veldstraat 9"}
    _second, page = checkout(client, shop, campaign, address=elsewhere, **{"ship-phone": "+32 470 123 456"})
    assert page.status_code == 200
    assert "telefoonnummer" in page.content.decode()


def test_checking_out_twice_counts_the_address_once(client, shop):
    campaign = CampaignFactory(quantity=5, per_address_limit=1, review_after_accounts=None)  # 5 of 10 free: paid
    user, page = checkout(client, shop, campaign)
    assert page.status_code == 302
    again = client.post(reverse("orders:checkout"), {"email": user.email, **HOME, "shipping": shop.pk})
    assert again.status_code == 302
    assert Order.objects.filter(user=user).count() == 1
    assert HouseholdUse.objects.get(campaign=campaign, kind="address").count == 1


def test_many_accounts_to_one_address_hold_the_order_for_review(
    client, shop, staff_client, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(quantity=10, review_after_accounts=2)
    first, _page = checkout(client, shop, campaign)
    assert Order.objects.get(user=first).held_at is None
    second, _page = checkout(client, shop, campaign)
    held = Order.objects.get(user=second)
    assert held.status == OrderStatus.PAID  # free, confirmed as usual
    assert held.held_at is not None
    assert "2 accounts" in held.hold_reason
    detail = client.get(reverse("orders:order_detail", args=[held.pk])).content.decode()
    assert "we controleren ze voor we ze afdrukken" in detail

    # Production waits: not in the print lab's list, and it cannot move to production.
    support = staff_client("Support")
    lab = staff_client("Print lab")
    assert held.number not in lab.get(reverse("admin:orders_laborder_changelist")).content.decode()
    with pytest.raises(ValidationError, match="wacht op controle"):
        order_transition(order=held, to=OrderStatus.IN_PRODUCTION)

    # Staff find it, ask the customer to confirm, then release it.
    listing = support.get(reverse("admin:orders_order_changelist") + "?on_hold=yes").content.decode()
    assert held.number in listing
    assert Order.objects.get(user=first).number not in listing
    mail.outbox.clear()
    changelist = reverse("admin:orders_order_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        asked = support.post(changelist, {"action": "ask_identity", "_selected_action": [held.pk]}, follow=True)
    assert "1 klant gevraagd te bevestigen" in asked.content.decode()
    (message,) = mail.outbox
    assert message.to == [held.email]
    assert "/contact/" in message.body
    assert "nooit om een kopie van je identiteitskaart" in message.body
    support.post(changelist, {"action": "release_hold", "_selected_action": [held.pk]})
    held.refresh_from_db()
    assert held.held_at is None
    assert held.number in lab.get(reverse("admin:orders_laborder_changelist")).content.decode()
    results = list(
        OrderEvent.objects.filter(order=held, kind=OrderEvent.Kind.HOLD).values_list("detail__result", flat=True)
    )
    assert results == ["held", "identity asked", "released"]


def test_a_cancelled_code_gives_its_address_and_phone_back(client, shop):
    campaign = CampaignFactory(quantity=5, per_address_limit=3, per_phone_limit=3, review_after_accounts=None)
    user, _page = checkout(client, shop, campaign, **{"ship-phone": "0470123456"})
    order = Order.objects.get(user=user)
    assert set(HouseholdUse.objects.values_list("kind", "count")) == {("address", 1), ("phone", 1)}
    order_transition(order=order, to=OrderStatus.CANCELLED, reason="changed my mind")
    assert set(HouseholdUse.objects.values_list("kind", "count")) == {("address", 0), ("phone", 0)}
    assert Code.objects.get(redemptions__order=order).used == 0


def test_many_accounts_from_one_browser_hold_the_order_for_review(client, shop):
    """STX-9's device signal: other addresses, but one browser's fair-use cookie."""
    campaign = CampaignFactory(quantity=10, review_after_accounts=2)
    first, _page = checkout(client, shop, campaign)
    assert Order.objects.get(user=first).held_at is None
    elsewhere = {**HOME, "ship-street_address": "Veldstraat 9"}
    second, _page = checkout(client, shop, campaign, address=elsewhere)
    held = Order.objects.get(user=second)
    assert held.held_at is not None
    assert held.hold_reason.endswith(f"2 accounts used codes of campaign {campaign.pk} from one device")


def test_accounts_on_different_browsers_and_addresses_are_not_held(shop):
    from django.test import Client

    campaign = CampaignFactory(quantity=10, review_after_accounts=2)
    checkout(Client(), shop, campaign)
    second, _page = checkout(Client(), shop, campaign, address={**HOME, "ship-street_address": "Veldstraat 9"})
    assert Order.objects.get(user=second).held_at is None


def test_the_device_cookie_is_set_when_a_code_is_applied_and_keeps_only_a_keyed_hash(client, shop):
    from promotions.device import COOKIE_NAME

    campaign = CampaignFactory(quantity=10, review_after_accounts=None)
    client.get(reverse("orders:cart"))
    assert COOKIE_NAME not in client.cookies  # browsing sets nothing
    user, _page = checkout(client, shop, campaign)
    cookie = client.cookies[COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["max-age"] == 365 * 24 * 3600
    redemption = Redemption.objects.get(user=user)
    assert len(redemption.device_digest) == 64
    assert cookie.value.split(":")[0] not in redemption.device_digest  # the identifier itself is not kept
    order_transition(order=Order.objects.get(user=user), to=OrderStatus.CANCELLED, reason="changed my mind")
    assert Redemption.objects.get(user=user).device_digest == ""  # given back with the code


def test_a_forged_device_cookie_counts_as_none(client, shop):
    from promotions.device import COOKIE_NAME

    campaign = CampaignFactory(quantity=10, review_after_accounts=2)
    client.cookies[COOKIE_NAME] = "same-for-everyone"
    first, _page = checkout(client, shop, campaign)
    assert Redemption.objects.get(user=first).device_digest != ""  # a real one was given instead
    assert client.cookies[COOKIE_NAME].value != "same-for-everyone"


def test_the_cookie_page_declares_the_device_cookie(client):
    from promotions.device import COOKIE_NAME

    page = client.get(reverse("privacy:cookies")).content.decode()
    assert COOKIE_NAME in page
    assert "met meerdere accounts" in page
