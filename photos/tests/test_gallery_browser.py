"""The gallery in a real browser (Debian's Chromium): a grid on a phone, counts that follow the uploads."""

from __future__ import annotations

import math

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from photos.tests import images
from photos.tests.factories import PhotoFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def context(browser, live_server):
    def make(width: int):
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", viewport={"width": width, "height": 844}
        )
        context.set_default_timeout(15_000)
        return context

    contexts = []
    yield lambda width: contexts.append(make(width)) or contexts[-1]
    for context in contexts:
        context.close()


def _signed_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.mark.parametrize(("width", "columns"), [(390, 2), (1280, 4)])
def test_gallery_shows_photos_in_a_grid_on_a_phone_and_a_desktop(
    context, live_server, user, width, columns, print_formats
):
    for _ in range(6):
        PhotoFactory(user=user, width=4000, height=3000, sharpness=150.0, quality_score=80)
    ctx = context(width)
    _signed_in(ctx, live_server, user)
    page = ctx.new_page()
    page.goto("/en/photos/")
    boxes = [page.locator(".photo-grid li.photo").nth(i).bounding_box() for i in range(6)]
    tops = sorted({round(box["y"]) for box in boxes})
    # Two per row on a phone: six photos take three rows, not six.
    assert len(tops) == math.ceil(6 / columns)
    assert sum(1 for box in boxes if round(box["y"]) == tops[0]) == columns
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sticks out sideways
    # The DPI of each format is text on the page, not a tooltip.
    assert "250 dpi" in page.locator(".photo-grid li.photo").first.inner_text()


def test_photo_count_follows_the_uploads_without_a_click(context):
    page = context(390).new_page()
    page.goto("/en/photos/")
    assert page.locator("#photos-title").inner_text().strip() == "0 photos"
    page.set_input_files(
        "#id_files",
        [
            {"name": "beach.jpg", "mimeType": "image/jpeg", "buffer": images.jpeg(900, 600, seed=1)},
            {"name": "dog.jpg", "mimeType": "image/jpeg", "buffer": images.jpeg(640, 480, seed=2)},
        ],
    )
    page.click("form.dropzone button[type=submit]")
    expect(page.locator("#photos-title")).to_have_text("2 photos")
    assert page.locator(".photo-grid li.photo").count() == 2
    assert page.url.endswith("/en/photos/")  # the same page: no reload, no click
