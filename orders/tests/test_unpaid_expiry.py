"""Unpaid orders end: cancelled 7 days after placing, or 48 hours after a failed payment not retried.

The customer is told, the promo code on the order can be used again, and the
order's audit trail says the system did it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from accounts.tests.factories import UserFactory
from orders.models import Cart, Order, OrderDiscount, OrderEvent, OrderStatus, Payment
from orders.services.expiry import orders_cancel_unpaid
from orders.tasks import cancel_unpaid, send_reminders
from orders.tests.factories import OrderFactory
from promotions.models import Code, Redemption
from promotions.services import code_redeem
from promotions.tests.factories import CodeFactory

T0 = datetime(2026, 5, 4, 23, 50, tzinfo=UTC)  # late in the day: the limit holds to the minute
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def at(travel):
    travel(T0)
    return travel


def run(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return cancel_unpaid.delay().get()


@pytest.fixture
def unpaid(db, at):
    """An order placed at T0 for € 14,95 with a promo code on it, waiting for payment."""
    user = UserFactory(language="nl")
    code = CodeFactory(code="FREE34679", campaign__starts_at=T0 - DAY)
    cart = Cart.objects.create(user=user)
    redemption = code_redeem(cart=cart, user=user, raw_code=code.code)
    order = OrderFactory(user=user, cart=cart, status=OrderStatus.PLACED, placed_at=T0, total_cents=1495)
    Redemption.objects.filter(pk=redemption.pk).update(order=order)
    OrderDiscount.objects.create(order=order, label="Code FREE34679", source="promo:FREE34679", amount_cents=-390)
    return order


def test_an_order_unpaid_for_7_days_is_cancelled_at_the_minute_not_before(
    unpaid, at, django_capture_on_commit_callbacks
):
    at(T0 + 6 * DAY)  # the day before
    assert run(django_capture_on_commit_callbacks) == 0
    at(T0 + 7 * DAY - timedelta(minutes=1))
    assert run(django_capture_on_commit_callbacks) == 0
    assert Order.objects.get(pk=unpaid.pk).status == OrderStatus.PLACED
    at(T0 + 7 * DAY)  # the boundary
    assert run(django_capture_on_commit_callbacks) == 1
    order = Order.objects.get(pk=unpaid.pk)
    assert order.status == OrderStatus.CANCELLED
    assert order.status_reason == "niet op tijd betaald"  # in the customer's language, on their order page
    event = OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.STATUS)
    assert event.actor is None
    assert event.detail["by"] == "system"
    # The code is free again, for this customer or anyone.
    assert Code.objects.get(code="FREE34679").used == 0
    assert Redemption.objects.get(order=order).status == Redemption.Status.RELEASED
    # The customer is told, in their language.
    (message,) = mail.outbox
    assert message.to == [unpaid.email]
    assert message.subject == f"Je bestelling {unpaid.number} is geannuleerd: ze werd niet betaald"
    assert "€ 14,95" in message.body
    assert "FREE34679" in message.body
    # The day after: nothing more.
    at(T0 + 8 * DAY)
    assert run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1


def test_a_failed_payment_not_retried_ends_the_order_48_hours_later(unpaid, at, django_capture_on_commit_callbacks):
    failed_at = T0 + 2 * HOUR
    at(failed_at)
    Payment.objects.create(order=unpaid, intent_id="pi_failed", amount_cents=1495, status=Payment.Status.FAILED)
    at(failed_at + 47 * HOUR)
    assert run(django_capture_on_commit_callbacks) == 0
    at(failed_at + 48 * HOUR)
    assert run(django_capture_on_commit_callbacks) == 1
    assert Order.objects.get(pk=unpaid.pk).status == OrderStatus.CANCELLED


def test_a_new_attempt_after_a_failed_payment_keeps_the_order_until_its_7_days(
    unpaid, at, django_capture_on_commit_callbacks
):
    Payment.objects.create(order=unpaid, intent_id="pi_failed", amount_cents=1495, status=Payment.Status.FAILED)
    at(T0 + HOUR)
    Payment.objects.create(order=unpaid, intent_id="pi_again", amount_cents=1495)  # pending
    at(T0 + 3 * DAY)
    assert run(django_capture_on_commit_callbacks) == 0
    at(T0 + 7 * DAY)
    assert run(django_capture_on_commit_callbacks) == 1


def test_paid_and_already_cancelled_orders_are_left_alone(db, at, django_capture_on_commit_callbacks):
    OrderFactory(status=OrderStatus.PAID, placed_at=T0)
    OrderFactory(status=OrderStatus.CANCELLED, placed_at=T0)
    at(T0 + 30 * DAY)
    assert run(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_an_order_paid_just_before_its_cancellation_stays_paid(unpaid, at, django_capture_on_commit_callbacks):
    at(T0 + 7 * DAY)
    Order.objects.filter(pk=unpaid.pk).update(status=OrderStatus.PAID)
    assert orders_cancel_unpaid() == 0
    assert Order.objects.get(pk=unpaid.pk).status == OrderStatus.PAID


def test_the_payment_reminder_says_when_the_order_will_be_cancelled(unpaid, at, django_capture_on_commit_callbacks):
    at(T0 + 24 * HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders.delay().get()
    (message,) = mail.outbox
    # 7 days after 23:50 UTC on 4 May is 01:50 on 12 May in Brussels.
    assert "Als ze niet betaald is op 12 mei 2026, 01:50, annuleren we ze." in message.body
