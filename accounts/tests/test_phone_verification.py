"""STX-5: after deletion the mobile number is kept as a keyed hash for re-activation checks, 10 years at most."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.db import connection

from accounts.models import AccountEvent, PhoneVerification
from accounts.services import account_close, account_erase, phone_digest, user_update_profile
from accounts.tests.factories import UserFactory
from privacy.sweep import run_sweep

T0 = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)
PHONE = "+32470112233"
DAY = datetime.timedelta(days=1)


def _closed_customer():
    with time_machine.travel(T0, tick=False):
        user = UserFactory(last_activity=T0, mobile_phone=PHONE)
        account_close(user=user, reason="customer_request")
    return user


def _sweep(moment, preset=None):
    with time_machine.travel(moment, tick=False):
        return run_sweep(preset=preset)


def _table_text() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {PhoneVerification._meta.db_table}")  # noqa: S608
        return repr(cursor.fetchall())


@pytest.mark.django_db
def test_stx4_closing_keeps_the_number_as_a_keyed_hash_never_the_number():
    user = _closed_customer()
    _sweep(T0 + datetime.timedelta(hours=48) + DAY)
    user.refresh_from_db()
    assert user.anonymised_at is not None
    assert not user.mobile_phone
    kept = PhoneVerification.objects.get()
    assert kept.digest == phone_digest(PHONE)
    assert PHONE not in _table_text()
    assert PHONE[3:] not in _table_text()


@pytest.mark.django_db
def test_stx5_the_hash_goes_10_years_after_the_last_activity():
    _closed_customer()
    _sweep(T0 + datetime.timedelta(hours=48) + DAY)
    _sweep(T0 + relativedelta(years=10) - DAY)
    assert PhoneVerification.objects.exists()
    _sweep(T0 + relativedelta(years=10) + DAY)
    assert not PhoneVerification.objects.exists()


@pytest.mark.django_db
def test_an_erasure_keeps_the_hash_too():
    with time_machine.travel(T0, tick=False):
        user = UserFactory(last_activity=T0, mobile_phone=PHONE)
        account_erase(user=user)
    assert PhoneVerification.objects.filter(digest=phone_digest(PHONE)).exists()


@pytest.mark.django_db
def test_a_preset_whose_policy_says_nothing_keeps_no_number(settings):
    settings.PRIVACY_RETENTION_PRESET = "smartphoto"  # its STX-5 is only the platform's fill-in
    _closed_customer()
    _sweep(T0 + relativedelta(years=2) + DAY)  # SMP-2: closed accounts 2 years
    assert not PhoneVerification.objects.exists()


@pytest.mark.django_db
def test_registering_the_number_again_is_recognised_once():
    _closed_customer()
    _sweep(T0 + datetime.timedelta(hours=48) + DAY)
    newcomer = UserFactory()
    user_update_profile(user=newcomer, data={"mobile_phone": PHONE})
    event = AccountEvent.objects.get(user=newcomer, kind=AccountEvent.Kind.PHONE_RECOGNISED)
    assert event.detail["kept_since"]
    assert not PhoneVerification.objects.exists()
    # Another number is not recognised.
    other = UserFactory()
    user_update_profile(user=other, data={"mobile_phone": "+32470998877"})
    assert not AccountEvent.objects.filter(user=other, kind=AccountEvent.Kind.PHONE_RECOGNISED).exists()
