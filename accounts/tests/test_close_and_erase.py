"""One way to close or erase an account, each with its record (STX-4, SMP-9, ALB-3)."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.urls import reverse

from accounts import services
from accounts.models import AccountEvent, Address, CommunicationPreference, Session, User
from accounts.tests.factories import AddressFactory, UserFactory
from conftest import PASSWORD
from photos.models import Photo
from privacy.sweep import run_sweep

T0 = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)


def session_of(user: User | None, key: str) -> Session:
    return Session.objects.create(
        session_key=key.ljust(32, "x"), session_data="{}", expire_date=T0 + datetime.timedelta(days=14), account=user
    )


def customer() -> User:
    """A shopper with an address, a preference, two signed-in sessions and a stored photo."""
    user = UserFactory(password=PASSWORD, last_activity=T0, mobile_phone="+32470123456")
    AddressFactory(user=user)
    services.communication_preferences_set(user=user, choices={"marketing": True}, via="account_page")
    session_of(user, f"phone{user.pk}")
    session_of(user, f"laptop{user.pk}")
    photo = Photo(user=user, filename="holiday-emma.jpg", content_hash=f"{user.pk:064d}", size_bytes=5)
    photo.original.save("holiday-emma.jpg", ContentFile(b"jpeg!"), save=False)
    photo.save()
    return user


@pytest.fixture
def officer(db) -> User:
    return UserFactory(is_staff=True, email="privacy@example.com")


@pytest.mark.django_db
def test_stx4_closing_an_account_ends_its_sessions_and_records_who_closed_it(officer):
    user, other = customer(), customer()
    visitor = session_of(None, "visitor")

    with time_machine.travel(T0, tick=False):
        closed = services.account_close(user=user, actor=officer, reason="customer_request")

    user.refresh_from_db()
    assert user.closed_at == T0 == closed.closed_at
    assert not user.is_active
    assert not Session.objects.filter(account=user).exists()
    assert Session.objects.filter(account=other).count() == 2
    assert Session.objects.filter(pk=visitor.pk).exists()
    event = AccountEvent.objects.get()
    assert (event.user, event.actor, event.kind, event.at) == (user, officer, AccountEvent.Kind.CLOSED, T0)
    assert event.detail == {"reason": "customer_request", "sessions_ended": 2}
    # The account's data stays until the retention sweep (or an erasure) ends it.
    assert Address.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_closed_account_can_no_longer_sign_in(client):
    user = customer()
    services.account_close(user=user)

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302


@pytest.mark.django_db
def test_closing_a_closed_account_changes_nothing_and_writes_no_second_record(officer):
    user = customer()
    with time_machine.travel(T0, tick=False):
        services.account_close(user=user, actor=officer)
    with time_machine.travel(T0 + datetime.timedelta(hours=5), tick=False):
        services.account_close(user=user, actor=officer)

    user.refresh_from_db()
    assert user.closed_at == T0
    assert AccountEvent.objects.count() == 1


@pytest.mark.django_db
def test_close_and_erase_refuse_staff_accounts(officer):
    colleague = UserFactory(is_staff=True)
    session_of(colleague, "colleague")

    for service in (services.account_close, services.account_erase):
        with pytest.raises(ValidationError):
            service(user=colleague, actor=officer)

    colleague.refresh_from_db()
    assert colleague.closed_at is None
    assert colleague.is_active
    assert colleague.anonymised_at is None
    assert Session.objects.filter(account=colleague).exists()
    assert not AccountEvent.objects.exists()


@pytest.mark.django_db
def test_close_refuses_a_reason_that_is_not_a_code():
    user = customer()
    with pytest.raises(ValidationError):
        services.account_close(user=user, reason="Emma Janssens phoned from Kerkstraat 1")
    user.refresh_from_db()
    assert user.closed_at is None
    assert not AccountEvent.objects.exists()


@pytest.mark.django_db
def test_close_and_erase_cannot_run_inside_a_callers_transaction():
    """Durable: the change and its record commit together; no caller can roll back one of them."""
    user = customer()
    for service in (services.account_close, services.account_erase):
        with pytest.raises(RuntimeError), transaction.atomic():
            service(user=user)
    user.refresh_from_db()
    assert user.closed_at is None


@pytest.mark.django_db
def test_stx4_the_sweep_finishes_a_closed_account_48_hours_later():
    user = customer()
    with time_machine.travel(T0, tick=False):
        services.account_close(user=user)

    with time_machine.travel(T0 + datetime.timedelta(hours=47), tick=False):
        run_sweep()
    user.refresh_from_db()
    assert user.anonymised_at is None
    with time_machine.travel(T0 + datetime.timedelta(hours=49), tick=False):
        run_sweep()
    user.refresh_from_db()
    assert user.anonymised_at is not None
    # The record of the closure stays: it names no one once the account is anonymised.
    assert AccountEvent.objects.filter(user=user, kind=AccountEvent.Kind.CLOSED).exists()


@pytest.mark.django_db
def test_smp9_erasing_an_open_account_closes_it_erases_it_now_and_records_both(
    officer, django_capture_on_commit_callbacks
):
    user, other = customer(), customer()
    original = Photo.objects.get(user=user).original.name

    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        outcome = services.account_erase(user=user, actor=officer)

    user.refresh_from_db()
    assert user.closed_at == T0
    assert user.anonymised_at == T0
    assert user.email == f"anonymised-{user.pk}@anonymised.invalid"
    assert (user.first_name, user.last_name, user.mobile_phone) == ("", "", "")
    for model in (Address, CommunicationPreference, EmailAddress, Photo):
        assert not model.objects.filter(user=user).exists(), model
    assert not Session.objects.filter(account=user).exists()
    assert not storages["default"].exists(original)
    assert outcome["photos.Photo"] == {"erased": 1, "restricted": 0}
    events = {event.kind: event for event in AccountEvent.objects.filter(user=user)}
    assert set(events) == {AccountEvent.Kind.CLOSED, AccountEvent.Kind.ERASED}
    assert all(event.actor == officer and event.at == T0 for event in events.values())
    assert events["erased"].detail["records"] == outcome
    assert events["erased"].detail["closed_at"] == T0.isoformat()
    # Nothing in the record names the person.
    assert "Emma" not in str(events["erased"].detail)
    assert "holiday" not in str(events["erased"].detail)
    # The other customer keeps everything.
    assert Address.objects.filter(user=other).exists()
    assert storages["default"].exists(Photo.objects.get(user=other).original.name)


@pytest.mark.django_db
def test_erasing_a_closed_account_keeps_when_it_was_closed(officer):
    user = customer()
    with time_machine.travel(T0, tick=False):
        services.account_close(user=user, actor=officer, reason="customer_request")
    later = T0 + datetime.timedelta(hours=3)

    with time_machine.travel(later, tick=False):
        services.account_erase(user=user, actor=officer)

    user.refresh_from_db()
    assert (user.closed_at, user.anonymised_at) == (T0, later)
    # The erasure takes the person's earlier records with the rest of their data and leaves its own.
    event = AccountEvent.objects.get(user=user)
    assert (event.kind, event.at, event.detail["closed_at"]) == (AccountEvent.Kind.ERASED, later, T0.isoformat())


@pytest.mark.django_db
def test_a_failed_erasure_leaves_the_account_open_and_unrecorded(monkeypatch, django_capture_on_commit_callbacks):
    user = customer()
    original = Photo.objects.get(user=user).original.name

    def broken(*args, **kwargs):
        raise OSError("database went away")

    monkeypatch.setattr(services, "erase_subject", broken)
    with pytest.raises(OSError, match="went away"), django_capture_on_commit_callbacks(execute=True):
        services.account_erase(user=user)

    user.refresh_from_db()
    assert user.closed_at is None
    assert user.is_active
    assert Session.objects.filter(account=user).count() == 2
    assert not AccountEvent.objects.exists()
    assert storages["default"].exists(original)
