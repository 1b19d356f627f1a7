"""The shop in Chromium: tick photos in the gallery, build a cart, check out, and see the order turn paid.

Stripe.js cannot load on this closed network, so the card is confirmed through
localstripe's API (as Stripe.js would); the order then turns paid only from
localstripe's own signed webhook to the running site. Screenshots of the cart,
checkout and payment pages at phone and desktop widths go to
``screenshots/shop/`` (not committed).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import stripe
from django.conf import settings
from django.test import Client

from accounts.tests.factories import UserFactory
from conftest import localstripe_webhook
from orders.models import Order, OrderStatus
from orders.tests.factories import FormatFactory, ProductFactory, ShippingMethodFactory, VatRateFactory
from photos.tests.factories import PhotoFactory

pytestmark = pytest.mark.e2e  # a journey in Chromium: pytest -m e2e

OUT = Path(settings.BASE_DIR) / "screenshots" / "shop"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def fill_delivery(page) -> None:
    """Fill the checkout page's delivery address in Belgium and choose the first shipping method."""
    page.fill("#id_ship-full_name", "Emma Janssens")
    page.fill("#id_ship-street_address", "Kerkstraat 1")
    page.fill("#id_ship-postal_code", "9000")
    page.fill("#id_ship-city", "Gent")
    page.select_option("#id_ship-country", "BE")
    page.locator("input[name=shipping]").first.check()


def _signed_in(browser, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, locale="nl-BE")
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    return context


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_pick_photos_build_a_cart_check_out_and_see_the_order_paid(browser, live_server, stripe_settings, device):
    for kind in ("print", "shipping"):
        VatRateFactory(kind=kind, country="BE", rate_bp=2100)
    FormatFactory(product=ProductFactory(slug="classic"), code="10x15", price_cents=39)
    ShippingMethodFactory(country="BE", price_cents=495, name_nl="Bpost thuislevering")
    user = UserFactory()
    PhotoFactory.create_batch(3, user=user, width_px=1800, height_px=1200)
    localstripe_webhook(
        stripe_settings.STRIPE_API_BASE, "browser", live_server.url + "/payments/stripe/webhook/",
        stripe_settings.STRIPE_WEBHOOK_SECRET,
    )  # fmt: skip
    OUT.mkdir(parents=True, exist_ok=True)
    context = _signed_in(browser, live_server, user, VIEWPORTS[device])
    page = context.new_page()
    try:
        page.goto(live_server.url + "/photos/")
        boxes = page.locator("input[name=photos]")
        assert boxes.count() == 3
        boxes.nth(0).check()
        boxes.nth(1).check()
        page.get_by_role("button", name="Bestel afdrukken hiervan").click()
        page.wait_for_url("**/shop/cart/")
        assert "€ 0,78" in page.content()
        page.screenshot(path=str(OUT / f"cart-{device}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.get_by_role("link", name="Afrekenen").click()
        fill_delivery(page)
        page.screenshot(path=str(OUT / f"checkout-{device}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.get_by_role("button", name="Bestellen en betalen").click()
        page.wait_for_url("**/pay/")
        page.screenshot(path=str(OUT / f"pay-{device}.png"), full_page=True)
        order = Order.objects.get(user=user)
        assert order.total_cents == 78 + 495
        assert order.payment_intent_id in page.content()  # the client secret starts with the intent's id
        # What Stripe.js does on "Pay": confirm the intent with the card.
        client = stripe.StripeClient(stripe_settings.STRIPE_SECRET_KEY,
                                     base_addresses={"api": stripe_settings.STRIPE_API_BASE})  # fmt: skip
        client.v1.payment_intents.update(order.payment_intent_id, params={"payment_method": "pm_card_visa"})
        client.v1.payment_intents.confirm(order.payment_intent_id)
        page.goto(live_server.url + f"/shop/orders/{order.pk}/return/")
        for _ in range(50):
            if "Bedankt!" in page.content():
                break
            time.sleep(0.2)
            page.reload()
        page.screenshot(path=str(OUT / f"paid-{device}.png"), full_page=True)
        assert "Bedankt!" in page.content()
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
    finally:
        context.close()
        localstripe_webhook(stripe_settings.STRIPE_API_BASE, "browser")  # off again
