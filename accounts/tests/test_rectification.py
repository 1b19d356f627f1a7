"""Rectification (ALB-3): a correction by the customer or by staff is recorded: which fields, by whom, no values."""

import pytest
from django.urls import reverse

from accounts.models import AccountEvent
from accounts.tests.admin_helpers import change_form_data
from accounts.tests.factories import UserFactory
from accounts.tests.test_profile import PROFILE


@pytest.mark.django_db
def test_a_customer_correcting_their_name_is_recorded_without_the_values(shopper_client, user):
    response = shopper_client.post(reverse("accounts:profile"), {**PROFILE, "last_name": "Peeters"})
    assert response.status_code == 302
    event = AccountEvent.objects.get(user=user, kind=AccountEvent.Kind.DETAILS_CHANGED)
    assert event.actor is None
    assert "last_name" in event.detail["fields"]
    assert "Peeters" not in str(event.detail)
    shopper_client.post(reverse("accounts:profile"), {**PROFILE, "last_name": "Peeters"})  # nothing changes
    assert AccountEvent.objects.filter(user=user, kind=AccountEvent.Kind.DETAILS_CHANGED).count() == 1


@pytest.mark.django_db
def test_a_correction_by_support_names_the_staff_member(client, staff_login):
    support = staff_login("Support")
    emma = UserFactory(first_name="Ema")
    url = reverse("admin:accounts_user_change", args=[emma.pk])
    data = change_form_data(client.get(url)) | {"first_name": "Emma"}
    assert client.post(url, data).status_code == 302
    event = AccountEvent.objects.get(user=emma, kind=AccountEvent.Kind.DETAILS_CHANGED)
    assert (event.actor, event.detail) == (support, {"fields": ["first_name"]})
