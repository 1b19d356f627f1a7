"""Delivery and billing addresses: country-aware validation, one default, owner-only access."""

import pytest
from django.urls import reverse

from accounts.models import Address
from accounts.tests.factories import AddressFactory, UserFactory

ADDRESS = {
    "kind": "delivery",
    "full_name": "Emma Janssens",
    "street_address": "Kerkstraat 1",
    "postal_code": "9000",
    "city": "Gent",
    "country": "BE",
}


def _create(client, **changes):
    return client.post(reverse("accounts:address_create"), {**ADDRESS, **changes})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "entered", "stored"),
    [("BE", "9000", "9000"), ("NL", "1012lg", "1012 LG"), ("NL", "1012 LG", "1012 LG"), ("FR", "75001", "75001")],
)
def test_postal_code_is_normalised_for_the_country(shopper_client, user, country, entered, stored):
    assert _create(shopper_client, country=country, postal_code=entered).status_code == 302
    assert Address.objects.get(user=user).postal_code == stored


@pytest.mark.django_db
@pytest.mark.parametrize(("country", "entered"), [("BE", "90000"), ("NL", "1012"), ("FR", "7500"), ("DE", "ABCDE")])
def test_wrong_postal_code_for_the_country_is_refused(shopper_client, user, country, entered):
    response = _create(shopper_client, country=country, postal_code=entered)
    assert response.status_code == 200
    assert response.context["form"].errors["postal_code"]
    assert not Address.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_country_outside_the_delivery_area_is_refused(shopper_client, user):
    response = _create(shopper_client, country="US", postal_code="10001")
    assert response.status_code == 200
    assert response.context["form"].errors["country"]


@pytest.mark.django_db
def test_first_delivery_address_becomes_default_and_a_new_default_takes_over(shopper_client, user):
    _create(shopper_client)
    _create(shopper_client, street_address="Veldstraat 2", is_default="on")
    first, second = Address.objects.filter(user=user).order_by("created_at")
    assert (first.is_default, second.is_default) == (False, True)


@pytest.mark.django_db
def test_only_one_billing_address(shopper_client, user):
    assert _create(shopper_client, kind="billing").status_code == 302
    response = _create(shopper_client, kind="billing", street_address="Andere 5")
    assert response.status_code == 200
    assert "billing address" in response.content.decode() or "factuuradres" in response.content.decode()
    assert Address.objects.filter(user=user, kind="billing").count() == 1


@pytest.mark.django_db
def test_billing_address_is_never_the_default(shopper_client, user):
    _create(shopper_client, kind="billing", is_default="on")
    assert not Address.objects.get(user=user).is_default


@pytest.mark.django_db
def test_edit_address(shopper_client, user):
    address = AddressFactory(user=user)
    response = shopper_client.post(
        reverse("accounts:address_edit", args=[address.pk]), {**ADDRESS, "city": "Gent-Centrum"}
    )
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.city == "Gent-Centrum"


@pytest.mark.django_db
def test_deleting_the_default_address_promotes_the_next_one(shopper_client, user):
    default = AddressFactory(user=user, is_default=True)
    other = AddressFactory(user=user, street_address="Veldstraat 2")
    response = shopper_client.post(reverse("accounts:address_delete", args=[default.pk]))
    assert response.status_code == 302
    assert not Address.objects.filter(pk=default.pk).exists()
    other.refresh_from_db()
    assert other.is_default


@pytest.mark.django_db
def test_someone_elses_address_is_not_found(shopper_client):
    foreign = AddressFactory(user=UserFactory())
    assert shopper_client.get(reverse("accounts:address_edit", args=[foreign.pk])).status_code == 404
    assert shopper_client.post(reverse("accounts:address_delete", args=[foreign.pk])).status_code == 404
    assert Address.objects.filter(pk=foreign.pk).exists()


@pytest.mark.django_db
def test_delete_needs_post(shopper_client, user):
    # A GET asks first (test_address_delete_confirmation.py); only the confirming POST deletes.
    address = AddressFactory(user=user)
    assert shopper_client.get(reverse("accounts:address_delete", args=[address.pk])).status_code == 200
    assert Address.objects.filter(pk=address.pk).exists()


@pytest.mark.django_db
def test_address_list_query_count_does_not_grow_with_addresses(shopper_client, user, django_assert_max_num_queries):
    AddressFactory.create_batch(12, user=user)
    with django_assert_max_num_queries(6):
        response = shopper_client.get(reverse("accounts:addresses"))
    assert response.content.decode().count("Kerkstraat 1") == 12
