"""The shop's wording: informal Dutch ("je"), one word per action, no English or example.com."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from accounts.tests.factories import UserFactory

LOCALE = Path(__file__).resolve().parents[2] / "locale"
# Formal address and the second set of words for signing in and out.
FORMAL = re.compile(r"\b(u|uw)\b|alstublieft|a\.u\.b\.", re.IGNORECASE)
OTHER_SIGN_IN_WORDS = re.compile(r"\b(aanmeld\w*|afmeld\w*|afgemeld|meld\w* (je|jezelf) (aan|af))\b", re.IGNORECASE)

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]
SIGNED_IN_PAGES = ["/accounts/logout/", "/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"]


def _text(response) -> str:
    """Return what a reader sees of the page: its text without tags, scripts or styles."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _msgstrs(language: str) -> list[str]:
    import polib

    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    return [s for e in catalogue if not e.obsolete for s in [e.msgstr, *e.msgstr_plural.values()] if s]


@pytest.mark.django_db
def test_dutch_sign_up_page_says_in_dutch_that_the_password_is_too_short(client):
    response = client.post(
        "/accounts/signup/", {"email": "kim@fotohuis.test", "password1": "kort-12", "password2": "kort-12"}
    )
    text = _text(response)
    assert "Dit wachtwoord is te kort. Het moet minstens 10 tekens lang zijn." in text
    assert "too short" not in text


@pytest.mark.django_db
def test_french_sign_up_page_says_in_french_that_the_password_is_too_short(client):
    response = client.post(
        "/fr/accounts/signup/", {"email": "kim@fotohuis.test", "password1": "kort-12", "password2": "kort-12"}
    )
    assert "Ce mot de passe est trop court" in _text(response)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_dutch_account_pages_say_je_and_inloggen(client, path):
    response = client.get(path)
    assert response.status_code == 200
    text = _text(response)
    assert not FORMAL.search(text), FORMAL.search(text)
    assert not OTHER_SIGN_IN_WORDS.search(text), OTHER_SIGN_IN_WORDS.search(text)


@pytest.mark.django_db
@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_dutch_signed_in_account_pages_say_je_and_uitloggen(shopper_client, path):
    response = shopper_client.get(path)
    assert response.status_code == 200
    text = _text(response)
    assert not FORMAL.search(text), FORMAL.search(text)
    assert not OTHER_SIGN_IN_WORDS.search(text), OTHER_SIGN_IN_WORDS.search(text)


@pytest.mark.django_db
def test_signing_in_and_out_have_one_word_each(shopper_client):
    client = Client()
    login = _text(client.get("/accounts/login/"))
    assert "Inloggen" in login
    logout = _text(shopper_client.get("/accounts/logout/"))
    assert "Weet je zeker dat je wilt uitloggen?" in logout
    signed_out = shopper_client.post("/accounts/logout/", follow=True)
    assert "Je bent uitgelogd." in _text(signed_out)
    french = _text(client.get("/fr/accounts/login/"))
    assert "Se connecter" in french
    assert "Connexion" not in french


def test_dutch_catalogue_never_addresses_the_reader_formally():
    formal = [s for s in _msgstrs("nl") if FORMAL.search(s) or OTHER_SIGN_IN_WORDS.search(s)]
    assert not formal


@pytest.mark.django_db
def test_password_reset_mail_names_the_shop_not_example_com(client):
    UserFactory(email="kim@fotohuis.test")
    client.post("/accounts/password/reset/", {"email": "kim@fotohuis.test"})
    message = mail.outbox[-1]
    assert "photoshop" in message.subject
    assert "photoshop" in message.body
    assert "example.com" not in message.subject + message.body


@pytest.mark.django_db
def test_migrate_applies_site_name_and_domain_from_the_settings(client, settings):
    settings.SITE_NAME = "Fotohuis Zuid"
    settings.SITE_DOMAIN = "fotohuis.test"
    call_command("migrate", verbosity=0)
    UserFactory(email="kim@fotohuis.test")
    client.post("/accounts/password/reset/", {"email": "kim@fotohuis.test"})
    message = mail.outbox[-1]
    assert "Fotohuis Zuid" in message.subject
    assert "Fotohuis Zuid" in message.body
    assert "example.com" not in message.subject + message.body


@pytest.fixture
def admin_in_dutch(client, activate_totp):
    member = UserFactory(is_staff=True, is_superuser=True, email="root@fotohuis.test")
    activate_totp(member)
    client.force_login(member)
    return client


@pytest.mark.django_db
def test_admin_header_and_task_results_are_in_dutch(admin_in_dutch):
    index = _text(admin_in_dutch.get("/admin/"))
    assert "Beheer van photoshop" in index
    assert "administration" not in index
    assert "Taakresultaten" in index
    assert "Task results" not in index
    changelist = _text(admin_in_dutch.get("/admin/django_celery_results/taskresult/"))
    assert "Taaknaam" in changelist
    assert "Task Name" not in changelist


def test_admin_header_follows_the_language():
    from django.contrib import admin
    from django.utils import translation

    with translation.override("fr"):
        assert str(admin.site.site_header) == "Administration de photoshop"
    with translation.override("nl"):
        assert str(admin.site.site_header) == "Beheer van photoshop"
