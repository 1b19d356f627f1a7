"""Every retention rule whose data exists, at the boundary: one day before (intact) and one day after (applied).

Time travels with time-machine; each test is named after the rule it proves.
"""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType

from accounts import services
from accounts.models import Address, CommunicationPreference, Session, User
from accounts.tests.factories import AddressFactory, UserFactory
from privacy.sweep import run_sweep

T0 = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def sweep_at(moment: datetime.datetime, preset: str):
    with time_machine.travel(moment, tick=False):
        return run_sweep(preset=preset)


def boundary(period: relativedelta) -> tuple[datetime.datetime, datetime.datetime]:
    end = T0 + period
    return end - DAY, end + DAY


def make_customer(**fields) -> User:
    """A customer who signed up, was last active and left data of every kind at T0."""
    with time_machine.travel(T0, tick=False):
        user = UserFactory(
            first_name="Emma",
            last_name="Janssens",
            birth_date=datetime.date(1990, 6, 30),
            mobile_phone="+32470123456",
            last_activity=T0,
            **fields,
        )
        AddressFactory(user=user)
        services.communication_preferences_set(user=user, choices={"marketing": True}, via="account_page")
    return user


def assert_intact(user: User) -> None:
    user.refresh_from_db()
    assert user.email.startswith("user")
    assert user.first_name == "Emma"
    assert user.anonymised_at is None
    assert Address.objects.filter(user=user).exists()
    assert EmailAddress.objects.filter(user=user).exists()


def assert_anonymised(user: User) -> None:
    user.refresh_from_db()
    assert user.email == f"anonymised-{user.pk}@anonymised.invalid"
    assert (user.first_name, user.last_name, str(user.mobile_phone or "")) == ("", "", "")
    assert user.birth_date == datetime.date(1990, 1, 1)  # generalised to the year
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.anonymised_at is not None
    assert not Address.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(user=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["default", "stampix"])
def test_stx1_account_anonymised_10_years_after_last_activity(preset):
    user = make_customer()
    before, after = boundary(relativedelta(years=10))
    sweep_at(before, preset)
    assert_intact(user)
    run = sweep_at(after, preset)
    assert_anonymised(user)
    assert run.counts["STX-1"]["models"]["accounts.User"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["default", "stampix"])
def test_stx1_communication_preferences_deleted_10_years_after_last_activity(preset):
    user = make_customer()
    before, after = boundary(relativedelta(years=10))
    sweep_at(before, preset)
    assert CommunicationPreference.objects.filter(user=user).exists()
    sweep_at(after, preset)
    assert not CommunicationPreference.objects.filter(user=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["default", "stampix"])
def test_stx1_recent_activity_keeps_the_account(preset):
    user = make_customer()
    with time_machine.travel(T0 + relativedelta(years=9), tick=False):
        services.user_record_activity(user=user)
    sweep_at(T0 + relativedelta(years=10) + DAY, preset)
    assert_intact(user)


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["default", "stampix"])
def test_stx4_closed_account_anonymised_within_48_hours(preset):
    user = make_customer(closed_at=T0)
    before, after = boundary(relativedelta(hours=48))
    sweep_at(before, preset)
    assert_intact(user)
    sweep_at(after, preset)
    assert_anonymised(user)


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["default", "stampix"])
def test_stx4_communication_preferences_of_a_closed_account_deleted_within_48_hours(preset):
    user = make_customer(closed_at=T0)
    before, after = boundary(relativedelta(hours=48))
    sweep_at(before, preset)
    assert CommunicationPreference.objects.filter(user=user).exists()
    sweep_at(after, preset)
    assert not CommunicationPreference.objects.filter(user=user).exists()


