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
from photos.models import Photo
from photos.tests.factories import PhotoFactory

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
