"""STX-7 service messages: a cart left or an order unpaid for 24 hours, once, only to those who did not opt out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import CommunicationKind, CommunicationPreference
from accounts.selectors import communication_preferences_for
from accounts.services import communication_preferences_set
from accounts.tests.factories import UserFactory
from orders.models import Cart, OrderEvent, OrderStatus
from orders.services.reminders import UNSUBSCRIBE_MAX_AGE, reminders_send_due, unsubscribe_token
from orders.tasks import send_reminders
from orders.tests.factories import CartFactory, CartLineFactory, OrderFactory

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def at(travel):
    travel(T0)
    return travel


def run(django_capture_on_commit_callbacks) -> dict:
    with django_capture_on_commit_callbacks(execute=True):
        return send_reminders.delay().get()


def service_off(user) -> None:
    communication_preferences_set(user=user, choices={CommunicationKind.SERVICE: False}, via="account_page")


@pytest.fixture
def left_cart(db, at):
    user = UserFactory(language="fr", first_name="Chloé")
    cart = CartFactory(user=user, updated_at=T0)
    CartLineFactory(cart=cart, quantity=5)
    return cart


def test_stx7_cart_reminder_not_before_24_hours(left_cart, at, django_capture_on_commit_callbacks):
    at(T0 + 24 * HOUR - timedelta(minutes=1))
    assert run(django_capture_on_commit_callbacks) == {"carts": 0, "orders": 0}
    assert mail.outbox == []


def test_stx7_cart_reminder_at_24_hours_once_in_the_users_language(left_cart, at, django_capture_on_commit_callbacks):
    at(T0 + 24 * HOUR)
    assert run(django_capture_on_commit_callbacks) == {"carts": 1, "orders": 0}
    message = mail.outbox[0]
    assert message.to == [left_cart.user.email]
    assert message.subject == "Vos tirages sont toujours dans votre panier"
    assert "Bonjour Chloé," in message.body
    assert "5 \u00d7 Photos classiques" in message.body
    assert "/fr/shop/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    left_cart.refresh_from_db()
    assert left_cart.reminded_at == T0 + 24 * HOUR
    # The day after: nothing more.
    at(T0 + 48 * HOUR)
    assert run(django_capture_on_commit_callbacks) == {"carts": 0, "orders": 0}
    assert len(mail.outbox) == 1


def test_stx7_a_cart_changed_after_its_reminder_may_be_reminded_again_a_day_later(
    left_cart, at, django_capture_on_commit_callbacks
):
    at(T0 + 24 * HOUR)
    run(django_capture_on_commit_callbacks)
    Cart.objects.filter(pk=left_cart.pk).update(updated_at=T0 + 30 * HOUR)
    at(T0 + 53 * HOUR)
    assert run(django_capture_on_commit_callbacks)["carts"] == 0
    at(T0 + 54 * HOUR)
    assert run(django_capture_on_commit_callbacks)["carts"] == 1


def test_stx7_no_cart_reminder_after_opting_out_of_service_messages(left_cart, at, django_capture_on_commit_callbacks):
    service_off(left_cart.user)
    at(T0 + 25 * HOUR)
    assert run(django_capture_on_commit_callbacks) == {"carts": 0, "orders": 0}
    assert mail.outbox == []


def test_no_reminder_for_an_empty_cart_a_visitors_cart_or_a_checked_out_cart(
    db, at, django_capture_on_commit_callbacks
):
    CartFactory(updated_at=T0)  # empty
    visitor = Cart.objects.create(session_key="s" * 32, updated_at=T0)
    CartLineFactory(cart=visitor, photo__user=None, photo__session_key="s" * 32)
    checked_out = CartFactory(updated_at=T0)
    CartLineFactory(cart=checked_out)
    OrderFactory(user=checked_out.user, cart=checked_out, placed_at=T0 + HOUR)
    at(T0 + 25 * HOUR)
    assert run(django_capture_on_commit_callbacks)["carts"] == 0


def test_a_week_old_cart_is_left_alone(db, at, django_capture_on_commit_callbacks):
    cart = CartFactory(updated_at=T0 - timedelta(days=8))
    CartLineFactory(cart=cart)
    assert run(django_capture_on_commit_callbacks)["carts"] == 0


@pytest.fixture
def unpaid(db, at):
    return OrderFactory(status=OrderStatus.PLACED, placed_at=T0, language="nl", total_cents=1495)


def test_stx7_unpaid_order_reminder_at_24_hours_not_before(unpaid, at, django_capture_on_commit_callbacks):
    at(T0 + 24 * HOUR - timedelta(seconds=1))
    assert run(django_capture_on_commit_callbacks)["orders"] == 0
    at(T0 + 24 * HOUR)
    assert run(django_capture_on_commit_callbacks)["orders"] == 1
    message = mail.outbox[0]
    assert message.subject == f"Je bestelling {unpaid.number} wacht op betaling"
    assert "€ 14,95" in message.body
    assert "/shop/unsubscribe/" in message.body
    unpaid.refresh_from_db()
    assert unpaid.reminded_at == T0 + 24 * HOUR
    assert OrderEvent.objects.get(order=unpaid).detail == {"email": "payment_reminder"}
    at(T0 + 48 * HOUR)
    assert run(django_capture_on_commit_callbacks)["orders"] == 0
    assert len(mail.outbox) == 1


def test_stx7_no_payment_reminder_after_opting_out(unpaid, at, django_capture_on_commit_callbacks):
    service_off(unpaid.user)
    at(T0 + 25 * HOUR)
    assert run(django_capture_on_commit_callbacks)["orders"] == 0


def test_no_payment_reminder_for_a_paid_guest_or_cancelled_order(db, at, django_capture_on_commit_callbacks):
    OrderFactory(status=OrderStatus.PAID, placed_at=T0)
    OrderFactory(status=OrderStatus.CANCELLED, placed_at=T0)
    OrderFactory(user=None, email="guest@example.com", placed_at=T0)
    at(T0 + 25 * HOUR)
    assert run(django_capture_on_commit_callbacks)["orders"] == 0


def test_an_order_paid_between_selection_and_sending_gets_no_reminder(unpaid, at, django_capture_on_commit_callbacks):
    at(T0 + 25 * HOUR)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders_send_due()
    unpaid.status = OrderStatus.PAID
    unpaid.save(update_fields=["status"])
    for callback in callbacks:
        callback()
    assert mail.outbox == []


def test_the_unsubscribe_link_asks_then_turns_service_messages_off(
    unpaid, at, client, django_capture_on_commit_callbacks
):
    at(T0 + 25 * HOUR)
    run(django_capture_on_commit_callbacks)
    path = re.search(r"https?://[^/\s]+(/shop/unsubscribe/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(path)
    assert page.status_code == 200
    assert "Servicemeldingen uitzetten" in page.content.decode()
    assert not CommunicationPreference.objects.exists()  # a page view writes nothing
    done = client.post(path)
    assert "staan uit" in done.content.decode()
    states = {s.kind: s.enabled for s in communication_preferences_for(user=unpaid.user)}
    assert states[CommunicationKind.SERVICE] is False
    pref = CommunicationPreference.objects.get(user=unpaid.user, kind=CommunicationKind.SERVICE)
    assert pref.changed_via == CommunicationPreference.Source.UNSUBSCRIBE_LINK


def test_the_unsubscribe_link_expires_the_day_after_its_limit(db, at, client):
    user = UserFactory()
    path = reverse("orders:unsubscribe", args=[unsubscribe_token(user)])
    at(T0 + UNSUBSCRIBE_MAX_AGE - timedelta(days=1))
    assert client.get(path).status_code == 200
    at(T0 + UNSUBSCRIBE_MAX_AGE + timedelta(days=1))
    response = client.post(path)
    assert response.status_code == 404
    assert "verlopen" in response.content.decode()
    assert not CommunicationPreference.objects.filter(user=user).exists()


def test_a_forged_unsubscribe_link_changes_nothing(db, client):
    response = client.post(reverse("orders:unsubscribe", args=["forged:token"]))
    assert response.status_code == 404


def test_mail_clients_unsubscribe_in_one_click(unpaid, at, client, django_capture_on_commit_callbacks):
    at(T0 + 25 * HOUR)
    run(django_capture_on_commit_callbacks)
    headers = mail.outbox[0].extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = re.search(r"<https?://[^/]+(/\S+)>", headers["List-Unsubscribe"]).group(1)
    csrf_client = type(client)(enforce_csrf_checks=True)
    response = csrf_client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    pref = CommunicationPreference.objects.get(user=unpaid.user, kind=CommunicationKind.SERVICE)
    assert pref.enabled is False


def test_the_payment_reminder_links_to_the_payment_page(unpaid, at, django_capture_on_commit_callbacks):
    from orders.emails import payment_page_url

    at(T0 + 25 * HOUR)
    run(django_capture_on_commit_callbacks)
    # The checkout's payment page (orders:order_pay), or the order page while the checkout has none.
    expected = payment_page_url(unpaid) or f"/shop/account/orders/{unpaid.pk}/"
    assert expected in mail.outbox[0].body


def test_no_cart_reminder_to_an_address_never_confirmed(db, at, django_capture_on_commit_callbacks):
    user = UserFactory(verified=False)
    cart = CartFactory(user=user, updated_at=T0)
    CartLineFactory(cart=cart)
    at(T0 + 25 * HOUR)
    assert run(django_capture_on_commit_callbacks)["carts"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_remind_each_cart_once_on_postgresql(django_capture_on_commit_callbacks):
    """Two beat runs overlapping: skip_locked gives each cart to one run only."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (DATABASE_URL=postgres://...)")
    old = timezone.now() - 25 * HOUR
    for _ in range(30):
        cart = CartFactory(updated_at=old)
        CartLineFactory(cart=cart)
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def claim() -> None:
        try:
            barrier.wait()
            counts.append(reminders_send_due()["carts"])
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(counts) == 30
    assert len(mail.outbox) == 30
    assert len({m.to[0] for m in mail.outbox}) == 30