def _session(key: str, account=None) -> Session:
    with time_machine.travel(T0, tick=False):
        return Session.objects.create(
            session_key=key, session_data="e30:visitor", expire_date=T0 + relativedelta(weeks=2), account=account
        )


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["default", "smartphoto"])
def test_smp1_visitor_session_deleted_24_hours_after_the_visit(preset):
    visitor = _session("visitor-session")
    signed_in = _session("account-session", account=make_customer())
    before, after = boundary(relativedelta(hours=24))
    sweep_at(before, preset)
    assert Session.objects.filter(pk=visitor.pk).exists()
    sweep_at(after, preset)
    assert not Session.objects.filter(pk=visitor.pk).exists()
    assert Session.objects.filter(pk=signed_in.pk).exists()  # account data, not visitor data


@pytest.mark.django_db
def test_pix9_access_log_deleted_2_years_after_it_was_recorded():
    staff = UserFactory(is_staff=True)
    with time_machine.travel(T0, tick=False):
        entry = LogEntry.objects.log_actions(
            user_id=staff.pk,
            queryset=User.objects.filter(pk=staff.pk),
            action_flag=ADDITION,
            change_message="created",
            single_object=True,
        )
    assert ContentType.objects.exists()
    before, after = boundary(relativedelta(years=2))
    sweep_at(before, "default")
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    sweep_at(after, "default")
    assert not LogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_smp2_account_deleted_2_years_after_it_was_closed():
    user = make_customer(closed_at=T0)
    before, after = boundary(relativedelta(years=2))
    sweep_at(before, "smartphoto")
    assert_intact(user)
    sweep_at(after, "smartphoto")
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Address.objects.filter(user_id=user.pk).exists()


@pytest.mark.django_db
def test_smp4_communication_data_deleted_2_years_after_the_last_communication():
    user = make_customer()
    before, after = boundary(relativedelta(years=2))
    sweep_at(before, "smartphoto")
    assert CommunicationPreference.objects.filter(user=user).exists()
    sweep_at(after, "smartphoto")
    assert not CommunicationPreference.objects.filter(user=user).exists()
    assert User.objects.filter(pk=user.pk).exists()  # the account itself is still open


@pytest.mark.django_db
def test_pix5_newsletter_data_deleted_when_unsubscribed():
    user = make_customer()
    with time_machine.travel(T0 + relativedelta(months=1), tick=False):
        services.communication_preferences_set(
            user=user, choices={"marketing": False, "service": False}, via="unsubscribe_link"
        )
    unsubscribed = T0 + relativedelta(months=1)
    sweep_at(unsubscribed - DAY, "pix")
    assert CommunicationPreference.objects.filter(user=user, kind="marketing").exists()
    sweep_at(unsubscribed + DAY, "pix")
    assert not CommunicationPreference.objects.filter(user=user, kind="marketing").exists()
    # Opting out of service messages is not a newsletter: that choice stays on record.
    assert CommunicationPreference.objects.get(user=user, kind="service").enabled is False


@pytest.mark.django_db
def test_pix6_account_deleted_3_months_after_it_was_closed():
    user = make_customer(closed_at=T0)
    before, after = boundary(relativedelta(months=3))
    sweep_at(before, "pix")
    assert_intact(user)
    sweep_at(after, "pix")
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_staff_accounts_are_never_swept():
    staff = make_customer(is_staff=True, closed_at=T0)
    sweep_at(T0 + relativedelta(years=20), "default")
    assert_intact(staff)


@pytest.mark.django_db
def test_smp4_never_undoes_an_opt_out_of_service_messages():
    """Deleting a "service messages off" record would bring the default (on) back: it stays, the rest goes."""
    from accounts.selectors import communication_preferences_for

    user = make_customer()
    with time_machine.travel(T0, tick=False):
        services.communication_preferences_set(user=user, choices={"service": False}, via="unsubscribe_link")
    before, after = boundary(relativedelta(years=2))
    sweep_at(before, "smartphoto")
    sweep_at(after, "smartphoto")
    assert not CommunicationPreference.objects.filter(user=user, kind="marketing").exists()
    kept = CommunicationPreference.objects.get(user=user, kind="service")
    assert (kept.enabled, kept.changed_via) == (False, "unsubscribe_link")
    states = {state.kind: state.enabled for state in communication_preferences_for(user=user)}
    assert states["service"] is False  # still unsubscribed, years later
    # Idempotent: the next sweeps leave it as it is.
    sweep_at(after + relativedelta(years=1), "smartphoto")
    assert CommunicationPreference.objects.filter(user=user, kind="service", enabled=False).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["default", "stampix"])
