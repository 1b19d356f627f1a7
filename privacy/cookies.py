"""Cookie consent (PIX-8, SMP-8): what the site may set, and what a visitor chose.

Every cookie the site or a script it loads may set is declared here with its
category, purpose, provider and lifetime; the cookie page and the banner are
built from these declarations. A visitor's choice lives in one cookie that
names an anonymous consent id, the accepted categories, the policy version
shown and the time of the choice; the same choice is recorded server-side
(``privacy.models.CookieConsent``) as proof. A choice older than 13 months,
or made under an earlier policy version, counts as no choice: the banner
comes back (SMP-8).

Written for the platform rather than taken from django-cookie-consent (see
the README): its log holds neither a consent id nor the policy version, and
it keeps cookie declarations in the database, where ours change with the
code that sets the cookies.
"""

from __future__ import annotations

import datetime
import ipaddress
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COOKIE_NAME = "cookie_consent"
# SMP-8: choices are asked again after 13 months (kept as days: 13 months is at most 397 days).
VALID_FOR = datetime.timedelta(days=396)


class CookieCategory(models.TextChoices):
    NECESSARY = "necessary", _("Necessary")
    PREFERENCES = "preferences", _("Preferences")
    STATISTICS = "statistics", _("Statistics")
    MARKETING = "marketing", _("Marketing")


OPTIONAL = (CookieCategory.PREFERENCES, CookieCategory.STATISTICS, CookieCategory.MARKETING)

CATEGORY_TEXTS = {
    CookieCategory.NECESSARY: _(
        "Needed for the shop to work: signing in, your cart, security against forged forms, and remembering "
        "your cookie choice. They cannot be switched off."
    ),
    CookieCategory.PREFERENCES: _("Remember choices you make, such as the language of the shop."),
    CookieCategory.STATISTICS: _(
        "Count visits and see which pages are used, so that we can improve the shop. Only when you accept them."
    ),
    CookieCategory.MARKETING: _(
        "Measure whether our adverts work and show adverts that suit you. Only when you accept them."
    ),
}


@dataclass(frozen=True)
class CookieDeclaration:
    name: str
    category: CookieCategory
    purpose: Promise
    provider: str
    lifetime: Promise


def declarations() -> list[CookieDeclaration]:
    """Every cookie the site may set, in the order of the cookie page."""
    from promotions.device import COOKIE_NAME as DEVICE_COOKIE_NAME  # the promotions app's fair-use cookie

    shop = settings.SITE_NAME
    found = [
        CookieDeclaration(
            settings.SESSION_COOKIE_NAME,
            CookieCategory.NECESSARY,
            _("Keeps you signed in and keeps your cart and uploads between pages."),
            shop,
            _("until you sign out, at most 2 weeks"),
        ),
        CookieDeclaration(
            settings.CSRF_COOKIE_NAME,
            CookieCategory.NECESSARY,
            _("Protects forms against being sent by another website in your name."),
            shop,
            _("1 year"),
        ),
        CookieDeclaration(
            COOKIE_NAME,
            CookieCategory.NECESSARY,
            _("Remembers your cookie choice, so that we do not ask again on every page."),
            shop,
            _("13 months"),
        ),
        CookieDeclaration(
            DEVICE_COOKIE_NAME,
            CookieCategory.NECESSARY,
            _(
                "Set when you apply a sponsor's code: recognises this browser, so that one person cannot collect"
                " a sponsor's free products many times with several accounts (fair use)."
            ),
            shop,
            _("1 year"),
        ),
        CookieDeclaration(
            settings.LANGUAGE_COOKIE_NAME,
            CookieCategory.NECESSARY,
            _("Shows the shop in the language you chose, during your visit."),
            shop,
            _("until you close the browser"),
        ),
        CookieDeclaration(
            settings.LANGUAGE_COOKIE_NAME,
            CookieCategory.PREFERENCES,
            _("Remembers the language you chose for your next visits."),
            shop,
            _("1 year"),
        ),
    ]
    if settings.ANALYTICS_GA_MEASUREMENT_ID:
        found += [
            CookieDeclaration(
                "_ga",
                CookieCategory.STATISTICS,
                _("Google Analytics: tells visits apart, to count visitors."),
                "Google",
                _("2 years"),
            ),
            CookieDeclaration(
                "_ga_*",
                CookieCategory.STATISTICS,
                _("Google Analytics: keeps the state of a visit."),
                "Google",
                _("2 years"),
            ),
        ]
    return found


@dataclass(frozen=True)
class Consent:
    """A visitor's valid choice, as read from their cookie."""

    id: uuid.UUID
    categories: frozenset[str]
    version: int
    given_at: datetime.datetime

    def allows(self, category: str) -> bool:
        return category == CookieCategory.NECESSARY or category in self.categories

    def cookie_value(self) -> str:
        """``<id>.<version>.<unix time>.<category>-<category>``: readable by the site's script."""
        cats = "-".join(sorted(self.categories))
        return f"{self.id.hex}.{self.version}.{int(self.given_at.timestamp())}.{cats}"


def parse(value: str | None) -> Consent | None:
    """Read a consent cookie; anything malformed counts as no choice."""
    if not value or len(value) > 200:
        return None
    parts = value.split(".")
    if len(parts) != 4:
        return None
    raw_id, raw_version, raw_time, raw_cats = parts
    try:
        consent_id = uuid.UUID(hex=raw_id)
        version = int(raw_version)
        given_at = datetime.datetime.fromtimestamp(int(raw_time), tz=datetime.UTC)
    except (ValueError, OverflowError, OSError):
        return None
    categories = frozenset(c for c in raw_cats.split("-") if c in OPTIONAL)
    return Consent(consent_id, categories, version, given_at)


def valid_consent(value: str | None, *, version: int | None, now: datetime.datetime | None = None) -> Consent | None:
    """Return the choice in ``value`` if it still stands: made under ``version`` and less than 13 months ago."""
    consent = parse(value)
    if consent is None or version is None or consent.version != version:
        return None
    now = now or timezone.now()
    if not (now - VALID_FOR < consent.given_at <= now + datetime.timedelta(minutes=5)):
        return None
    return consent


def shown_version() -> int | None:
    """The number of the policy version in force as published (cached; never writes)."""
    from privacy.policy import published_versions

    published = published_versions()
    return published[0].number if published else None


def consent_for(request: HttpRequest) -> Consent | None:
    """The request's valid cookie choice, read once per request."""
    if not hasattr(request, "_cookie_consent"):
        value = request.COOKIES.get(COOKIE_NAME)
        # Without a cookie there is no choice to check against the policy version (no lookup).
        request._cookie_consent = valid_consent(value, version=shown_version()) if value else None
    return request._cookie_consent


def truncated_ip(address: str) -> str:
    """The network, not the host: IPv4 to /24, IPv6 to /48 (proof of the choice without identifying a device)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
