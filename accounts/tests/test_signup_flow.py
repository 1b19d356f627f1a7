"""Sign-up → verification e-mail → login → profile, addresses and preferences, in each language."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Address, CommunicationPreference, User
from conftest import PASSWORD, link_in_last_mail

LANGUAGES = ["nl", "fr", "en"]


def _url(language: str, name: str) -> str:
    with translation.override(language):
        return reverse(name)


def _text(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_signup_verify_login_and_edit_account_in_each_language(client, language):
    # Sign up: a verification e-mail goes out, the visitor is not logged in yet.
    response = client.post(
        _url(language, "account_signup"),
        {"email": "Nieuw@Example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    user = User.objects.get(email__iexact="nieuw@example.com")
    assert user.language == language
    assert not client.get(_url(language, "accounts:profile")).wsgi_request.user.is_authenticated

    # The confirmation link logs the user in.
    confirm_path = link_in_last_mail()
    assert client.get(confirm_path).status_code == 200
    response = client.post(confirm_path)
    assert response.status_code == 302

    # The profile page is shown in the chosen language.
    profile_url = _url(language, "accounts:profile")
    page = client.get(profile_url)
    assert page.status_code == 200
    content = page.content.decode()
    assert f'<html lang="{language}">' in content
    assert _text(language, "Save profile") in content
    if language != "en":
        assert _text(language, "Save profile") != "Save profile", "translation missing"

    # Edit the profile.
    response = client.post(
        profile_url,
        {
            "first_name": "Lotte",
            "last_name": "Maes",
            "gender": "undisclosed",
            "language": language,
            "birth_date": "1994-02-03",
            "mobile_phone": "0470 12 34 56",
            "is_business": "on",
            "company_name": "Maes BV",
            "vat_number": "be 0403.170.701",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.gender, str(user.mobile_phone), user.vat_number) == (
        "Lotte",
        "undisclosed",
        "+32470123456",
        "BE0403170701",
    )
    assert _text(language, "Your profile has been saved.") in client.get(profile_url).content.decode()

    # Add a delivery address.
    response = client.post(
        _url(language, "accounts:address_create"),
        {
            "kind": "delivery",
            "full_name": "Lotte Maes",
            "street_address": "Damrak 1",
            "postal_code": "1012lg",
            "city": "Amsterdam",
            "country": "NL",
        },
    )
    assert response.status_code == 302
    address = Address.objects.get(user=user)
    assert (address.postal_code, address.is_default) == ("1012 LG", True)

    # Opt in to marketing.
    response = client.post(_url(language, "accounts:preferences"), {"service": "on", "marketing": "on"})
    assert response.status_code == 302
    pref = CommunicationPreference.objects.get(user=user, kind="marketing")
    assert pref.enabled
    assert pref.changed_via == CommunicationPreference.Source.ACCOUNT_PAGE


@pytest.mark.django_db
def test_login_is_refused_until_the_email_address_is_verified(client):
    client.post(
        reverse("account_signup"), {"email": "wacht@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )
    response = client.post(reverse("account_login"), {"login": "wacht@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_signup_with_an_address_already_taken_shows_an_error(client, user):
    response = client.post(
        reverse("account_signup"), {"email": user.email.upper(), "password1": PASSWORD, "password2": PASSWORD}
    )
    # allauth prevents account enumeration: it answers as for a new sign-up and mails the owner.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact=user.email).count() == 1
    assert mail.outbox[-1].to == [user.email]


@pytest.mark.django_db
def test_password_reset_by_email_link(client, user):
    client.post(reverse("account_reset_password"), {"email": user.email})
    reset_path = link_in_last_mail()
    response = client.get(reset_path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else reset_path
    new_password = "a-brand-new-secret-42"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    client.logout()
    response = client.post(reverse("account_login"), {"login": user.email, "password": new_password})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_email_change_takes_effect_after_verification(client, user):
    client.force_login(user)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "nieuw.adres@example.com"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email != "nieuw.adres@example.com"
    confirm_path = link_in_last_mail()
    client.post(confirm_path)
    user.refresh_from_db()
    assert user.email == "nieuw.adres@example.com"


@pytest.mark.django_db
def test_login_shows_social_providers_only_when_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert "Google" not in client.get(reverse("account_login")).content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APPS": [{"client_id": "id", "secret": "secret", "key": ""}], "SCOPE": ["email"]}
    }
    assert "Google" in client.get(reverse("account_login")).content.decode()


@pytest.mark.django_db
def test_repeated_wrong_passwords_are_rate_limited(client, user):
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password"})
        assert response.status_code == 200
    # Even the right password is refused while the limit holds.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert response.context["form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize("provider", ["google", "facebook", "instagram"])
def test_social_login_urls_without_keys_are_not_found(client, settings, provider):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    for path in (f"/accounts/{provider}/login/", f"/accounts/{provider}/login/callback/?code=x&state=y"):
        assert client.get(path).status_code == 404, path
        assert client.post(path).status_code in (403, 404), path  # CSRF first on a POST


@pytest.mark.django_db
def test_social_login_with_keys_starts_the_provider_flow(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APPS": [{"client_id": "id", "secret": "secret", "key": ""}], "SCOPE": ["email"]}
    }
    assert client.get("/accounts/google/login/").status_code == 200  # the confirmation page before leaving