def test_stx4_an_opt_out_goes_with_the_closed_account(preset):
    user = make_customer(closed_at=T0)
    with time_machine.travel(T0, tick=False):
        services.communication_preferences_set(user=user, choices={"service": False}, via="account_page")
    sweep_at(T0 + relativedelta(hours=48) + DAY, preset)
    assert not CommunicationPreference.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_stx1_an_opt_out_goes_with_the_anonymised_account():
    user = make_customer()
    with time_machine.travel(T0, tick=False):
        services.communication_preferences_set(user=user, choices={"service": False}, via="account_page")
    after = T0 + relativedelta(years=10) + DAY
    sweep_at(after, "stampix")
    assert_anonymised(user)
    # The account is anonymised in the same run; the opt-out goes at the next one, minutes later.
    sweep_at(after + relativedelta(minutes=15), "stampix")
    assert not CommunicationPreference.objects.filter(user=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["default", "stampix"])
def test_stx4_the_sweep_records_what_it_does_to_an_account(preset):
    """The system's changes to accounts leave an audit row too (AccountEvent without an actor, naming the rule)."""
    from accounts.models import AccountEvent

    user = make_customer(closed_at=T0)
    other = make_customer()
    sweep_at(T0 + relativedelta(hours=48) + DAY, preset)
    event = AccountEvent.objects.get(user=user)
    assert (event.kind, event.actor, event.detail) == ("anonymised", None, {"rule": "STX-4"})
    assert event.at == T0 + relativedelta(hours=48) + DAY
    assert not AccountEvent.objects.filter(user=other).exists()
    # Idempotent: an anonymised account is not recorded again.
    sweep_at(T0 + relativedelta(hours=48) + 2 * DAY, preset)
    assert AccountEvent.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_smp2_an_account_deleted_by_the_sweep_leaves_a_record_naming_no_one():
    from accounts.models import AccountEvent

    user = make_customer(closed_at=T0)
    sweep_at(T0 + relativedelta(years=2) + DAY, "smartphoto")
    assert not User.objects.filter(pk=user.pk).exists()
    event = AccountEvent.objects.get(kind="deleted")
    assert (event.user, event.detail) == (None, {"rule": "SMP-2"})


@pytest.mark.django_db
def test_smp4_counts_from_the_last_message_we_sent_not_from_a_sign_in():
    from accounts.models import MessageLog

    talked_to, signed_in = make_customer(), make_customer()
    a_year_later = T0 + relativedelta(years=1)
    MessageLog.objects.create(user=talked_to, kind=MessageLog.Kind.SERVICE, template="t", sent_at=a_year_later)
    User.objects.filter(pk=signed_in.pk).update(last_activity=a_year_later)
    sweep_at(T0 + relativedelta(years=2) + DAY, "smartphoto")
    assert CommunicationPreference.objects.filter(user=talked_to).exists()  # 2 years after the message: not yet
    assert MessageLog.objects.filter(user=talked_to).exists()
    assert not CommunicationPreference.objects.filter(user=signed_in).exists()  # a sign-in is no communication
    sweep_at(a_year_later + relativedelta(years=2) - DAY, "smartphoto")
    assert CommunicationPreference.objects.filter(user=talked_to).exists()
    sweep_at(a_year_later + relativedelta(years=2) + DAY, "smartphoto")
    assert not CommunicationPreference.objects.filter(user=talked_to).exists()
    assert not MessageLog.objects.filter(user=talked_to).exists()
