"""In Chromium: delete one's account with erasure, and ask for and download a copy of one's data (#12).

Screenshots go to ``screenshots/privacy/`` (not committed).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.tests.factories import AddressFactory, UserFactory
from conftest import eventually
from photos.models import Photo
from photos.tests.factories import PhotoFactory
from privacy.models import CookieConsent

pytestmark = pytest.mark.e2e  # a journey in Chromium: pytest -m e2e

OUT = Path(settings.BASE_DIR) / "screenshots" / "privacy"
PASSWORD = "a-long-password-for-tests"


def _signed_in_page(browser, live_server, user, width=390):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="en-GB", accept_downloads=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )
    return context, context.new_page()


def _url(name, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.mark.django_db(transaction=True)
def test_a_customer_closes_their_account_with_erasure_in_the_browser(browser, live_server):
    user = UserFactory(language="en")
    user.set_password(PASSWORD)
    user.save()
    AddressFactory(user=user)
    photo = PhotoFactory(user=user)
    original, storage = photo.original.name, photo.original.storage
    context, page = _signed_in_page(browser, live_server, user)
    page.goto(live_server.url + _url("accounts:delete"))
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUT / "close-account-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_label("Close my account and erase my data now (within 48 hours)").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Close my account").click()
    page.wait_for_load_state()
    assert "We erase your data within 48 hours" in page.content()
    context.close()
    user.refresh_from_db()
    assert user.anonymised_at is not None
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not storage.exists(original)
    assert mail.outbox[0].subject == "Your account is closed and your data will be erased"
    assert not User.objects.filter(email=mail.outbox[0].to[0]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_customer_asks_for_a_copy_of_their_data_and_downloads_it(browser, live_server):
    user = UserFactory(language="en", first_name="Noor")
    PhotoFactory(user=user)
    context, page = _signed_in_page(browser, live_server, user, width=1280)
    page.goto(live_server.url + _url("privacy:my_data"))
    assert page.get_by_role("heading", name="What we hold about you").is_visible()
    page.get_by_role("button", name="Prepare a copy of my data").click()
    page.wait_for_load_state()
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUT / "my-data-desktop.png", full_page=True)
    link = re.search(r"https?://[^/\s]+(/\S+/my-data/download/\S+/)", mail.outbox[-1].body).group(1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").first.click()
    data = Path(download_info.value.path()).read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    records = json.loads(archive.read("data.json"))["records"]
    assert records["accounts.User"][0]["first_name"] == "Noor"
    assert any(name.startswith("files/") for name in archive.namelist())
    assert link.endswith("/")
    context.close()


def _analytics_on(settings) -> None:
    settings.ANALYTICS_GA_MEASUREMENT_ID = "G-TEST123"
    policy = {**settings.CONTENT_SECURITY_POLICY}
    policy["DIRECTIVES"] = {**policy["DIRECTIVES"]}
    policy["DIRECTIVES"]["script-src"] = [*policy["DIRECTIVES"]["script-src"], "https://www.googletagmanager.com"]
    settings.CONTENT_SECURITY_POLICY = policy


def _watch_analytics(page) -> list[str]:
    """Record every request for Google's tag and answer it locally (no network here)."""
    seen: list[str] = []

    def answer(route):
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body="window.__gaLoaded = true;")

    page.route("https://www.googletagmanager.com/**", answer)
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_visitor_refuses_all_cookies_and_no_analytics_request_is_made(browser, live_server, settings):
    _analytics_on(settings)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", cookie_choice=False)
    page = context.new_page()
    seen = _watch_analytics(page)
    page.goto(live_server.url + "/en/")
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUT / "cookie-banner-phone.png")
    banner = page.locator("#cookie-banner")
    assert banner.is_visible()
    page.get_by_role("button", name="Refuse all").click()
    banner.wait_for(state="hidden")
    page.goto(live_server.url + _url("privacy:cookies"))
    page.wait_for_load_state("networkidle")
    assert seen == []
    assert page.evaluate("window.dataLayer.some(e => e[0] === 'consent' && e[1] === 'default')")
    assert not page.locator("#cookie-banner").is_visible()
    assert not [c for c in context.cookies() if c["name"].startswith("_ga")]
    record = CookieConsent.objects.get()
    assert record.categories == []
    context.close()


@pytest.mark.django_db(transaction=True)
def test_accepting_statistics_starts_analytics_at_once_and_the_footer_link_reopens_the_choice(
    browser, live_server, settings
):
    _analytics_on(settings)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB", cookie_choice=False)
    page = context.new_page()
    seen = _watch_analytics(page)
    page.goto(live_server.url + "/en/")
    page.get_by_text("Choose per category").click()
    page.get_by_label("Statistics").check()
    page.screenshot(path=OUT / "cookie-choose-desktop.png")
    page.get_by_role("button", name="Save my choice").click()
    page.locator("#cookie-banner").wait_for(state="hidden")
    page.wait_for_function("window.__gaLoaded === true")  # without a reload
    assert len(seen) == 1
    assert "id=G-TEST123" in seen[0]
    granted = page.evaluate(
        "window.dataLayer.filter(e => e[0] === 'consent' && e[1] === 'update').map(e => e[2].analytics_storage)"
    )
    assert granted == ["granted"]
    page.get_by_role("link", name="Cookie settings").click()
    assert page.locator("#cookie-banner").is_visible()
    assert page.get_by_label("Statistics").is_checked()
    assert not page.get_by_label("Marketing").is_checked()
    page.get_by_role("button", name="Refuse all").click()
    page.locator("#cookie-banner").wait_for(state="hidden")
    assert eventually(lambda: CookieConsent.objects.count() == 2)  # the choice is sent in the background
    # In the order given (the keys are random uuids: ordering by them was right half of the time).
    assert [r.categories for r in CookieConsent.objects.order_by("given_at")] == [["statistics"], []]
    assert len({r.consent_id for r in CookieConsent.objects.all()}) == 1
    context.close()
