"""STX-7: a code left in a cart is reminded once, 3 days before its campaign ends, unless service messages are off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from accounts.models import CommunicationKind, MessageLog
from accounts.services import communication_preferences_set
from accounts.tests.factories import UserFactory
from orders.models import Cart
from orders.tests.factories import OrderFactory
from promotions.models import Redemption
from promotions.services import code_redeem, code_reminders_send_due, redemption_release
from promotions.tasks import send_code_reminders
from promotions.tests.factories import CodeFactory

ENDS = datetime(2026, 6, 30, 21, 59, tzinfo=UTC)  # 23:59 in Brussels
DAY = timedelta(days=1)


@pytest.fixture
def at(travel):
    travel(ENDS - 20 * DAY)
    return travel


@pytest.fixture
def in_cart(db, at):
    user = UserFactory(language="fr", first_name="Chloé")
    code = CodeFactory(code="KDO3467CAT", campaign__ends_at=ENDS, campaign__sponsor__name="Studentenraad")
    return code_redeem(cart=Cart.objects.create(user=user), user=user, raw_code=code.code)


def run(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return send_code_reminders.delay().get()


def test_stx7_a_code_in_a_cart_is_reminded_3_days_before_it_ends_once(in_cart, at, django_capture_on_commit_callbacks):
    at(ENDS - 3 * DAY - timedelta(minutes=1))
    assert run(django_capture_on_commit_callbacks) == 0
    at(ENDS - 3 * DAY)
    assert run(django_capture_on_commit_callbacks) == 1
    (message,) = mail.outbox
    assert message.to == [in_cart.user.email]
    assert message.subject == "Votre code KDO3467CAT expire bientôt"
    assert "Bonjour Chloé," in message.body
    assert "Studentenraad" in message.body
    assert "30 juin 2026, 23:59" in message.body
    assert "/fr/shop/cart/" in message.body
    assert "/fr/shop/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert MessageLog.objects.get(user=in_cart.user).kind == MessageLog.Kind.SERVICE
    # The day after: nothing more.
    at(ENDS - 2 * DAY)
    assert run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1


def test_no_code_reminder_after_opting_out_ordering_removing_or_the_end(
    in_cart, at, django_capture_on_commit_callbacks
):
    communication_preferences_set(user=in_cart.user, choices={CommunicationKind.SERVICE: False}, via="account_page")
    other = UserFactory()
    ordered = code_redeem(
        cart=Cart.objects.create(user=other), user=other, raw_code=CodeFactory(campaign__ends_at=ENDS).code
    )
    Redemption.objects.filter(pk=ordered.pk).update(order=OrderFactory(user=other))
    third = UserFactory()
    removed = code_redeem(
        cart=Cart.objects.create(user=third), user=third, raw_code=CodeFactory(campaign__ends_at=ENDS).code
    )
    redemption_release(redemption=removed, reason="removed from the cart")
    unconfirmed = UserFactory(verified=False)  # an address nobody confirmed may be someone else's
    code_redeem(
        cart=Cart.objects.create(user=unconfirmed), user=unconfirmed, raw_code=CodeFactory(campaign__ends_at=ENDS).code
    )
    at(ENDS - DAY)
    assert run(django_capture_on_commit_callbacks) == 0
    at(ENDS)
    assert run(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_code_used_between_claim_and_sending_gets_no_reminder(in_cart, at, django_capture_on_commit_callbacks):
    at(ENDS - 2 * DAY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert code_reminders_send_due() == 1
    Redemption.objects.filter(pk=in_cart.pk).update(order=OrderFactory(user=in_cart.user))
    for callback in callbacks:
        callback()
    assert mail.outbox == []
