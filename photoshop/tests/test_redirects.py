"""No open redirect: every form that takes a ``next`` address sends the browser only within the site."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from conftest import PASSWORD

FOREIGN = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "http://testserver.evil.example/",
    "javascript:alert(1)",
    " https://evil.example/",
    "%2F%2Fevil.example",
]


def stays_here(location: str) -> bool:
    """A path on this site (a relative one like ``%2F%2Fevil.example`` stays here too), never another host."""
    parts = urlsplit(location)
    return not parts.scheme and not parts.netloc and not location.startswith(("/\\", "\\"))


@pytest.mark.django_db
@pytest.mark.parametrize("target", FOREIGN)
def test_signing_in_never_sends_the_browser_to_another_site(client, target):
    user = UserFactory(password=PASSWORD)
    response = client.post(
        reverse("account_login") + f"?next={target}", {"login": user.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert stays_here(response["Location"]), response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("target", FOREIGN)
def test_signing_out_never_sends_the_browser_to_another_site(client, target):
    client.force_login(UserFactory())
    response = client.post(reverse("account_logout"), {"next": target})
    assert response.status_code == 302
    assert stays_here(response["Location"]), response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("target", FOREIGN)
def test_the_language_switch_never_sends_the_browser_to_another_site(client, target):
    response = client.post(reverse("set_language"), {"language": "fr", "next": target}, HTTP_REFERER=target)
    assert response.status_code == 302
    assert stays_here(response["Location"]), response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("target", FOREIGN)
def test_the_cookie_choice_never_sends_the_browser_to_another_site(client, target):
    response = client.post(reverse("privacy:cookie_choice"), {"choice": "refuse", "next": target})
    assert response.status_code == 302
    assert stays_here(response["Location"]), response["Location"]


@pytest.mark.django_db
def test_a_local_next_address_is_kept(client):
    user = UserFactory(password=PASSWORD)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD, "next": "/shop/"})
    assert response["Location"] == "/shop/"
