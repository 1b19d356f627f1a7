"""Take screenshots of the main pages with headless Chromium (a look at what users see).

Usage: python scripts/screenshots.py [BASE_URL] [OUT_DIR]
Logs in as the demo shopper; expects ``manage.py seed_demo`` to have run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

PUBLIC = [
    ("home", "/"),
    ("home-fr", "/fr/"),
    ("login", "/accounts/login/"),
    ("signup", "/en/accounts/signup/"),
    ("404", "/nope/"),
    ("privacy", "/en/privacy/"),
    ("shop", "/en/shop/"),
    ("product", "/fr/shop/photo-book/"),
]
PRIVATE = [
    ("profile", "/accounts/profile/"),
    ("addresses", "/accounts/addresses/"),
    ("address-new", "/en/accounts/addresses/new/"),
    ("preferences", "/fr/accounts/preferences/"),
    ("email", "/accounts/email/"),
    ("mfa", "/en/accounts/2fa/"),
    ("gallery", "/en/photos/?sort=best"),
    ("photo-consents", "/en/photos/consents/"),
]


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "screenshots")
    out.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width, suffix in [(1280, ""), (390, "-mobile")]:
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, path in PUBLIC:
                page.goto(base + path)
                page.screenshot(path=out / f"{name}{suffix}.png", full_page=True)
            page.goto(base + "/en/accounts/login/")
            page.fill("input[name=login]", "shopper@example.com")
            page.fill("input[name=password]", "demo-shopper-2026")
            page.click("main form button[type=submit]")
            for name, path in PRIVATE:
                page.goto(base + path)
                page.screenshot(path=out / f"{name}{suffix}.png", full_page=True)
            page.close()
        browser.close()
    print(f"screenshots in {out}/")


if __name__ == "__main__":
    main()
