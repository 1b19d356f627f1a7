"""Deleting an address asks first (issue 10, #2): a confirmation page, the confirming POST deletes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Address
from accounts.tests.factories import AddressFactory, UserFactory


def _en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.mark.django_db
def test_delete_button_on_the_list_leads_to_a_question_not_a_deletion(shopper_client, user):
    address = AddressFactory(user=user)
    page = shopper_client.get(_en("accounts:addresses")).content.decode()
    delete_url = _en("accounts:address_delete", address.pk)
    # The list links to the question; it holds no form that deletes in one click.
    assert f'href="{delete_url}"' in page
    assert f'action="{delete_url}"' not in page

    question = shopper_client.get(delete_url)
    assert question.status_code == 200
    content = question.content.decode()
    assert "Do you want to delete this address?" in content
    assert "Kerkstraat 1" in content
    assert f'<form method="post" action="{delete_url}">' in content
    assert "csrfmiddlewaretoken" in content
    assert Address.objects.filter(pk=address.pk).exists()


@pytest.mark.django_db
def test_confirming_deletes_the_address(shopper_client, user):
    address = AddressFactory(user=user)
    response = shopper_client.post(_en("accounts:address_delete", address.pk), follow=True)
    assert response.redirect_chain == [(_en("accounts:addresses"), 302)]
    assert "The address has been deleted." in response.content.decode()
    assert not Address.objects.filter(pk=address.pk).exists()


@pytest.mark.django_db
def test_question_for_the_default_address_names_the_one_that_takes_over(shopper_client, user):
    default = AddressFactory(user=user, is_default=True)
    AddressFactory(user=user, street_address="Veldstraat 2", city="Brugge", postal_code="8000")
    content = shopper_client.get(_en("accounts:address_delete", default.pk)).content.decode()
    assert "This is your default delivery address; Veldstraat 2, Brugge becomes the default instead." in content


@pytest.mark.django_db
def test_confirming_without_the_csrf_token_deletes_nothing(user):
    address = AddressFactory(user=user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(_en("accounts:address_delete", address.pk)).status_code == 403
    assert Address.objects.filter(pk=address.pk).exists()


@pytest.mark.django_db
def test_someone_elses_address_cannot_be_asked_about_or_deleted(shopper_client):
    foreign = AddressFactory(user=UserFactory())
    url = _en("accounts:address_delete", foreign.pk)
    assert shopper_client.get(url).status_code == 404
    assert shopper_client.post(url).status_code == 404
    assert Address.objects.filter(pk=foreign.pk).exists()


@pytest.mark.django_db
def test_other_methods_are_refused(shopper_client, user):
    address = AddressFactory(user=user)
    assert shopper_client.put(_en("accounts:address_delete", address.pk)).status_code == 405
    assert Address.objects.filter(pk=address.pk).exists()


@pytest.mark.django_db
def test_question_is_asked_in_dutch(shopper_client, user):
    address = AddressFactory(user=user)
    with translation.override("nl"):
        url = reverse("accounts:address_delete", args=[address.pk])
    content = shopper_client.get(url).content.decode()
    assert "Wil je dit adres verwijderen?" in content
    assert "Het adres verwijderen" in content
