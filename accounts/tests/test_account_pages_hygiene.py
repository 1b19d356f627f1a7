"""Smaller account fixes of issue 10, #22: the admin for customers, no caching of account pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import AddressFactory


def _en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def _nl(name: str) -> str:
    with translation.override("nl"):
        return reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/", "/admin/login/?next=/admin/", "/admin/accounts/user/"])
def test_a_signed_in_customer_opening_the_admin_is_told_it_is_for_staff(shopper_client, path):
    response = shopper_client.get(path)
    # Before: /admin/ → /admin/login/ → the shop's login → /admin/ → ... for ever.
    assert response.status_code == 403
    content = response.content.decode()
    # The admin's addresses have no language prefix: the page is in Dutch, the default.
    assert "Alleen voor medewerkers" in content
    assert "Jouw account is een klantenaccount" in content
    assert _nl("accounts:profile") in content


@pytest.mark.django_db
def test_a_visitor_opening_the_admin_is_sent_to_the_login(client):
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(_nl("account_login"))


@pytest.mark.django_db
def test_staff_with_a_second_factor_still_reach_the_admin(staff_login):
    from django.test import Client

    client = Client()
    member = staff_login(superuser=True)
    client.force_login(member)
    assert client.get("/admin/").status_code == 200


@pytest.fixture
def account_pages(user) -> list[str]:
    address = AddressFactory(user=user)
    return [
        _en("accounts:profile"),
        _en("accounts:addresses"),
        _en("accounts:address_create"),
        _en("accounts:address_edit", address.pk),
        _en("accounts:address_delete", address.pk),
        _en("accounts:preferences"),
        _en("account_email"),
        _en("account_change_password"),
        _en("mfa_index"),
        _en("account_reauthenticate"),
    ]


@pytest.mark.django_db
def test_account_pages_with_personal_data_are_not_stored_by_browsers_or_proxies(shopper_client, account_pages):
    for url in account_pages:
        response = shopper_client.get(url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (url, response["Cache-Control"])


@pytest.mark.django_db
def test_a_saved_form_redirect_is_not_stored_either(shopper_client):
    response = shopper_client.post(_en("accounts:preferences"), {"service": "on"})
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
