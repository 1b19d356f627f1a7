"""Pages fit a phone screen: nothing makes the page wider than the viewport."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["/", "/fr/", "/en/privacy/", "/privacy/", "/en/accounts/login/", "/en/accounts/signup/", "/en/photos/"]


@pytest.mark.parametrize("width", [360, 1280])
def test_public_pages_fit_the_screen(browser, live_server, width):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        too_wide = {}
        for path in PAGES:
            response = page.goto(path)
            assert response.ok, path
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide[path] = scroll_width
        assert not too_wide, f"wider than {width}px: {too_wide}"
    finally:
        context.close()
