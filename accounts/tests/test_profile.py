"""Profile editing: validation with clear messages, nothing lost on a bad input."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

PROFILE = {
    "first_name": "Emma",
    "last_name": "Janssens",
    "gender": "",
    "language": "nl",
    "birth_date": "",
    "mobile_phone": "",
    "company_name": "",
    "vat_number": "",
}


def _post(client, **changes):
    return client.post(reverse("accounts:profile"), {**PROFILE, **changes})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entered", "stored"),
    [("0470 12 34 56", "+32470123456"), ("+31 6 12345678", "+31612345678"), ("0032 470 12 34 56", "+32470123456")],
)
def test_mobile_phone_is_stored_in_e164(shopper_client, user, entered, stored):
    assert _post(shopper_client, mobile_phone=entered).status_code == 302
    user.refresh_from_db()
    assert user.mobile_phone.as_e164 == stored


@pytest.mark.django_db
def test_invalid_phone_number_is_refused_with_a_message(shopper_client, user):
    response = _post(shopper_client, mobile_phone="12", first_name="Changed")
    assert response.status_code == 200
    assert "phone" in response.content.decode().lower() or "telefoon" in response.content.decode().lower()
    user.refresh_from_db()
    assert user.first_name == "Emma"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entered", "stored"),
    [("BE 0403.170.701", "BE0403170701"), ("nl004495445b01", "NL004495445B01"), ("DE136695976", "DE136695976")],
)
def test_business_account_with_valid_vat_number(shopper_client, user, entered, stored):
    assert _post(shopper_client, is_business="on", company_name="Janssens BV", vat_number=entered).status_code == 302
    user.refresh_from_db()
    assert (user.is_business, user.vat_number) == (True, stored)


@pytest.mark.django_db
@pytest.mark.parametrize("entered", ["BE0403170702", "NL004495446B01", "BE123", "XX123456789"])
def test_invalid_vat_number_is_refused_with_a_message(shopper_client, user, entered):
    response = _post(shopper_client, is_business="on", vat_number=entered, first_name="Changed")
    assert response.status_code == 200
    assert "is not a valid EU VAT number" in response.content.decode() or "btw" in response.content.decode().lower()
    user.refresh_from_db()
    assert (user.is_business, user.vat_number, user.first_name) == (False, "", "Emma")


@pytest.mark.django_db
def test_business_account_needs_a_vat_number(shopper_client, user):
    response = _post(shopper_client, is_business="on")
    assert response.status_code == 200
    assert response.context["form"].errors["vat_number"]
    user.refresh_from_db()
    assert not user.is_business


@pytest.mark.django_db
def test_leaving_business_account_clears_vat_number(shopper_client, user):
    _post(shopper_client, is_business="on", company_name="X", vat_number="BE0403170701")
    _post(shopper_client)
    user.refresh_from_db()
    assert (user.is_business, user.company_name, user.vat_number) == (False, "", "")


@pytest.mark.django_db
def test_birth_date_in_the_future_is_refused(shopper_client, user):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _post(shopper_client, birth_date=tomorrow.isoformat())
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"]


@pytest.mark.django_db
def test_profile_pages_need_a_login(client):
    for name in ["accounts:profile", "accounts:addresses", "accounts:preferences"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_business_constraint_holds_in_the_database(user):
    from django.db import IntegrityError, transaction

    from accounts.models import User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_business=True, vat_number="")
