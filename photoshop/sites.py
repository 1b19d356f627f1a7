"""The django.contrib.sites record that allauth's e-mails quote: the shop's name and domain."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def site_domain() -> str:
    """Return SITE_DOMAIN, or else the first ALLOWED_HOSTS entry that is a plain host name."""
    if settings.SITE_DOMAIN:
        return settings.SITE_DOMAIN
    for host in settings.ALLOWED_HOSTS:
        if host and not host.startswith((".", "*")):
            return host
    return "localhost"


def site_update_from_settings(*, using: str = "default", **_: Any) -> None:
    """Give the current Site the name and domain from the settings.

    Django creates it as "example.com", which allauth would put in every
    e-mail; connected to post_migrate, so each ``migrate`` (and each new test
    database) applies SITE_NAME and SITE_DOMAIN.
    """
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"name": settings.SITE_NAME[:50], "domain": site_domain()[:100]}
    )
    Site.objects.clear_cache()
