"""System checks for a deployment (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

# Backends whose data lives in one process: each gunicorn or Celery worker
# would count failed logins and remember used TOTP codes on its own.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse a per-process default cache: login rate limits and used TOTP codes must be shared."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) is not shared between processes: with several "
            "workers, failed logins per account are not limited and one TOTP code signs in more than once.",
            hint="Set CACHE_URL to a Redis database, e.g. CACHE_URL=redis://redis:6379/1.",
            id="photoshop.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_client_address(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when behind a proxy the rate limits would see only the proxy's address."""
    behind_proxy = bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None))
    trusted = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or getattr(
        settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None
    )
    if not behind_proxy or trusted:
        return []
    return [
        Warning(
            "The site is set up behind an HTTPS proxy but trusts no proxy for the client's address: "
            "every client shares the proxy's rate limits.",
            hint="Set TRUSTED_PROXY_COUNT to the number of proxies that append to X-Forwarded-For, "
            "or TRUSTED_CLIENT_IP_HEADER to the header your proxy sets.",
            id="photoshop.W002",
        )
    ]
