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


@pytest.fixture(autouse=True, scope="session")
def _microsite_hosts(django_test_environment):
    """Django's test setup copies ALLOWED_HOSTS into a plain list: give it back the shop's own kind.

    Its microsites' host names are allowed per request (``photoshop.hosts``).
    """
    from django.conf import settings

    from photoshop.hosts import AllowedHosts

    settings.ALLOWED_HOSTS = AllowedHosts(settings.ALLOWED_HOSTS)


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
    from orders.selectors.catalogue import remember_version

    remember_version(None)  # the catalogue version is read again from the emptied cache


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """Leave no language active after a test: a request's LocaleMiddleware activates one in the test's thread,
    and a later test's reverse() would then build another language's URLs (the browser tests check Dutch pages)."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _celery_join_flag():
    """Reset Celery's process-wide "joining a result would block" flag after each test.

    Eager tasks set it while they run and restore it afterwards; two eager
    tasks running at once in threads (parallel uploads, the live server)
    restore each other's value and can leave it set, so that a later test's
    ``result.get()`` fails with "Never call result.get() within a task!".
    """
    yield
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(autouse=True, scope="session")
def _staff_roles_snapshot(django_db_setup, django_db_blocker) -> dict[str, list[tuple[str, str]]]:
    """The staff roles and their permissions as the migrations made them, read once before any test runs."""
    from django.contrib.auth.models import Group

    with django_db_blocker.unblock():
        return {
            group.name: list(group.permissions.values_list("content_type__app_label", "codename"))
            for group in Group.objects.all()
        }


@pytest.fixture
def staff_roles(_staff_roles_snapshot, transactional_db) -> None:
    """Give the staff roles back after a live-server test's flush removed them (they come from data migrations)."""
    from django.contrib.auth.models import Group, Permission

    for name, permissions in _staff_roles_snapshot.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = [Permission.objects.get(content_type__app_label=app, codename=code) for app, code in permissions]
        group.permissions.set(wanted)


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
def travel(time_machine):
    """Move the clock to a moment and hold it there: ``travel(moment)`` (time-based rules at their boundaries)."""

    def move(moment) -> None:
        time_machine.move_to(moment, tick=False)

    return move


@pytest.fixture
def activate_totp():
    """Set up an authenticator app for a user; return the secret."""

    def activate(user) -> str:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return secret

    return activate


@pytest.fixture
def staff_client(activate_totp):
    """Return a maker of clients signed in as a staff member of a role, with the second factor set up."""
    from django.contrib.auth.models import Group
    from django.test import Client

    from accounts.tests.factories import UserFactory

    def make(role: str) -> Client:
        staff = UserFactory(is_staff=True)
        staff.groups.add(Group.objects.get(name=role))
        activate_totp(staff)
        client = Client()
        client.force_login(staff)
        return client

    return make


def link_in_last_mail(pattern: str = r"https?://testserver(/\S+)") -> str:
    """Return the path of the first link in the last e-mail sent."""
    assert mail.outbox, "no e-mail was sent"
    match = re.search(pattern, mail.outbox[-1].body)
    assert match, f"no link in: {mail.outbox[-1].body}"
    return match.group(1)


def verified_email(user) -> None:
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


def skip_or_fail_without(service: str, reachable: bool, *, problem: str = "is not reachable on loopback") -> None:
    """Skip a test whose real service is missing; in CI (CI set) fail instead, so it never silently skips."""
    if reachable:
        return
    message = f"{service} {problem}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI must run this test (.ci/run starts it)")
    pytest.skip(f"{message} (.ci/run starts it)")


@pytest.fixture
def postgresql_only():
    """Skip on SQLite: the test races parallel connections for row locks, which SQLite serialises.

    CI runs the suite on PostgreSQL too (.ci/run), where these tests run.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("parallel row locks need PostgreSQL (DATABASE_URL=postgres://...)")


@pytest.fixture(scope="session")
def moto_s3_endpoint():
    """An S3 API on loopback: moto in server mode, started for the test session."""
    import shutil
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    exe = shutil.which("moto_server") or os.path.join(os.path.dirname(sys.executable), "moto_server")
    skip_or_fail_without("moto_server (pip install moto[server])", os.path.exists(exe))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [exe, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield endpoint
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def s3_storage(settings, moto_s3_endpoint, monkeypatch):
    """Point the default and archive storages at a fresh private bucket on the moto server."""
    import uuid

    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=moto_s3_endpoint, region_name="eu-west-1")
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    options = {
        "bucket_name": bucket,
        "endpoint_url": moto_s3_endpoint,
        "region_name": "eu-west-1",
        "access_key": "test",
        "secret_key": "test",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        "archive": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "archive"}},
    }
    return client, bucket


CHROMIUM = "/usr/bin/chromium"


def eventually(check, *, seconds: float = 30, step: float = 0.1) -> bool:
    """Return True once ``check()`` holds, False after ``seconds`` (what a live server finishes in the background)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


