"""Concurrency on PostgreSQL with real parallel connections: paid once, one order per cart, no invoice gaps."""

import threading

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from orders.models import Cart, Invoice, Order, OrderEvent, OrderStatus, Payment
from orders.services.checkout import order_place
from orders.services.lifecycle import order_transition
from orders.services.payments import webhook_event_process
from orders.tests.factories import (
    CartLineFactory,
    FormatFactory,
    OrderFactory,
    ProductFactory,
    ShippingMethodFactory,
    VatRateFactory,
    delivery_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql_only")]


def at_once(*calls) -> list:
    """Run the calls in parallel threads, each on its own database connection; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def cart():
    VatRateFactory(kind="print", country="BE", rate_bp=2100)
    VatRateFactory(kind="shipping", country="BE", rate_bp=2100)
    user = UserFactory()
    cart = Cart.objects.create(user=user)
    CartLineFactory(cart=cart, format=FormatFactory(product=ProductFactory(slug="classic")), quantity=3)
    return cart


def test_two_checkouts_of_one_cart_make_one_order(cart):
    shipping = ShippingMethodFactory(country="BE")

    def place():
        return order_place(
            cart=cart, user=cart.user, delivery=delivery_for(cart.user), shipping=shipping, language="nl"
        ).pk

    results = at_once(place, place)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Order.objects.count() == 1
    assert results[0] == results[1]


def test_a_webhook_and_its_second_delivery_at_once_pay_the_order_once(cart):
    order = order_place(
        cart=cart, user=cart.user, delivery=delivery_for(cart.user), shipping=ShippingMethodFactory(), language="nl"
    )
    Payment.objects.create(order=order, intent_id="pi_concurrent", amount_cents=order.total_cents)
    intent = {
        "id": "pi_concurrent",
        "object": "payment_intent",
        "status": "succeeded",
        "amount": order.total_cents,
        "currency": "eur",
    }
    first = {"id": "evt_a", "type": "payment_intent.succeeded", "data": {"object": intent}}
    second = {"id": "evt_b", "type": "payment_intent.succeeded", "data": {"object": intent}}
    results = at_once(
        lambda: webhook_event_process(event=first),
        lambda: webhook_event_process(event=first),
        lambda: webhook_event_process(event=second),
    )
    assert not [r for r in results if isinstance(r, Exception) and "duplicate key" not in str(r)], results
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.events.filter(kind=OrderEvent.Kind.STATUS, to_status=OrderStatus.PAID).count() == 1
    assert Invoice.objects.filter(order=order).count() == 1


def test_parallel_payments_take_invoice_numbers_without_gap_or_duplicate():
    orders = [OrderFactory() for _ in range(8)]
    results = at_once(*[lambda o=o: order_transition(order=o, to=OrderStatus.PAID).pk for o in orders])
    assert not [r for r in results if isinstance(r, Exception)], results
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 9))
