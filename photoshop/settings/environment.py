"""Build settings fragments from environment variables.

Pure functions over an ``environ.Env`` so that each integration can be tested
without reloading the settings module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ

# Social login providers: settings prefix -> (allauth provider id, OAuth host
# the login form redirects to, which the Content-Security-Policy must allow).
SOCIAL_PROVIDERS = {
    "GOOGLE": ("google", "https://accounts.google.com"),
    "FACEBOOK": ("facebook", "https://www.facebook.com"),
    "INSTAGRAM": ("instagram", "https://api.instagram.com"),
}


def social_providers(env: environ.Env) -> dict[str, dict[str, Any]]:
    """Return allauth's SOCIALACCOUNT_PROVIDERS for the providers with keys set.

    A provider appears on the login page only when both its client id and
    secret are in the environment (``GOOGLE_CLIENT_ID``/``GOOGLE_SECRET``...).
    """
    providers: dict[str, dict[str, Any]] = {}
    for prefix, (provider_id, _host) in SOCIAL_PROVIDERS.items():
        client_id = env.str(f"{prefix}_CLIENT_ID", default="")
        secret = env.str(f"{prefix}_SECRET", default="")
        if client_id and secret:
            providers[provider_id] = {
                "APPS": [{"client_id": client_id, "secret": secret, "key": ""}],
                "SCOPE": ["email"] if provider_id != "google" else ["profile", "email"],
            }
    return providers


def social_form_actions(providers: dict[str, dict[str, Any]]) -> list[str]:
    """Return the OAuth hosts a login form may redirect to (CSP form-action)."""
    return [host for _prefix, (pid, host) in SOCIAL_PROVIDERS.items() if pid in providers]


def storages(env: environ.Env, base_dir: Path) -> dict[str, dict[str, Any]]:
    """Return Django's STORAGES: local disk by default, private S3 when configured.

    ``default`` holds uploads; ``archive`` holds archived objects (a cold
    prefix in the same bucket, or a bucket of its own). Static files are served
    by whitenoise.
    """
    bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
    if bucket:
        common = {
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            # Private objects: no ACL (bucket policy blocks public access) and
            # every URL is a short-lived signed one.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
            "signature_version": "s3v4",
        }
        default = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": bucket, **common}}
        archive_options = {
            "bucket_name": env.str("AWS_ARCHIVE_BUCKET_NAME", default="") or bucket,
            "location": env.str("AWS_ARCHIVE_LOCATION", default="archive"),
            "object_parameters": {"StorageClass": env.str("AWS_ARCHIVE_STORAGE_CLASS", default="GLACIER_IR")},
            **common,
        }
        archive = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": archive_options}
    else:
        media_root = Path(env.str("MEDIA_ROOT", default=str(base_dir / "media")))
        archive_root = Path(env.str("ARCHIVE_ROOT", default=str(base_dir / "archive")))
        # MEDIA_URL is never routed: local media is private and only served
        # through views that check who is asking.
        default = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(media_root)}}
        archive = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(archive_root)},
        }
    return {
        "default": default,
        "archive": archive,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }


def csrf_trusted_origins(allowed_hosts: list[str]) -> list[str]:
    """Return the HTTPS origins of the site's hosts, in the form CSRF_TRUSTED_ORIGINS wants.

    A subdomain wildcard in ALLOWED_HOSTS (``.shop.example``, the shop and
    every microsite under it) becomes ``https://*.shop.example``, which also
    covers ``shop.example`` itself; ``*`` names no origin and is left out.
    """
    origins = []
    for host in allowed_hosts:
        host = host.strip()
        if not host or host == "*":
            continue
        origins.append(f"https://*{host}" if host.startswith(".") else f"https://{host}")
    return origins
