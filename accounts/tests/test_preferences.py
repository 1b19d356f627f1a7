"""Communication preferences (STX-6, STX-7, SMP-11): defaults, and when and how each changed."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import CommunicationPreference
from accounts.selectors import communication_preferences_for


@pytest.mark.django_db
def test_stx7_defaults_service_on_marketing_and_third_party_off(user):
    states = {state.kind: state.enabled for state in communication_preferences_for(user=user)}
    assert states == {"service": True, "marketing": False, "third_party": False}


@pytest.mark.django_db
def test_stx6_change_is_stored_at_once_with_when_and_how(shopper_client, user):
    moment = datetime.datetime(2026, 3, 1, 10, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        response = shopper_client.post(reverse("accounts:preferences"), {"third_party": "on"})
    assert response.status_code == 302
    stored = {p.kind: p for p in CommunicationPreference.objects.filter(user=user)}
    assert set(stored) == {"service", "third_party"}  # marketing stayed off: nothing to record
    assert stored["service"].enabled is False
    assert stored["third_party"].enabled is True
    assert stored["third_party"].changed_at == moment
    assert stored["third_party"].changed_via == "account_page"


@pytest.mark.django_db
def test_unchanged_preferences_write_nothing(user):
    services.communication_preferences_set(user=user, choices={"marketing": True}, via="account_page")
    before = CommunicationPreference.objects.get(user=user, kind="marketing").changed_at
    changed = services.communication_preferences_set(
        user=user, choices={"marketing": True, "service": True}, via="unsubscribe_link"
    )
    assert changed == []
    assert CommunicationPreference.objects.get(user=user, kind="marketing").changed_at == before


@pytest.mark.django_db
def test_preferences_page_shows_the_last_change(shopper_client, user):
    services.communication_preferences_set(user=user, choices={"marketing": True}, via="unsubscribe_link")
    content = shopper_client.get("/en/accounts/preferences/").content.decode()
    assert "through an unsubscribe link" in content
    assert timezone.localdate().strftime("%Y") in content
