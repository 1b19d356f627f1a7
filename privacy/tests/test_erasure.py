"""The right to erasure (ALB-3, SMP-9): one user's data goes now; held data is restricted, never deleted."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Address, CommunicationKind, CommunicationPreference, Session, User
from accounts.tests.factories import AddressFactory, UserFactory
from photos.models import Photo
from privacy.models import PendingFileRemoval
from privacy.services import erase_subject
from privacy.sweep import run_sweep

T0 = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)


def customer(**fields) -> User:
    """A shopper with an address, a preference, a signed-in session and a stored photo."""
    user = UserFactory(last_activity=T0, mobile_phone="+32470123456", birth_date=datetime.date(1990, 6, 15), **fields)
    AddressFactory(user=user)
    CommunicationPreference.objects.create(
        user=user, kind=CommunicationKind.values[0], enabled=True, changed_at=T0, changed_via="signup"
    )
    Session.objects.create(
        session_key=f"s{user.pk:039d}", session_data="{}", expire_date=T0 + relativedelta(days=14), account=user
    )
    photo = Photo(user=user, filename="me.jpg", content_hash=f"{user.pk:064d}", size_bytes=5, image_format="JPEG")
    photo.original.save("me.jpg", ContentFile(b"jpeg!"), save=False)
    photo.thumbnail_small.save(f"{photo.id.hex}-small.jpg", ContentFile(b"s"), save=False)
    photo.save()
    return user


def erase(user, **options):
    """Erase as a request does: files go once the outermost transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return erase_subject(user, **options)


def held_account_data(settings) -> None:
    settings.PRIVACY_RETENTION_EXTRA_RULES = [
        {
            "id": "TEST-HOLD",
            "category": "account",
            "trigger": "last_activity",
            "period": {"years": 7},
            "action": "delete",
            "legal_hold": True,
        }
    ]


@pytest.mark.django_db
def test_erasure_removes_everything_about_the_user_and_nothing_else():
    user, other = customer(), customer()
    files = [Photo.objects.get(user=user).original.name, Photo.objects.get(user=user).thumbnail_small.name]

    outcome = erase(user)

    user.refresh_from_db()
    assert user.anonymised_at is not None
    assert user.email == f"anonymised-{user.pk}@anonymised.invalid"
    assert (user.first_name, user.last_name, user.mobile_phone) == ("", "", "")
    assert user.birth_date == datetime.date(1990, 1, 1)
    assert not user.is_active
    assert not user.has_usable_password()
    for model in (Address, CommunicationPreference, EmailAddress, Photo):
        assert not model.objects.filter(user=user).exists(), model
    assert not Session.objects.filter(account=user).exists()
    assert not any(storages["default"].exists(name) for name in files)
    assert not PendingFileRemoval.objects.exists()
    assert outcome["photos.Photo"] == {"erased": 1, "restricted": 0}
    assert outcome["accounts.User"] == {"erased": 1, "restricted": 0}
    # The other customer keeps everything.
    other.refresh_from_db()
    assert other.anonymised_at is None
    assert Address.objects.filter(user=other).exists()
    assert storages["default"].exists(Photo.objects.get(user=other).original.name)


@pytest.mark.django_db
def test_erasing_twice_changes_nothing_more():
    user = customer()
    erase(user)
    again = erase(user)
    assert all(counts == {"erased": 0, "restricted": 0} for counts in again.values())


@pytest.mark.django_db
def test_held_data_is_restricted_not_erased_until_the_hold_ends(settings):
    held_account_data(settings)
    user = customer()
    with time_machine.travel(T0 + relativedelta(years=1), tick=False):
        outcome = erase(user)
    user.refresh_from_db()
    assert user.restricted_at is not None
    assert user.anonymised_at is None
    assert user.email.endswith("@example.com")  # kept for the legal obligation, hidden from use
    assert Address.objects.filter(user=user).exists()  # held, and an address cannot be restricted: kept
    assert outcome["accounts.User"] == {"erased": 0, "restricted": 1}
    # Images are not under that hold: they go now.
    assert not Photo.objects.filter(user=user).exists()

    # The hold ends 7 years after the last activity; erasing then anonymises.
    with time_machine.travel(T0 + relativedelta(years=7, days=1), tick=False):
        erase(user)
    user.refresh_from_db()
    assert user.anonymised_at is not None
    assert not Address.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_staff_accounts_are_not_erased_automatically():
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValueError, match="close them by hand"):
        erase(staff)
    staff.refresh_from_db()
    assert staff.anonymised_at is None


@pytest.mark.django_db
def test_the_sweep_leaves_an_erased_account_alone():
    user = customer()
    erase(user)
    with time_machine.travel(timezone.now() + relativedelta(years=11), tick=False):
        run = run_sweep()
    assert run.counts["STX-1"]["models"].get("accounts.User", 0) == 0


@pytest.mark.django_db
def test_erasure_queries_do_not_grow_with_the_users_data():
    def queries_for(extra_addresses: int) -> int:
        user = customer()
        for _ in range(extra_addresses):
            AddressFactory(user=user)
        with CaptureQueriesContext(connection) as captured:
            erase(user)
        return len(captured)

    assert queries_for(0) == queries_for(25)


@pytest.mark.django_db(transaction=True)
def test_an_erasure_rolled_back_by_its_caller_keeps_the_files_of_the_rows_that_come_back():
    """Files go only after the outermost commit: a rolled-back erasure restores rows and their files alike."""
    from django.db import transaction

    user = customer()
    photo = Photo.objects.get(user=user)

    class Abort(Exception):
        pass

    def erase_then_fail() -> None:
        with transaction.atomic():
            erase_subject(user)
            raise Abort

    with pytest.raises(Abort):
        erase_then_fail()

    assert Photo.objects.filter(pk=photo.pk).exists()
    assert storages["default"].exists(photo.original.name)
    assert storages["default"].exists(photo.thumbnail_small.name)

    erase_subject(user)  # outside a transaction: the files go once each batch commits
    assert not storages["default"].exists(photo.original.name)
