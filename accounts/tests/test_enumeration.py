"""Sign-up, login and password reset answer the same whether an address has an account or not (issue 10, #21)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.tests.factories import UserFactory
from conftest import PASSWORD


@pytest.fixture(autouse=True)
def _dutch_urls():
    """Build the URLs in Dutch (no prefix), whatever language an earlier test left active."""
    with translation.override("nl"):
        yield


def _seen(response, email: str) -> tuple:
    """Return what the visitor sees: status, where they were sent, the page (address and CSRF token masked)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return response.status_code, response.redirect_chain, page.replace(email, "ADDRESS")


def _signup(client, email: str):
    client.cookies.clear()
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return _seen(client.post(reverse("account_signup"), data, follow=True), email)


def _login(client, email: str):
    client.cookies.clear()
    data = {"login": email, "password": "not-the-password"}
    return _seen(client.post(reverse("account_login"), data, follow=True), email)


def _reset(client, email: str):
    client.cookies.clear()
    return _seen(client.post(reverse("account_reset_password"), {"email": email}, follow=True), email)


@pytest.mark.django_db
@pytest.mark.parametrize("verified", [True, False], ids=["verified-account", "unverified-account"])
def test_signup_with_an_address_that_has_an_account_answers_like_a_new_address(client, verified):
    UserFactory(email="taken@example.com", verified=verified)
    taken = _signup(client, "taken@example.com")
    new = _signup(client, "fresh@example.com")
    assert taken == new
    assert taken[1] == [(reverse("account_email_verification_sent"), 302)]
    assert User.objects.filter(email="taken@example.com").count() == 1
    # The owner of the existing account gets a notice, not a second account.
    assert [message.to for message in mail.outbox] == [["taken@example.com"], ["fresh@example.com"]]
    assert "taken@example.com" not in mail.outbox[1].body
    assert mail.outbox[0].body != mail.outbox[1].body


@pytest.mark.django_db
def test_signup_again_minutes_after_signing_up_answers_like_a_new_address(client):
    # The first sign-up sends the verification mail; the second one, minutes
    # later, falls under the mail rate limit (no second mail to that inbox),
    # and the page must still read as for an address never seen.
    _signup(client, "minutes@example.com")
    again = _signup(client, "minutes@example.com")
    new = _signup(client, "fresh@example.com")
    assert again == new
    assert "ADDRESS" in again[2]
    assert User.objects.filter(email="minutes@example.com").count() == 1


@pytest.mark.django_db
def test_failed_login_answers_the_same_for_an_existing_and_an_unknown_address(client):
    UserFactory(email="taken@example.com")
    assert _login(client, "taken@example.com") == _login(client, "nobody@example.com")


@pytest.mark.django_db
def test_password_reset_answers_the_same_for_an_existing_and_an_unknown_address(client):
    UserFactory(email="taken@example.com")
    known = _reset(client, "taken@example.com")
    unknown = _reset(client, "nobody@example.com")
    assert known == unknown
    assert known[1] == [(reverse("account_reset_password_done"), 302)]
    # The owner gets a reset link; the unknown address is told it has no account.
    assert [message.to for message in mail.outbox] == [["taken@example.com"], ["nobody@example.com"]]
    assert "/password/reset/key/" in mail.outbox[0].body
    assert "/password/reset/key/" not in mail.outbox[1].body


@pytest.mark.django_db
def test_repeated_failed_logins_are_limited_alike_for_an_existing_and_an_unknown_address(client):
    UserFactory(email="taken@example.com")
    from django.core.cache import cache

    known = [_login(client, "taken@example.com") for _ in range(6)]
    cache.clear()  # the per-address limit is under test, not the per-IP one (10 a minute)
    unknown = [_login(client, "nobody@example.com") for _ in range(6)]
    assert known == unknown
    # The sixth try within five minutes is refused by the rate limit, for both.
    assert known[-1] != known[0]
