"""Birth dates within a human life and postal codes in plain ASCII (issue 10, #22)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.models import Address

PROFILE = {"first_name": "Emma", "last_name": "Janssens", "language": "en"}
ADDRESS = {"kind": "delivery", "full_name": "Emma Janssens", "street_address": "Kerkstraat 1", "city": "Gent"}
# Noon in Brussels, so that the local date is the one written.
TODAY = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)


def _en(name: str) -> str:
    with translation.override("en"):
        return reverse(name)


def _profile(client, birth_date: str):
    return client.post(_en("accounts:profile"), {**PROFILE, "birth_date": birth_date})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("birth_date", "accepted"),
    [
        ("1906-11-23", True),  # exactly 120 years ago
        ("1906-11-22", False),  # one day more
        ("1856-05-01", False),  # 170 years ago
        ("2026-11-23", True),  # today
        ("2026-11-24", False),  # tomorrow
    ],
)
def test_birth_date_is_between_120_years_ago_and_today(shopper_client, user, birth_date, accepted):
    with time_machine.travel(TODAY, tick=False):
        response = _profile(shopper_client, birth_date)
    user.refresh_from_db()
    if accepted:
        assert response.status_code == 302
        assert user.birth_date == datetime.date.fromisoformat(birth_date)
    else:
        assert response.status_code == 200
        assert user.birth_date is None


@pytest.mark.django_db
def test_a_birth_date_170_years_ago_is_refused_with_a_clear_message(shopper_client, user):
    with time_machine.travel(TODAY, tick=False):
        response = _profile(shopper_client, "1856-05-01")
    assert "Enter a birth date no more than 120 years ago." in response.content.decode()


@pytest.mark.django_db
def test_a_birth_date_in_the_future_is_refused_with_a_clear_message(shopper_client, user):
    with time_machine.travel(TODAY, tick=False):
        response = _profile(shopper_client, "2030-01-01")
    assert "The birth date cannot be in the future." in response.content.decode()


@pytest.mark.django_db
def test_the_date_picker_offers_only_acceptable_dates(shopper_client):
    with time_machine.travel(TODAY, tick=False):
        page = shopper_client.get(_en("accounts:profile")).content.decode()
    assert 'min="1906-11-23"' in page
    assert 'max="2026-11-23"' in page


@pytest.mark.django_db
def test_on_29_february_without_a_29_february_120_years_earlier_the_limit_is_1_march(client, user):
    # 1900 was no leap year.
    with time_machine.travel(datetime.datetime(2020, 2, 29, 12, 0, tzinfo=datetime.UTC), tick=False):
        client.force_login(user)
        assert _profile(client, "1900-02-28").status_code == 200
        assert _profile(client, "1900-03-01").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "entered"),
    [
        ("BE", "\uff19\uff10\uff10\uff10"),  # full-width digits
        ("BE", "9\u0660\u0660\u0660"),  # Arabic-Indic digits after a 9
        ("FR", "\u0667\u0665\u0660\u0660\u0661"),
        ("DE", "1011\uff15"),
        ("NL", "\uff11\uff10\uff11\uff12 AB"),
        ("LU", "L-\uff11\uff12\uff13\uff14"),
    ],
)
def test_postal_code_with_non_ascii_digits_is_refused_with_a_clear_message(shopper_client, user, country, entered):
    data = {**ADDRESS, "country": country, "postal_code": entered}
    response = shopper_client.post(_en("accounts:address_create"), data)
    assert response.status_code == 200
    assert "A postal code has only the digits 0 to 9 and the letters A to Z." in response.content.decode()
    assert not Address.objects.filter(user=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "entered", "stored"),
    [("BE", " 9000 ", "9000"), ("FR", "75001", "75001"), ("LU", "l-1234", "L-1234"), ("NL", "1012lg", "1012 LG")],
)
def test_ascii_postal_codes_are_still_accepted(shopper_client, user, country, entered, stored):
    data = {**ADDRESS, "country": country, "postal_code": entered}
    assert shopper_client.post(_en("accounts:address_create"), data).status_code == 302
    assert Address.objects.get(user=user).postal_code == stored


@pytest.mark.parametrize(("entered", "stored"), [("sw1a 1aa", "SW1A 1AA"), ("1010", "1010")])
def test_a_country_without_its_own_format_takes_ascii_letters_and_digits(entered, stored):
    from accounts.validators import normalize_postal_code

    assert normalize_postal_code("GB", entered) == stored


@pytest.mark.parametrize("entered", ["SW1A \u0669AA", "1010!", "--"])
def test_a_country_without_its_own_format_refuses_other_characters(entered):
    from django.core.exceptions import ValidationError

    from accounts.validators import normalize_postal_code

    with pytest.raises(ValidationError):
        normalize_postal_code("GB", entered)
