"""The fair-use device signal (STX-9): the browser a sponsor's code is used from.

When a visitor applies a code, the browser gets a first-party cookie with a
random identifier (signed, so it cannot be made up to match another's).
At checkout the order's redemption keeps a keyed hash of it; many different
accounts using one campaign's codes from one browser put the order on hold
for staff review, as many accounts for one delivery address do.

The cookie is set only when a code is applied (the free products asked
for), holds nothing about the person, and is declared on the cookie page
as necessary (``privacy.cookies``). Clearing it only removes this signal;
the address and phone limits still hold.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "ps_device"
SALT = "promotions.device"
MAX_AGE = 365 * 24 * 3600  # a year, as the cookie page says


def device_of(request: HttpRequest) -> str:
    """Return this browser's fair-use identifier, or "" when it has none (or a forged one)."""
    return request.get_signed_cookie(COOKIE_NAME, default="", salt=SALT)


def device_remember(request: HttpRequest, response: HttpResponse) -> None:
    """Give the browser a fair-use identifier if it has none yet (after a code was applied)."""
    if device_of(request):
        return
    response.set_signed_cookie(
        COOKIE_NAME,
        secrets.token_urlsafe(16),
        salt=SALT,
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