class BrowserWatch:
    """Console errors and requests to other hosts in a browser context, over a whole journey.

    Requests leaving loopback (this machine's names: 127.0.0.1, localhost and ``*.localhost``)
    are recorded and stopped; ``problems()`` is empty when the journey had none.
    """

    def __init__(self, context) -> None:
        from urllib.parse import urlsplit

        self.errors: list[str] = []
        self.outside: list[str] = []

        def route(request_route) -> None:
            url = request_route.request.url
            host = urlsplit(url).hostname or ""
            if url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost") or host.endswith(".localhost"):
                request_route.continue_()
            else:
                self.outside.append(url)
                request_route.abort()

        context.route("**/*", route)
        context.on("page", self.page)

    def page(self, page) -> None:
        def failed(response) -> None:
            if response.status >= 400:
                self.errors.append(f"{response.status} {response.url}")

        page.on("response", failed)
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and not message.text.startswith("Failed to load resource")  # named with its address above
                and self.errors.append(message.text)
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def problems(self) -> dict[str, list[str]]:
        return {"errors": self.errors, "outside": self.outside}


@pytest.fixture(scope="session")
def localstripe_url():
    """Stripe's HTTP API on loopback: localstripe, started from scratch for the test session."""
    import shutil
    import socket
    import subprocess
    import sys
    import tempfile
    import time
    import urllib.request

    exe = shutil.which("localstripe") or os.path.join(os.path.dirname(sys.executable), "localstripe")
    skip_or_fail_without("localstripe (pip install localstripe)", os.path.exists(exe))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # --from-scratch: without it localstripe reloads the state of its last run.
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tempfile.mkdtemp(prefix="localstripe-"),
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/v1/customers", timeout=1)  # noqa: S310 (http on loopback)
        except urllib.error.HTTPError:
            break  # it answers (401 without a key)
        except OSError:
            time.sleep(0.1)
        else:
            break
    yield url
    proc.terminate()
    proc.wait(timeout=10)


OFF = "http://127.0.0.1:9/"  # nothing listens there


def localstripe_webhook(api_base: str, name: str, url: str = OFF, secret: str = "") -> None:
    """Point localstripe's webhook ``name`` at ``url`` for payment_intent.succeeded (without a url: off)."""
    import requests

    events = ["none.none"] if url == OFF else ["payment_intent.succeeded"]
    requests.post(
        f"{api_base}/_config/webhooks/{name}", json={"url": url, "secret": secret or "x", "events": events}, timeout=10
    )


@pytest.fixture
def stripe_settings(settings, localstripe_url):
    """Point the shop's Stripe gateway at localstripe, with a webhook secret of its own."""
    settings.STRIPE_SECRET_KEY = "sk_test_photoshop"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_photoshop"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_photoshop_test"
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_PAYMENT_METHOD_TYPES = ["card"]
    return settings


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (browser downloads fail here; .ci/run installs the package)."""
    import shutil

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
        sync_playwright = None
    skip_or_fail_without(
        "Debian's Chromium",
        bool(sync_playwright and shutil.which(CHROMIUM)),
        problem=f"is not installed at {CHROMIUM} (apt-get install chromium); the browser tests need it",
    )
    # Playwright's sync API keeps an event loop on this thread; the ORM calls in
    # the tests are plain synchronous code all the same.
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as p:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        yield ChoiceMadeBrowser(browser)
        browser.close()


class ChoiceMadeBrowser:
    """The browser, whose new pages have made their cookie choice (refused all), as a returning visitor has.

    The cookie banner covers the foot of the page until a choice is made; the
    tests of the banner itself ask for a page without one (``cookie_choice=False``).
    """

    def __init__(self, browser) -> None:
        self._browser = browser

    def __getattr__(self, name: str):
        return getattr(self._browser, name)

    def new_context(self, *args, cookie_choice: bool = True, **kwargs):
        context = self._browser.new_context(*args, **kwargs)
        if cookie_choice:
            from privacy import cookies, services

            value = services.cookie_consent_record(categories=set(), previous=None).cookie_value()
            context.add_cookies(
                [
                    {"name": cookies.COOKIE_NAME, "value": value, "domain": host, "path": "/"}
                    for host in ("localhost", "127.0.0.1")
                ]
            )
        return context

    def new_page(self, *args, cookie_choice: bool = True, **kwargs):
        return self.new_context(*args, cookie_choice=cookie_choice, **kwargs).new_page()
