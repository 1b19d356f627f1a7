"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail

from accounts.tests.factories import UserFactory

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    """Give every test its own media folders and an empty cache (rate limits live there)."""
    from django.core.cache import cache

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "archive": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "archive")},
        },
    }
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    """A shopper with a verified e-mail address."""
    return UserFactory(password=PASSWORD)


@pytest.fixture
def shopper_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def staff_user(db):
    user = UserFactory(password=PASSWORD, is_staff=True, email="staff@example.com")
    return user


def totp_code(secret: str) -> str:
    """Return the code an authenticator app shows now for the secret."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


@pytest.fixture
def activate_totp():
    """Set up an authenticator app for a user; return the secret."""

    def activate(user) -> str:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return secret

    return activate


def link_in_last_mail(pattern: str = r"https?://testserver(/\S+)") -> str:
    """Return the path of the first link in the last e-mail sent."""
    assert mail.outbox, "no e-mail was sent"
    match = re.search(pattern, mail.outbox[-1].body)
    assert match, f"no link in: {mail.outbox[-1].body}"
    return match.group(1)


def verified_email(user) -> None:
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


def skip_or_fail_without(service: str, reachable: bool) -> None:
    """Skip a test whose real service is missing; in CI (CI set) fail instead, so it never silently skips."""
    if reachable:
        return
    message = f"{service} is not reachable on loopback"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI must run this test (.ci/run starts it)")
    pytest.skip(f"{message} (.ci/run starts it)")
