"""The catalogue and product pages in Chromium on a phone and a desktop: readable without sideways scrolling.

Screenshots go to ``screenshots/catalogue/`` (not committed) for a look at what visitors see.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from orders.demo import seed_catalogue

OUT = Path(settings.BASE_DIR) / "screenshots" / "catalogue"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", VIEWPORTS)
def test_catalogue_and_product_pages_fit_phone_and_desktop(browser, live_server, device):
    seed_catalogue()
    context = browser.new_context(viewport=VIEWPORTS[device], locale="nl-BE")
    page = context.new_page()
    OUT.mkdir(parents=True, exist_ok=True)
    with translation.override("nl"):
        pages = [
            ("catalogue", reverse("orders:catalogue")),
            ("product", reverse("orders:product", kwargs={"slug": "classic-prints"})),
            ("product-book", reverse("orders:product", kwargs={"slug": "photo-book"})),
        ]
    for name, path in pages:
        response = page.goto(live_server.url + path)
        assert response.status == 200
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
            f"{name} scrolls sideways"
        )
        # Every picture loads (the product pictures are served publicly, media otherwise is not).
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("[...document.images].every(img => img.complete && img.naturalWidth > 0)"), (
            f"{name} has a broken picture"
        )
        page.screenshot(path=OUT / f"{name}-{device}.png", full_page=True)
    assert page.get_by_role("link", name="Log in voor een voorstel").is_visible()
    page.goto(live_server.url + pages[0][1])
    assert page.get_by_role("link", name="Fotoboek").first.is_visible()
    context.close()
