"""Notice before we delete: one e-mail 30 days before the schedule ends an account or photos (once per deadline)."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.core import mail

from accounts.models import CommunicationKind, CommunicationPreference
from accounts.services import communication_preferences_set
from accounts.tests.factories import UserFactory
from conftest import verified_email
from photos.tests.factories import PhotoFactory
from privacy.models import RetentionNotice
from privacy.registry import Category
from privacy.tasks import send_retention_notices

T0 = datetime.datetime(2026, 2, 10, 9, 30, tzinfo=datetime.UTC)


def _customer(**fields):
    with time_machine.travel(T0, tick=False):
        user = UserFactory(last_activity=T0, **fields)
        verified_email(user)
    return user


def _run(moment):
    with time_machine.travel(moment, tick=False):
        return send_retention_notices()


@pytest.mark.django_db
def test_stx1_an_unused_account_gets_one_notice_30_days_before_it_is_anonymised_in_its_language():
    user = _customer(language="fr")
    deadline = T0 + relativedelta(years=10)
    assert _run(deadline - datetime.timedelta(days=31)) == {"planned": 0, "sent": 0}
    assert _run(deadline - datetime.timedelta(days=29)) == {"planned": 1, "sent": 1}
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "Votre compte sera bientôt supprimé"
    assert "10 février 2036" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    notice = RetentionNotice.objects.get(user=user)
    assert notice.category == Category.ACCOUNT
    # The next day: the same deadline, no second notice.
    assert _run(deadline - datetime.timedelta(days=28)) == {"planned": 0, "sent": 0}
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_smp6_photos_not_ordered_get_a_notice_with_how_many_and_from_when():
    user = _customer(language="nl")
    with time_machine.travel(T0, tick=False):
        PhotoFactory.create_batch(3, user=user)
    deadline = T0 + relativedelta(years=2)
    # The account is in use; its photos are not ordered.
    with time_machine.travel(deadline - datetime.timedelta(days=40), tick=False):
        type(user).objects.filter(pk=user.pk).update(last_activity=deadline - datetime.timedelta(days=40))
    assert _run(deadline - datetime.timedelta(days=29))["sent"] == 1
    notice = RetentionNotice.objects.get(user=user)
    assert notice.category == Category.IMAGE
    assert notice.count == 3
    assert notice.due_on == datetime.date(2028, 2, 10)
    assert "3 van je foto's" in mail.outbox[0].body


@pytest.mark.django_db
def test_no_notice_to_someone_who_turned_service_messages_off_or_closed_their_account():
    quiet = _customer()
    communication_preferences_set(
        user=quiet, choices={CommunicationKind.SERVICE: False}, via=CommunicationPreference.Source.ACCOUNT_PAGE
    )
    closed = _customer()
    type(closed).objects.filter(pk=closed.pk).update(closed_at=T0, is_active=False)
    unconfirmed = UserFactory(last_activity=T0)  # never confirmed the address
    EmailAddress.objects.filter(user=unconfirmed).update(verified=False)
    assert _run(T0 + relativedelta(years=10) - datetime.timedelta(days=29)) == {"planned": 0, "sent": 0}
    assert not RetentionNotice.objects.filter(user__in=[quiet, closed, unconfirmed]).exists()


@pytest.mark.django_db
def test_a_sent_notice_is_logged_as_a_service_message():
    from accounts.models import MessageLog

    user = _customer()
    _run(T0 + relativedelta(years=10) - datetime.timedelta(days=29))
    (logged,) = MessageLog.objects.filter(user=user)
    assert logged.kind == MessageLog.Kind.SERVICE
    assert logged.template == "privacy/email/retention_notice"
