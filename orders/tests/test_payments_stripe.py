"""Payments over real HTTP: the official stripe library against localstripe on loopback.

Webhooks are verified as Stripe signs them (``t=...,v1=HMAC-SHA256``); the
shop marks an order paid only from a verified ``payment_intent.succeeded``.
"""

import datetime
import hashlib
import hmac
import json
import time

import pytest
import stripe
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from orders.models import Cart, OrderEvent, OrderStatus, Payment, Refund, StripeEvent
from orders.services.checkout import Delivery, order_place
from orders.services.expiry import orders_cancel_unpaid
from orders.services.payments import payment_recheck, payment_start, refund_create
from orders.tests.factories import (
    CartLineFactory,
    FormatFactory,
    ProductFactory,
    ShippingMethodFactory,
    VatRateFactory,
)

WEBHOOK = "/payments/stripe/webhook/"


def en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def _client(settings):
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})


def signed(payload: dict, secret: str, *, at: int | None = None) -> tuple[bytes, str]:
    """Return a body and its Stripe-Signature header, made exactly as Stripe makes them."""
    body = json.dumps(payload).encode()
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={mac}"


def event_of(intent: dict, event_type: str, event_id: str = "") -> dict:
    return {
        "id": event_id or f"evt_{intent['id']}_{event_type}",
        "object": "event",
        "type": event_type,
        "data": {"object": intent},
    }


def post_event(client, settings, payload: dict, **kwargs):
    body, header = signed(payload, settings.STRIPE_WEBHOOK_SECRET, **kwargs)
    return client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


@pytest.fixture
def order(db, stripe_settings):
    VatRateFactory(kind="print", country="BE", rate_bp=2100)
    VatRateFactory(kind="shipping", country="BE", rate_bp=2100)
    user = UserFactory()
    cart = Cart.objects.create(user=user)
    CartLineFactory(
        cart=cart, format=FormatFactory(product=ProductFactory(slug="classic"), price_cents=39), quantity=10
    )
    return order_place(
        cart=cart,
        user=user,
        delivery=Delivery(
            email=user.email,
            ship_name="Emma",
            ship_street="Kerkstraat 1",
            ship_postal_code="9000",
            ship_city="Gent",
            ship_country="BE",
        ),
        shipping=ShippingMethodFactory(country="BE", price_cents=495),
        language="nl",
    )


def _pay(settings, intent_id: str, method: str = "pm_card_visa") -> dict:
    client = _client(settings)
    client.v1.payment_intents.update(intent_id, params={"payment_method": method})
    return client.v1.payment_intents.confirm(intent_id).to_dict()


@pytest.mark.django_db
def test_one_payment_intent_per_attempt_reused_on_reload(client, order, settings):
    client.force_login(order.user)
    first = client.get(en("orders:order_pay", order.pk))
    second = client.get(en("orders:order_pay", order.pk))
    assert first.status_code == second.status_code == 200
    order.refresh_from_db()
    assert Payment.objects.filter(order=order).count() == 1
    intent = _client(settings).v1.payment_intents.retrieve(order.payment_intent_id)
    assert intent.amount == order.total_cents == 885
    assert intent.client_secret in first.content.decode()


@pytest.mark.django_db
def test_paid_only_from_the_verified_webhook_and_once(client, order, settings, mailoutbox):
    intent = payment_start(order=order)
    paid = _pay(settings, intent.id)
    assert paid["status"] == "succeeded"
    # The browser's return changes nothing.
    client.force_login(order.user)
    page = client.get(en("orders:order_return", order.pk)).content.decode()
    assert "waiting for the confirmation" in page
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    # The signed webhook pays the order, and empties its cart.
    event = event_of(paid, "payment_intent.succeeded", "evt_1")
    response = post_event(client, settings, event)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.cart is None
    assert not Cart.objects.get(user=order.user).lines.exists()
    assert "Thank you! Your payment is received" in client.get(en("orders:order_return", order.pk)).content.decode()
    # A replay, and a second event for the same intent, do nothing more.
    assert post_event(client, settings, event).content == b"duplicate"
    assert post_event(client, settings, event_of(paid, "payment_intent.succeeded", "evt_2")).content == (
        b"already paid"
    )
    assert order.events.filter(kind=OrderEvent.Kind.STATUS, to_status=OrderStatus.PAID).count() == 1
    assert StripeEvent.objects.count() == 2


@pytest.mark.django_db
def test_bad_signature_and_stale_timestamp_are_refused(client, order, settings):
    intent = payment_start(order=order)
    paid = _pay(settings, intent.id)
    event = event_of(paid, "payment_intent.succeeded")
    body, header = signed(event, "whsec_someone_else")
    assert client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header).status_code == 400
    assert client.post(WEBHOOK, b"{}", content_type="application/json").status_code == 400
    assert post_event(client, settings, event, at=int(time.time()) - 3600).status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert not StripeEvent.objects.exists()
    assert client.get(WEBHOOK).status_code == 405


