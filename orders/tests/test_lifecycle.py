"""order_transition: the one table of moves, reasons, event rows in the same transaction, the row lock."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.tests.factories import UserFactory
from orders import transitions
from orders.models import Order, OrderEvent, OrderStatus
from orders.services import lifecycle
from orders.services.lifecycle import order_transition
from orders.tests.factories import OrderFactory

S = OrderStatus
EXPECTED_TABLE = {
    S.PLACED: {S.PAID, S.CANCELLED},
    S.PAID: {S.IN_PRODUCTION, S.CANCELLED, S.REFUNDED},
    S.IN_PRODUCTION: {S.SHIPPED, S.REFUNDED},
    S.SHIPPED: {S.DELIVERED, S.REFUNDED},
    S.DELIVERED: {S.REFUNDED},
    S.CANCELLED: set(),
    S.REFUNDED: set(),
}
ALL_MOVES = list(itertools.product(S.values, S.values))
ALLOWED = [(a, b) for a, b in ALL_MOVES if b in EXPECTED_TABLE[a]]
REFUSED = [(a, b) for a, b in ALL_MOVES if b not in EXPECTED_TABLE[a]]


def test_the_table_is_the_documented_lifecycle():
    assert {state: set(targets) for state, targets in transitions.TRANSITIONS.items()} == EXPECTED_TABLE
    assert set(transitions.TRANSITIONS) == set(S.values)
    assert {S.CANCELLED, S.REFUNDED} == transitions.NEEDS_REASON
    assert {S.DELIVERED, S.CANCELLED, S.REFUNDED} == transitions.COMPLETED


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_every_allowed_move_changes_the_status_and_writes_one_event(
    current, target, django_capture_on_commit_callbacks
):
    order = OrderFactory(status=current)
    staff = UserFactory(is_staff=True)
    reason = "customer asked" if target in transitions.NEEDS_REASON else ""
    with django_capture_on_commit_callbacks(execute=False):
        result = order_transition(order=order, to=target, actor=staff, reason=reason)
    order.refresh_from_db()
    assert order.status == target
    assert result.status == target
    event = OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.STATUS)
    assert (event.from_status, event.to_status, event.actor) == (current, target, staff)
    if reason:
        assert event.detail == {"reason": reason}
        assert order.status_reason == reason


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_every_move_outside_the_table_is_refused_without_a_trace(current, target):
    order = OrderFactory(status=current)
    with pytest.raises(ValidationError) as refused:
        order_transition(order=order, to=target, reason="any reason")
    assert refused.value.code == "invalid_transition"
    order.refresh_from_db()
    assert order.status == current
    assert not OrderEvent.objects.filter(order=order).exists()


@pytest.mark.django_db
def test_a_refusal_names_both_statuses_in_words():
    order = OrderFactory(status=S.SHIPPED)
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="An order that is shipped cannot become paid"),
    ):
        order_transition(order=order, to=S.PAID)
    with translation.override("nl"), pytest.raises(ValidationError, match="verzonden kan niet betaald worden"):
        order_transition(order=order, to=S.PAID)


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), [m for m in ALLOWED if m[1] in transitions.NEEDS_REASON])
@pytest.mark.parametrize("reason", ["", "   \n"])
def test_cancel_and_refund_need_a_reason(current, target, reason):
    order = OrderFactory(status=current)
    with pytest.raises(ValidationError) as refused:
        order_transition(order=order, to=target, reason=reason)
    assert refused.value.code == "reason_required"
    order.refresh_from_db()
    assert order.status == current
    assert order.status_reason == ""
    assert not OrderEvent.objects.exists()


@pytest.mark.django_db
def test_the_reason_is_stored_trimmed():
    order = OrderFactory(status=S.PLACED)
    order_transition(order=order, to=S.CANCELLED, reason="  out of stock \n")
    order.refresh_from_db()
    assert order.status_reason == "out of stock"
    assert OrderEvent.objects.get(order=order).detail == {"reason": "out of stock"}


@pytest.mark.django_db
def test_an_unknown_status_is_a_clear_error_not_a_crash():
    order = OrderFactory(status=S.PLACED)
    with pytest.raises(ValidationError) as refused:
        order_transition(order=order, to="lost")
    assert refused.value.code == "invalid_status"


@pytest.mark.django_db
def test_allow_same_returns_the_order_unchanged_without_an_event():
    order = OrderFactory(status=S.PAID)
    result = order_transition(order=order, to=S.PAID, allow_same=True)
    assert result.status == S.PAID
    assert not OrderEvent.objects.exists()


@pytest.mark.django_db
def test_without_allow_same_a_repeated_move_is_refused():
    order = OrderFactory(status=S.PAID)
    with pytest.raises(ValidationError):
        order_transition(order=order, to=S.PAID)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "stamps"),
    [
        ([S.PAID], {"paid_at"}),
        ([S.PAID, S.IN_PRODUCTION, S.SHIPPED], {"paid_at", "shipped_at"}),
        ([S.PAID, S.IN_PRODUCTION, S.SHIPPED, S.DELIVERED], {"paid_at", "shipped_at", "completed_at"}),
        ([S.CANCELLED], {"cancelled_at", "completed_at"}),
        ([S.PAID, S.REFUNDED], {"paid_at", "completed_at"}),
    ],
)
def test_each_status_sets_its_timestamp(path, stamps, time_machine):
    time_machine.move_to("2026-03-01 10:00:00+00:00", tick=False)
    order = OrderFactory(status=S.PLACED)
    for target in path:
        order_transition(order=order, to=target, reason="r")
    order.refresh_from_db()
    for name in ("paid_at", "shipped_at", "completed_at", "cancelled_at"):
        value = getattr(order, name)
        if name in stamps:
            assert value is not None, name
            assert value.isoformat() == "2026-03-01T10:00:00+00:00", name
        else:
            assert value is None, name


@pytest.mark.django_db
def test_shipping_stores_carrier_and_tracking_number_on_the_order_and_the_event():
    order = OrderFactory(status=S.IN_PRODUCTION)
    order_transition(order=order, to=S.SHIPPED, carrier="bpost", tracking_number="323299999912345678")
    order.refresh_from_db()
    assert (order.carrier, order.tracking_number) == ("bpost", "323299999912345678")
    event = OrderEvent.objects.get(order=order)
    assert event.detail == {"carrier": "bpost", "tracking_number": "323299999912345678"}


@pytest.mark.django_db
def test_the_callers_instance_follows_the_row():
    order = OrderFactory(status=S.PLACED)
    order_transition(order=order, to=S.PAID)
    assert order.status == S.PAID
    assert order.paid_at is not None


@pytest.mark.django_db
def test_an_anonymous_actor_is_recorded_as_nobody():
    order = OrderFactory(status=S.PLACED)
    order_transition(order=order, to=S.PAID, actor=AnonymousUser())
    assert OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.STATUS).actor is None


@pytest.mark.django_db
def test_the_status_change_and_its_event_roll_back_together(monkeypatch):
    order = OrderFactory(status=S.PLACED)

    def broken_event(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(lifecycle, "order_event_record", broken_event)
    with pytest.raises(RuntimeError):
        order_transition(order=order, to=S.PAID)
    assert Order.objects.get(pk=order.pk).status == S.PLACED


@pytest.mark.django_db
def test_a_transition_inside_a_failed_outer_transaction_leaves_neither_status_nor_event():
    order = OrderFactory(status=S.PLACED)

    def move_then_fail() -> None:
        with transaction.atomic():
            order_transition(order=order, to=S.PAID)
            raise RuntimeError("the caller failed after the move")

    with pytest.raises(RuntimeError):
        move_then_fail()
    assert Order.objects.get(pk=order.pk).status == S.PLACED
    assert not OrderEvent.objects.exists()


@pytest.mark.django_db
def test_the_order_row_is_locked_before_it_is_read(monkeypatch):
    order = OrderFactory(status=S.PLACED)
    calls = []
    original = lifecycle.order_qs_select_for_update

    def spy():
        calls.append(True)
        return original()

    monkeypatch.setattr(lifecycle, "order_qs_select_for_update", spy)
    with CaptureQueriesContext(connection) as queries:
        order_transition(order=order, to=S.PAID)
    assert calls == [True]
    if connection.features.has_select_for_update:
        reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
        assert "FOR UPDATE" in reads[0]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_payments_of_one_order_make_one_move_on_postgresql():
    """Two connections pay the same order at once: the lock makes the second see 'paid' and refuse."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (DATABASE_URL=postgres://...)")
    order = OrderFactory(status=S.PLACED)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pay() -> None:
        try:
            barrier.wait()
            order_transition(order=Order.objects.get(pk=order.pk), to=S.PAID)
            outcomes.append("paid")
        except ValidationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["invalid_transition", "paid"]
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.STATUS).count() == 1
