"""A shopper's whole journey in Chromium, in Dutch, French and English, against the live site.

Cookie banner (refuse all, then accept statistics), sign up and verify the
e-mail address, upload five photos (one too small for a poster, one not a
photo), prints and a poster in the cart, checkout, payment (the card is
confirmed through localstripe's API as Stripe.js would; the order turns paid
from localstripe's own signed webhook), the order and its confirmation
e-mail, the invoice, a copy of one's data, and closing the account with
erasure. Every page is checked for console errors, and no request may leave
loopback. Screenshots of the key pages go to ``screenshots/journey/``.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
import stripe
from django.conf import settings
from django.core import mail

from accounts.models import User
from conftest import BrowserWatch, eventually, localstripe_webhook
from orders.demo import seed_catalogue
from orders.models import Format, Order, OrderStatus
from photos.models import Photo
from photos.tests import images
from privacy.models import CookieConsent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OUT = Path(settings.BASE_DIR) / "screenshots" / "journey"
PASSWORD = "a-Journey-through-2026"
PREFIX = {"nl": "", "fr": "fr/", "en": "en/"}


def wait_for_mail(address: str, text: str, *, in_body: bool = False, seconds: float = 30):
    """Return the one e-mail to ``address`` with ``text`` in its subject (or body), waiting for the live server."""
    deadline = time.monotonic() + seconds
    while True:
        found = [m for m in mail.outbox if address in m.to and text in (m.body if in_body else m.subject)]
        if found or time.monotonic() > deadline:
            assert len(found) == 1, [m.subject for m in mail.outbox]
            return found[0]
        time.sleep(0.2)


def link_in(message, pattern: str) -> str:
    return re.search(pattern, message.body).group(1)


@pytest.fixture
def shop(stripe_settings, localstripe_url, live_server):
    seed_catalogue()
    # Stripe.js from localstripe (its fake one has no Payment Element: the card is confirmed through the API).
    stripe_settings.STRIPE_JS_URL = f"{localstripe_url}/js.stripe.com/v3/"
    policy = json.loads(json.dumps(settings.CONTENT_SECURITY_POLICY))
    policy["DIRECTIVES"]["script-src"].append(localstripe_url)
    policy["DIRECTIVES"].setdefault("connect-src", ["'self'"]).append(localstripe_url)
    stripe_settings.CONTENT_SECURITY_POLICY = policy
    localstripe_webhook(
        localstripe_url,
        "journey",
        live_server.url + "/payments/stripe/webhook/",
        stripe_settings.STRIPE_WEBHOOK_SECRET,
    )
    yield stripe_settings
    localstripe_webhook(localstripe_url, "journey")  # off again


def _files() -> list[dict]:
    return [
        {"name": "beach.jpg", "mimeType": "image/jpeg", "buffer": images.jpeg(1800, 1200, seed=11)},
        {"name": "dunes.jpg", "mimeType": "image/jpeg", "buffer": images.jpeg(1800, 1200, seed=12)},
        {"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": images.jpeg(3200, 2400, seed=13)},
        {"name": "tiny.jpg", "mimeType": "image/jpeg", "buffer": images.jpeg(640, 480, seed=14)},
        {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"a shopping list, not a photo"},
    ]


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_a_shopper_goes_from_the_first_visit_to_closing_the_account(browser, live_server, shop, language):
    OUT.mkdir(parents=True, exist_ok=True)
    base = f"{live_server.url}/{PREFIX[language]}"
    email = f"journey-{language}@example.com"
    context = browser.new_context(
        cookie_choice=False, locale={"nl": "nl-BE", "fr": "fr-BE", "en": "en-GB"}[language],
        viewport={"width": 1280, "height": 900}, accept_downloads=True,
    )  # fmt: skip
    context.set_default_timeout(20_000)
    watch = BrowserWatch(context)
    page = context.new_page()

    def shot(name: str) -> None:
        page.screenshot(path=str(OUT / f"{language}-{name}.png"), full_page=True)

    try:
        # First visit: the banner asks; refuse all, then accept statistics on the cookie page.
        page.goto(base)
        banner = page.locator("[data-cookie-form]").first
        banner.wait_for()
        shot("01-first-visit")
        banner.locator("button[value=refuse]").click()
        banner.wait_for(state="hidden")  # the banner goes; the choice is saved in the background
        assert eventually(lambda: CookieConsent.objects.count() == 1)
        page.goto(base + "privacy/cookies/")
        page.check("main input[name=categories][value=statistics]")
        page.locator("main form[data-cookie-form] button[value=save]").click()
        assert eventually(lambda: CookieConsent.objects.count() == 2)  # sent in the background
        assert CookieConsent.objects.order_by("-given_at").first().categories == ["statistics"]

        # Sign up and verify the address from the e-mail.
        page.goto(base + "accounts/signup/")
        page.fill("input[name=email]", email)
        page.fill("input[name=password1]", PASSWORD)
        page.fill("input[name=password2]", PASSWORD)
        page.locator("form:has(input[name=password1]) button[type=submit]").click()
        page.wait_for_load_state()
        shot("02-verify-your-address")
        (message,) = [m for m in mail.outbox if email in m.to]
        page.goto(live_server.url + link_in(message, r"https?://[^/\s]+(/\S*confirm-email/\S+/)"))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        user = User.objects.get(email=email)
        assert user.emailaddress_set.get().verified

        # Five photos: three good ones, one too small for a poster, one not a photo.
        page.goto(base + "photos/")
        page.set_input_files("#id_files", _files())
        page.click("form.dropzone button[type=submit]")
        results = page.locator(".upload-results li")
        results.nth(4).wait_for()
        page.locator(".upload-results li.success").nth(3).wait_for()
        assert page.locator(".upload-results li.error").count() == 1
        assert "notes.jpg" in page.locator(".upload-results li.error").inner_text()
        page.locator(".upload-results li.success img.upload-thumb").nth(3).wait_for()
        shot("03-uploaded")
        page.click(".upload-done a")
        page.wait_for_load_state()
        assert page.locator(".photo-grid li.photo").count() == 4
        photos = {p.filename: p for p in Photo.objects.filter(user=user)}
        assert set(photos) == {"beach.jpg", "dunes.jpg", "harbour.jpg", "tiny.jpg"}
        assert all(p.status == Photo.Status.READY for p in photos.values())

        def order_as(names: list[str], fmt: Format) -> None:
            page.goto(base + "photos/")
            for name in names:
                page.check(f"input[name=photos][value='{photos[name].pk}']")
            page.select_option("#id_order_format", str(fmt.pk))
            page.locator("#order-form button[type=submit]").click()
            page.wait_for_url("**/shop/cart/")

        prints = Format.objects.get(code="10x15", product__slug="classic-prints")
        poster = Format.objects.get(code="30x40")
        order_as(["beach.jpg", "dunes.jpg"], prints)
        order_as(["tiny.jpg"], poster)
        refused = page.locator(".cart-line--refused")
        assert refused.count() == 1  # too small for a poster: said before paying
        shot("04-cart-refused")
        refused.locator("form[action$='/remove/'] button").click()
        page.wait_for_url("**/shop/cart/")
        order_as(["harbour.jpg"], poster)
        assert page.locator(".cart-line--refused").count() == 0
        assert page.locator(".cart-line").count() == 3
        shot("05-cart")

        # Checkout and payment.
        page.locator("a[href$='/shop/checkout/']").first.click()
        page.fill("#id_ship-full_name", "Emma Janssens")
        page.fill("#id_ship-street_address", "Kerkstraat 1")
        page.fill("#id_ship-postal_code", "9000")
        page.fill("#id_ship-city", "Gent")
        page.select_option("#id_ship-country", "BE")
        page.locator("input[name=shipping]").first.check()
        shot("06-checkout")
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_url("**/pay/")
        shot("07-pay")
        order = Order.objects.get(user=user)
        client = stripe.StripeClient(shop.STRIPE_SECRET_KEY, base_addresses={"api": shop.STRIPE_API_BASE})
        client.v1.payment_intents.update(order.payment_intent_id, params={"payment_method": "pm_card_visa"})
        client.v1.payment_intents.confirm(order.payment_intent_id)
        page.goto(f"{base}shop/orders/{order.pk}/return/")
        assert eventually(lambda: Order.objects.get(pk=order.pk).status == OrderStatus.PAID)  # by the webhook only
        order.refresh_from_db()
        page.reload()
        assert order.number in page.content()
        shot("08-paid")
        confirmation = wait_for_mail(email, order.number)  # sent by the webhook's work after its commit
        assert order.number in confirmation.body

        # The order page and its invoice.
        page.goto(f"{base}shop/account/orders/{order.pk}/")
        shot("09-order")
        with page.expect_download() as download:
            page.locator("a[href*='/shop/invoices/']").first.click()
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

        # A copy of my data: asked on the page, linked in an e-mail, a ZIP with my account in it.
        page.goto(base + "privacy/my-data/")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        shot("10-my-data")
        ready = wait_for_mail(email, "/my-data/download/", in_body=True)
        path = link_in(ready, r"https?://[^/\s]+(/\S+/my-data/download/\S+/)")
        answer = context.request.get(live_server.url + path)
        assert answer.status == 200
        with zipfile.ZipFile(io.BytesIO(answer.body())) as archive:
            assert any(email in archive.read(name).decode(errors="ignore") for name in archive.namelist()
                       if name.endswith(".json"))  # fmt: skip

        # Close the account and erase it.
        page.goto(base + "accounts/close/")
        page.check("input[name=choice][value=erase]")
        page.fill("input[name=password]", PASSWORD)
        shot("11-close")
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_load_state()
        shot("12-closed")
        user.refresh_from_db()
        assert not user.is_active
        assert user.anonymised_at is not None
        assert email not in user.email
        assert not Photo.objects.filter(user=user).exists()
    finally:
        context.close()
    assert watch.problems() == {"errors": [], "outside": []}
