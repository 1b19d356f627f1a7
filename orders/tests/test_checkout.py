"""Checkout as a shopper sees it: addresses, shipping, VAT per rate, one order per cart, the free path."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import AddressFactory, UserFactory
from orders.models import Cart, Order, OrderEvent, OrderStatus
from orders.services.checkout import Delivery, Discount, order_place
from orders.tests.factories import (
    CartLineFactory,
    FormatFactory,
    ProductFactory,
    ShippingMethodFactory,
    VatRateFactory,
)

pytestmark = pytest.mark.django_db


def en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def shop():
    for kind, country, rate in [
        ("print", "BE", 2100),
        ("print", "NL", 2100),
        ("photo_book", "BE", 600),
        ("photo_book", "NL", 900),
        ("shipping", "BE", 2100),
        ("shipping", "NL", 2100),
    ]:
        VatRateFactory(kind=kind, country=country, rate_bp=rate)
    prints = FormatFactory(product=ProductFactory(slug="classic"), code="10x15", price_cents=39)
    be = ShippingMethodFactory(code="bpost", country="BE", price_cents=495)
    nl = ShippingMethodFactory(code="postnl", country="NL", price_cents=595, name_en="PostNL")
    return {"prints": prints, "be": be, "nl": nl}


def _cart(user, fmt, quantity=10):
    cart, _created = Cart.objects.get_or_create(user=user)
    CartLineFactory(cart=cart, format=fmt, quantity=quantity)
    return cart


def _address(**extra):
    data = {
        "email": "guest@example.com",
        "ship-full_name": "Emma Janssens",
        "ship-street_address": "Kerkstraat 1",
        "ship-postal_code": "9000",
        "ship-city": "Gent",
        "ship-country": "BE",
    }
    data.update(extra)
    return data


def test_checkout_places_the_order_with_snapshots_and_vat_per_rate(client, shop):
    user = UserFactory()
    _cart(user, shop["prints"], quantity=10)
    client.force_login(user)
    page = client.post(en("orders:checkout"), _address(shipping=shop["be"].pk))
    order = Order.objects.get()
    assert page.status_code == 302
    assert page["Location"] == en("orders:order_pay", order.pk)
    assert order.user == user
    assert order.email == user.email  # the account's address, not what the form posted
    assert (order.ship_name, order.ship_postal_code, order.ship_country.code) == ("Emma Janssens", "9000", "BE")
    assert order.items_cents == 390
    assert order.shipping_cents == 495
    assert order.total_cents == 885
    assert order.vat_cents == 154  # 885 at 21%, VAT included
    line = order.lines.get()
    assert (line.product_name, line.format_code, line.quantity, line.unit_price_cents) == (
        "Classic prints",
        "10x15",
        10,
        39,
    )
    assert order.events.filter(kind=OrderEvent.Kind.PLACED).count() == 1


def test_a_dutch_postal_code_is_checked_for_the_netherlands_and_nothing_is_lost(client, shop):
    user = UserFactory()
    cart = _cart(user, shop["prints"])
    client.force_login(user)
    page = client.post(
        en("orders:checkout"),
        _address(**{"ship-country": "NL", "ship-postal_code": "90000"}, shipping=shop["nl"].pk),
    )
    assert page.status_code == 200
    assert not Order.objects.exists()
    assert cart.lines.count() == 1
    assert 'value="Kerkstraat 1"' in page.content.decode()


def test_shipping_must_go_to_the_delivery_country(client, shop):
    user = UserFactory()
    _cart(user, shop["prints"])
    client.force_login(user)
    page = client.post(en("orders:checkout"), _address(shipping=shop["nl"].pk))
    assert page.status_code == 200
    assert "This shipping method does not deliver to the country of the address." in page.content.decode()
    assert not Order.objects.exists()


def test_a_saved_address_is_used_and_the_guest_email_is_required(client, shop):
    user = UserFactory()
    AddressFactory(user=user, kind="delivery", is_default=True, country="NL", postal_code="1012 AB")
    _cart(user, shop["prints"])
    client.force_login(user)
    saved = user.addresses.get()
    client.post(en("orders:checkout"), {"saved_address": saved.pk, "shipping": shop["nl"].pk})
    order = Order.objects.get()
    assert order.ship_country.code == "NL"
    assert order.ship_postal_code == "1012 AB"


def test_a_guest_checks_out_with_an_email_address(client, shop):
    from orders.services.cart import cart_for_request_create

    session = client.session
    session["photos_visitor_key"] = "g" * 40
    session.save()
    from photos.tests.factories import PhotoFactory

    photo = PhotoFactory(user=None, session_key="g" * 40)
    cart = Cart.objects.create(session_key="g" * 40)
    CartLineFactory(cart=cart, photo=photo, format=shop["prints"])
    assert cart_for_request_create  # the visitor's cart is the session's
    page = client.post(en("orders:checkout"), _address(email="", shipping=shop["be"].pk))
    assert "This field is required." in page.content.decode()
    client.post(en("orders:checkout"), _address(shipping=shop["be"].pk))
    order = Order.objects.get()
    assert order.user is None
    assert order.email == "guest@example.com"
    # The guest can open the payment page of the order they placed; anyone else cannot.
    assert client.get(en("orders:order_pay", order.pk)).status_code in (200, 503)
    other = client.__class__()
    assert other.get(en("orders:order_pay", order.pk)).status_code == 404


def test_checking_out_one_cart_twice_makes_one_order(client, shop):
    user = UserFactory()
    _cart(user, shop["prints"], quantity=2)
    client.force_login(user)
    client.post(en("orders:checkout"), _address(shipping=shop["be"].pk))
    client.post(
        en("orders:checkout"), _address(**{"ship-city": "Brugge", "ship-postal_code": "8000"}, shipping=shop["be"].pk)
    )
    order = Order.objects.get()
    assert order.ship_city == "Brugge"
    assert order.lines.count() == 1


def test_another_users_payment_page_is_a_404(client, shop):
    user = UserFactory()
    _cart(user, shop["prints"])
    client.force_login(user)
    client.post(en("orders:checkout"), _address(shipping=shop["be"].pk))
    order = Order.objects.get()
    client.force_login(UserFactory())
    assert client.get(en("orders:order_pay", order.pk)).status_code == 404
    assert client.get(en("orders:order_return", order.pk)).status_code == 404


def test_without_stripe_keys_the_payment_page_says_payments_are_unavailable(client, shop, settings):
    settings.STRIPE_SECRET_KEY = ""
    user = UserFactory()
    _cart(user, shop["prints"])
    client.force_login(user)
    client.post(en("orders:checkout"), _address(shipping=shop["be"].pk))
    page = client.get(en("orders:order_pay", Order.objects.get().pk))
    assert page.status_code == 503
    assert "Online payment is not available right now" in page.content.decode()


def _delivery(country="BE"):
    return Delivery(
        email="emma@example.com",
        ship_name="Emma",
        ship_street="Kerkstraat 1",
        ship_postal_code="9000",
        ship_city="Gent",
        ship_country=country,
    )


def test_an_order_fully_covered_by_a_discount_is_paid_without_stripe(shop, settings, mailoutbox):
    settings.STRIPE_SECRET_KEY = ""  # never asked
    free = ShippingMethodFactory(code="pickup", country="BE", price_cents=0)
    user = UserFactory()
    cart = _cart(user, shop["prints"], quantity=1)
    order = order_place(
        cart=cart,
        user=user,
        delivery=_delivery(),
        shipping=free,
        language="nl",
        discounts=[Discount("Sponsor", "promo:TEST", -10_000)],
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert (order.total_cents, order.vat_cents, order.discount_cents) == (0, 0, -39)
    assert order.discounts.get().amount_cents == -39
    assert not cart.lines.exists()


def test_a_discount_never_covers_shipping_for_free_path_unless_it_does(shop):
    user = UserFactory()
    cart = _cart(user, shop["prints"], quantity=1)
    order = order_place(
        cart=cart,
        user=user,
        delivery=_delivery(),
        shipping=shop["be"],
        language="nl",
        discounts=[Discount("Sponsor: the prints", "promo:TEST", -39)],
    )
    assert order.status == OrderStatus.PLACED
    assert order.total_cents == 495  # shipping is still paid


def test_the_checkout_page_queries_are_bounded(client, shop, django_assert_max_num_queries):
    user = UserFactory()
    for _ in range(10):
        _cart(user, shop["prints"])
    client.force_login(user)
    with django_assert_max_num_queries(20):
        assert client.get(en("orders:checkout")).status_code == 200
