"""In Chromium: land on a sponsor's microsite by its host name, redeem a code and order free prints without paying.

Host names under ``.localhost`` reach this machine in Chromium without DNS,
so the site is served by the test server at ``brand.localhost:<port>``.
Screenshots of the front page and the paid order at phone and desktop
widths go to ``screenshots/microsites/`` (not committed).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from accounts.tests.factories import UserFactory
from conftest import BrowserWatch
from microsites.tests.factories import MicrositeFactory
from orders.models import Order, OrderChannel, OrderStatus
from orders.tests.factories import FormatFactory, ProductFactory, ShippingMethodFactory, VatRateFactory
from orders.tests.test_checkout_browser import fill_delivery
from photos.tests.factories import PhotoFactory
from photoshop.hosts import AllowedHosts
from privacy import cookies, services
from promotions.models import Code
from promotions.tests.factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.e2e  # a journey in Chromium: pytest -m e2e

OUT = Path(settings.BASE_DIR) / "screenshots" / "microsites"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
HOST = "brand.localhost"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_customer_lands_on_the_microsite_redeems_a_code_and_gets_free_prints(browser, live_server, settings, device):
    # The live server copies ALLOWED_HOSTS into a plain list; the shop's own kind allows its microsites.
    settings.ALLOWED_HOSTS = AllowedHosts(settings.ALLOWED_HOSTS)
    for kind in ("print", "shipping"):
        VatRateFactory(kind=kind, country="BE", rate_bp=2100)
    fmt = FormatFactory(product=ProductFactory(slug="classic"), code="10x15", price_cents=39)
    ShippingMethodFactory(country="BE", price_cents=495, name_nl="Bpost thuislevering")
    campaign = CampaignFactory(format=fmt, quantity=20, shipping_included=True, web_shop=False)
    site = MicrositeFactory(
        host=HOST, name="Brand Prints", sponsor=campaign.sponsor, campaigns=[campaign], products=[fmt.product]
    )
    code = CodeFactory(campaign=campaign, code="BRAND4TWENTY")
    user = UserFactory()
    PhotoFactory.create_batch(2, user=user, width_px=1800, height_px=1200)

    base = f"http://{HOST}:{urlsplit(live_server.url).port}"
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=VIEWPORTS[device], locale="nl-BE")
    consent = services.cookie_consent_record(categories=set(), previous=None).cookie_value()
    context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
             "url": base},
            {"name": cookies.COOKIE_NAME, "value": consent, "url": base},
        ]
    )  # fmt: skip
    OUT.mkdir(parents=True, exist_ok=True)
    watch = BrowserWatch(context)
    page = context.new_page()
    try:
        page.goto(base + "/")
        assert page.title().endswith("· Brand Prints")
        assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()") == (
            "#7a1f5c"
        )
        page.screenshot(path=str(OUT / f"landing-{device}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.fill("#promo-code", "brand-4twenty")  # as typed from the flyer: lower case, a dash
        page.get_by_role("button", name="Code gebruiken").click()
        page.wait_for_url(f"{base}/shop/cart/")
        assert "BRAND4TWENTY" in page.content()

        page.goto(base + "/photos/")
        boxes = page.locator("input[name=photos]")
        boxes.nth(0).check()
        boxes.nth(1).check()
        page.get_by_role("button", name="Bestel afdrukken hiervan").click()
        page.wait_for_url(f"{base}/shop/cart/")
        assert page.title().endswith("· Brand Prints")  # the sponsor's site throughout
        page.get_by_role("link", name="Afrekenen").click()
        assert page.title().endswith("· Brand Prints")
        fill_delivery(page)
        page.get_by_role("button", name="Bestellen en betalen").click()
        page.wait_for_url(f"{base}/shop/account/orders/**")
        assert "Bedankt! Je bestelling is bevestigd." in page.content()
        assert page.title().endswith("· Brand Prints")
        page.screenshot(path=str(OUT / f"order-{device}.png"), full_page=True)
    finally:
        context.close()
    assert watch.problems() == {"errors": [], "outside": []}

    order = Order.objects.get(user=user)
    assert order.status == OrderStatus.PAID  # nothing to pay: no payment page, no Stripe
    assert order.total_cents == 0
    assert (order.channel, order.microsite_id) == (OrderChannel.MICROSITE, site.pk)
    assert not order.payments.exists()
    assert Code.objects.get(pk=code.pk).used == 1