@pytest.mark.django_db
def test_a_declined_card_fails_the_attempt_and_the_shopper_can_try_again(client, order, settings):
    intent = payment_start(order=order)
    with pytest.raises(stripe.CardError) as declined:
        _pay(settings, intent.id, "pm_card_chargeCustomerFail")
    assert declined.value.code == "card_declined"
    failed = _client(settings).v1.payment_intents.retrieve(intent.id).to_dict()
    failed.setdefault("last_payment_error", {"code": "card_declined"})
    post_event(client, settings, event_of(failed, "payment_intent.payment_failed"))
    payment = Payment.objects.get(intent_id=intent.id)
    assert payment.status == Payment.Status.FAILED
    assert payment.failure_code == "card_declined"
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    client.force_login(order.user)
    page = client.get(en("orders:order_return", order.pk)).content.decode()
    assert "Your payment did not go through" in page
    # Trying again is a new attempt with its own intent; a good card then pays the order.
    retry = payment_start(order=order)
    assert retry.id != intent.id
    assert Payment.objects.filter(order=order).count() == 2
    paid = _pay(settings, retry.id)
    post_event(client, settings, event_of(paid, "payment_intent.succeeded"))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


@pytest.mark.django_db
def test_an_out_of_order_failure_after_success_changes_nothing(client, order, settings):
    intent = payment_start(order=order)
    paid = _pay(settings, intent.id)
    post_event(client, settings, event_of(paid, "payment_intent.succeeded"))
    stale = {**paid, "status": "requires_payment_method", "last_payment_error": {"code": "card_declined"}}
    assert post_event(client, settings, event_of(stale, "payment_intent.payment_failed")).content == b"no change"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Payment.objects.get().status == Payment.Status.SUCCEEDED


@pytest.mark.django_db
def test_staff_recheck_applies_stripes_state_like_the_webhook_and_twice_is_harmless(order, settings):
    intent = payment_start(order=order)
    _pay(settings, intent.id)
    assert payment_recheck(order=order) == "paid"
    assert payment_recheck(order=order) == "already paid"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


@pytest.mark.django_db
def test_refunds_per_line_and_whole_with_stripe(order, settings, mailoutbox):
    intent = payment_start(order=order)
    _pay(settings, intent.id)
    payment_recheck(order=order)
    line = order.lines.get()
    with pytest.raises(ValidationError) as too_much:
        refund_create(order=order, amount_cents=391, reason="too much for the line", line=line)
    assert too_much.value.code == "amount"
    part = refund_create(order=order, amount_cents=78, reason="two prints were creased", line=line)
    assert part.status == Refund.Status.SUCCEEDED
    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.refunded_cents, line.refunded_cents, order.status) == (78, 78, OrderStatus.PAID)
    rest = refund_create(order=order, amount_cents=885 - 78, reason="customer cancelled")
    assert rest.status == Refund.Status.SUCCEEDED
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    charge = _client(settings).v1.payment_intents.retrieve(intent.id)
    assert charge.status == "succeeded"
    assert order.events.filter(kind=OrderEvent.Kind.REFUND, detail__result="refunded").count() == 2


@pytest.mark.django_db(transaction=True)
def test_localstripes_own_signed_webhook_pays_the_order(live_server, order, settings):
    """localstripe delivers a real signed payment_intent.succeeded to the running site."""
    import requests

    response = requests.post(
        f"{settings.STRIPE_API_BASE}/_config/webhooks/photoshop",
        json={
            "url": live_server.url + WEBHOOK,
            "secret": settings.STRIPE_WEBHOOK_SECRET,
            "events": ["payment_intent.succeeded", "payment_intent.payment_failed"],
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    intent = payment_start(order=order)
    _pay(settings, intent.id)
    for _ in range(100):
        order.refresh_from_db()
        if order.status == OrderStatus.PAID:
            break
        time.sleep(0.1)
    assert order.status == OrderStatus.PAID
    assert StripeEvent.objects.filter(type="payment_intent.succeeded").exists()
    # Left registered, it would post to a server that is gone: point it at nothing for later tests.
    requests.post(
        f"{settings.STRIPE_API_BASE}/_config/webhooks/photoshop",
        json={"url": "http://127.0.0.1:9/", "secret": "x", "events": ["none.none"]},
        timeout=10,
    )


@pytest.mark.django_db
def test_a_refund_made_in_stripes_dashboard_is_recorded_once(client, order, settings):
    intent = payment_start(order=order)
    paid = _pay(settings, intent.id)
    post_event(client, settings, event_of(paid, "payment_intent.succeeded"))
    charge = {"id": "ch_dash", "object": "charge", "payment_intent": intent.id, "amount_refunded": 200}
    event = {"id": "evt_refund_1", "object": "event", "type": "charge.refunded", "data": {"object": charge}}
    assert post_event(client, settings, event).content == b"refunded"
    again = {**event, "id": "evt_refund_2"}
    assert post_event(client, settings, again).content == b"no change"
    order.refresh_from_db()
    assert (order.refunded_cents, order.status) == (200, OrderStatus.PAID)
    full = {**event, "id": "evt_refund_3", "data": {"object": {**charge, "amount_refunded": 885}}}
    post_event(client, settings, full)
    order.refresh_from_db()
    assert (order.refunded_cents, order.status) == (885, OrderStatus.REFUNDED)
    assert Refund.objects.filter(order=order).count() == 2


@pytest.mark.django_db
def test_an_unpaid_order_cancelled_by_the_system_can_no_longer_be_paid_at_stripe(
    client, order, settings, django_capture_on_commit_callbacks
):
    intent = payment_start(order=order)
    later = order.placed_at + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        assert orders_cancel_unpaid(now=later) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert _client(settings).v1.payment_intents.retrieve(intent.id).status == "canceled"
    client.force_login(order.user)
    page = client.get(en("orders:order_pay", order.pk), follow=True)
    assert page.redirect_chain  # to the order page, which shows it cancelled
    assert intent.client_secret not in page.content.decode()
    assert "Cancelled" in page.content.decode() or "cancelled" in page.content.decode()
