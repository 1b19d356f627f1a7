"""Phone numbers are read with the country they belong to (issue 10, #3): Dutch numbers are no longer refused."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Address
from accounts.tests.factories import AddressFactory

PROFILE = {"first_name": "Emma", "last_name": "Janssens", "language": "en"}
ADDRESS = {
    "kind": "delivery",
    "full_name": "Emma Janssens",
    "street_address": "Kerkstraat 1",
    "city": "Amsterdam",
}


def _en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def _profile(client, phone: str):
    return client.post(_en("accounts:profile"), {**PROFILE, "mobile_phone": phone})


@pytest.mark.django_db
@pytest.mark.parametrize("entered", ["+31 6 12345678", "+31612345678", "0031 6 12345678"])
def test_dutch_mobile_number_with_country_code_is_accepted_without_any_address(shopper_client, user, entered):
    assert _profile(shopper_client, entered).status_code == 302
    user.refresh_from_db()
    assert user.mobile_phone.as_e164 == "+31612345678"


@pytest.mark.django_db
def test_national_dutch_mobile_number_is_read_as_dutch_for_a_shopper_living_in_the_netherlands(shopper_client, user):
    AddressFactory(user=user, country="NL", postal_code="1012 AB", is_default=True)
    assert _profile(shopper_client, "06 12345678").status_code == 302
    user.refresh_from_db()
    assert user.mobile_phone.as_e164 == "+31612345678"
    # The page shows it back the Dutch way.
    assert 'value="06 12345678"' in shopper_client.get(_en("accounts:profile")).content.decode()


@pytest.mark.django_db
def test_national_belgian_number_still_works_for_a_shopper_without_address(shopper_client, user):
    assert _profile(shopper_client, "0470 12 34 56").status_code == 302
    user.refresh_from_db()
    assert user.mobile_phone.as_e164 == "+32470123456"


@pytest.mark.django_db
def test_refused_national_number_says_which_country_it_was_read_for(shopper_client, user):
    response = _profile(shopper_client, "06 12345678")
    assert response.status_code == 200
    page = response.content.decode()
    assert "A number without + is read as a number of this country: Belgium." in page
    assert "+31 6 12345678" in page
    user.refresh_from_db()
    assert not user.mobile_phone


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "postal_code", "entered", "stored"),
    [
        ("NL", "1012 AB", "06 12345678", "+31612345678"),
        ("NL", "1012 AB", "020 123 4567", "+31201234567"),
        ("BE", "9000", "0470 12 34 56", "+32470123456"),
        ("FR", "75001", "06 12 34 56 78", "+33612345678"),
        ("BE", "9000", "+31 6 12345678", "+31612345678"),
    ],
)
def test_address_phone_is_read_with_the_address_country(shopper_client, user, country, postal_code, entered, stored):
    data = {**ADDRESS, "country": country, "postal_code": postal_code, "phone": entered}
    assert shopper_client.post(_en("accounts:address_create"), data).status_code == 302
    assert Address.objects.get(user=user).phone.as_e164 == stored


@pytest.mark.django_db
def test_editing_an_address_reads_the_phone_with_the_country_now_chosen(shopper_client, user):
    address = AddressFactory(user=user)
    data = {**ADDRESS, "country": "NL", "postal_code": "1012 AB", "phone": "06 12345678"}
    assert shopper_client.post(_en("accounts:address_edit", address.pk), data).status_code == 302
    address.refresh_from_db()
    assert (address.country.code, address.phone.as_e164) == ("NL", "+31612345678")


@pytest.mark.django_db
def test_invalid_address_phone_is_refused_with_the_country_in_the_message(shopper_client, user):
    data = {**ADDRESS, "country": "NL", "postal_code": "1012 AB", "phone": "12"}
    response = shopper_client.post(_en("accounts:address_create"), data)
    assert response.status_code == 200
    assert "A number without + is read as a number of this country: Netherlands." in response.content.decode()
    assert not Address.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_the_address_form_says_how_a_phone_number_is_read(shopper_client):
    page = shopper_client.get(_en("accounts:address_create")).content.decode()
    assert "A number without + is read as a number of the country above." in page
