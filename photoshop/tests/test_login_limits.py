"""Login limits hold in production: keyed on the client behind the proxy, shared by every worker."""

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from allauth.account.adapter import get_adapter
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.test import Client
from django.utils import translation

from conftest import skip_or_fail_without, totp_code
from photoshop.tests.processes import INTEGRATION_VARS, ROOT, STRONG_KEY, settings_of

PROXY = "10.0.0.2"
CLIENT_A, CLIENT_B = "203.0.113.5", "198.51.100.7"


@pytest.fixture(scope="module")
def production_client_address() -> dict:
    """Return production's settings for finding the client's address (the defaults: no variable set)."""
    return settings_of(
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        "ALLAUTH_TRUSTED_CLIENT_IP_HEADER",
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="photoshop.settings",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="shop.example",
    )


@pytest.fixture
def behind_the_proxy(settings, production_client_address) -> None:
    for name, value in production_client_address.items():
        setattr(settings, name, value)


def _too_many_attempts() -> str:
    with translation.override("en"):
        return str(get_adapter().error_messages["too_many_login_attempts"])


def _failed_login(client: Client, forwarded_for: str, n: int):
    return client.post(
        "/en/accounts/login/",
        {"login": f"nobody-{n}@example.com", "password": "not-the-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("behind_the_proxy")
def test_behind_one_proxy_failed_logins_are_limited_per_client_not_per_proxy(client):
    # allauth's login_failed limit: 10 a minute per address (different accounts, so the per-account limit stays out).
    for n in range(10):
        assert _too_many_attempts() not in _failed_login(client, CLIENT_A, n).content.decode()
    assert _too_many_attempts() in _failed_login(client, CLIENT_A, 10).content.decode()

    # Another customer behind the same proxy still gets the ordinary answer.
    response = _failed_login(client, CLIENT_B, 11)
    assert response.context["form"].errors
    assert _too_many_attempts() not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("behind_the_proxy")
def test_a_forged_forwarded_for_entry_does_not_escape_the_limit(client):
    for n in range(10):
        _failed_login(client, CLIENT_A, n)
    # The client sends X-Forwarded-For: <someone else>; the proxy appends the real address.
    response = _failed_login(client, f"{CLIENT_B}, {CLIENT_A}", 10)
    assert _too_many_attempts() in response.content.decode()
    # ... and the address it named keeps its own, untouched allowance.
    assert _too_many_attempts() not in _failed_login(client, CLIENT_B, 11).content.decode()


REDIS = ("127.0.0.1", 6379)

# One gunicorn worker: its own process, its own cache connection. It checks a
# TOTP code and records failed logins for one account, and reports what it saw.
WORKER = textwrap.dedent(
    """
    import json, sys
    import photoshop.wsgi  # a gunicorn worker starts here (production settings)
    from allauth.account.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, validate_totp_code
    from django.core.exceptions import ValidationError
    from django.test import RequestFactory

    user_id, secret, code, email, address, attempts = sys.argv[1:]
    totp = TOTP(Authenticator(user_id=int(user_id), type="totp", data={"secret": secret}))
    request = RequestFactory().post("/", REMOTE_ADDR=address)
    refused = 0
    for _ in range(int(attempts)):
        try:
            get_adapter().pre_authenticate(request, email=email, password="wrong")
        except ValidationError:
            refused += 1
    accepted = totp.validate_code(code)
    current = validate_totp_code(secret, code)  # the code itself, without the used-codes cache
    print(json.dumps({"code_accepted": accepted, "code_current": current, "failed_logins_refused": refused}))
    """
)


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _two_workers(**env: str) -> list[dict]:
    """Run two workers at once; each checks the same TOTP code and fails three logins for one account."""
    # The code is valid for one 30-second period: start both early in one.
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < period / 2:
        time.sleep(left + 0.1)
    user_id = str(uuid.uuid4().int % 10**9)
    secret = generate_totp_secret()
    code = totp_code(secret)
    email = f"{uuid.uuid4().hex}@example.com"
    # A fresh client address too: the per-address limit (10 a minute) must not carry over from another run.
    address = ".".join(["10", *(str(b) for b in uuid.uuid4().bytes[:3])])
    child_env = {k: v for k, v in os.environ.items() if k not in INTEGRATION_VARS}
    child_env.update(SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="shop.example", **env)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, user_id, secret, code, email, address, "3"],
            cwd=ROOT,
            env=child_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _worker in range(2)
    ]
    seen = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        seen.append(json.loads(out.strip().splitlines()[-1]))
    assert all(s.pop("code_current") for s in seen), "the workers started too late in the TOTP period"
    return seen


@pytest.mark.needs_redis
def test_with_redis_one_totp_code_signs_in_once_and_failed_logins_count_across_workers():
    skip_or_fail_without("Redis", _redis_reachable())
    seen = _two_workers(CACHE_URL=f"redis://{REDIS[0]}:{REDIS[1]}/14")
    # Whichever worker came first: the code signed in once, and the sixth failed login was refused.
    assert sorted(s["code_accepted"] for s in seen) == [False, True]
    assert sum(s["failed_logins_refused"] for s in seen) == 1


def test_a_per_process_cache_is_what_let_a_code_sign_in_twice():
    """The failure check --deploy now refuses (photoshop.E001): each worker remembers only its own."""
    seen = _two_workers()
    assert seen == [{"code_accepted": True, "failed_logins_refused": 0}] * 2
