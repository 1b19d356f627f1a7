"""Transactional e-mails (STX-7): queued after commit by the status change, in the customer's language."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import translation

from accounts.models import CommunicationKind
from accounts.services import communication_preferences_set
from orders.emails import EmailKind, order_email_send
from orders.models import OrderEvent, OrderStatus
from orders.services.lifecycle import order_transition
from orders.tests.factories import OrderFactory, OrderLineFactory

S = OrderStatus


def html_of(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")


@pytest.fixture
def order(db):
    order = OrderFactory(status=S.PLACED, language="nl", total_cents=1230, items_cents=735, vat_cents=120)
    OrderLineFactory(order=order, quantity=3, unit_price_cents=245, total_cents=735, finish_name="Glanzend")
    return order


def test_paying_sends_the_confirmation_after_commit_in_the_customers_language(
    order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_transition(order=order, to=S.PAID)
        assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [order.email]
    assert message.subject == f"Bedankt voor je bestelling {order.number}"
    assert "3 \u00d7 Classic prints 10 x 15 cm, Glanzend: € 7,35" in message.body
    assert "€ 12,30" in message.body
    html = html_of(message)
    assert "<html" in html
    assert order.number in html
    event = OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.EMAIL)
    assert event.detail == {"email": "confirmation"}


def test_a_rolled_back_change_sends_nothing(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _pay_then_fail(order)
    assert mail.outbox == []
    assert not OrderEvent.objects.exists()


def _pay_then_fail(order) -> None:
    with transaction.atomic():
        order_transition(order=order, to=S.PAID)
        raise RuntimeError("rolled back")


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("nl", "We drukken je bestelling"),
        ("fr", "Nous imprimons votre commande"),
        ("en", "We are printing your order"),
    ],
)
def test_printing_started_is_sent_in_the_orders_language(order, language, subject, django_capture_on_commit_callbacks):
    order.language = language
    order.status = S.PAID
    order.save(update_fields=["language", "status"])
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=S.IN_PRODUCTION)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith(subject)


def test_shipped_mail_carries_the_carriers_tracking_link(order, django_capture_on_commit_callbacks):
    order.status = S.IN_PRODUCTION
    order.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=S.SHIPPED, carrier="bpost", tracking_number="3232 ABC/1")
    message = mail.outbox[0]
    link = "https://track.bpost.cloud/btr/web/#/search?itemCode=3232%20ABC%2F1"
    assert link in message.body
    assert link in html_of(message)
    assert "3232 ABC/1" in message.body


def test_shipped_mail_without_a_tracking_pattern_has_no_broken_link(order, django_capture_on_commit_callbacks):
    order.shipping_method.tracking_url = ""
    order.shipping_method.save(update_fields=["tracking_url"])
    order.status = S.IN_PRODUCTION
    order.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=S.SHIPPED, carrier="PostNL", tracking_number="3SABCD")
    assert "3SABCD" in mail.outbox[0].body
    assert "itemCode" not in mail.outbox[0].body


def test_refund_mail_for_the_whole_order_names_the_amount_and_reason(order, django_capture_on_commit_callbacks):
    order.status = S.DELIVERED
    order.refunded_cents = 1230
    order.save(update_fields=["status", "refunded_cents"])
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=S.REFUNDED, reason="Prints arrived damaged")
    body = mail.outbox[0].body
    assert "€ 12,30" in body
    assert "Prints arrived damaged" in body


def test_a_partial_refund_sends_the_refund_mail_with_its_amount(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_email_send(order=order, kind=EmailKind.REFUND, amount_cents=245)
    body = mail.outbox[0].body
    assert "deel van je bestelling" in body
    assert "€ 2,45" in body
    assert OrderEvent.objects.get(kind=OrderEvent.Kind.EMAIL).detail == {"email": "refund", "amount_cents": 245}


def test_cancelling_and_delivering_send_no_mail(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=S.CANCELLED, reason="asked by customer")
    assert mail.outbox == []


def test_transactional_mail_is_sent_even_to_a_customer_who_turned_service_messages_off(
    order, django_capture_on_commit_callbacks
):
    communication_preferences_set(
        user=order.user,
        choices={CommunicationKind.SERVICE: False, CommunicationKind.MARKETING: False},
        via="account_page",
    )
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=S.PAID)
    assert len(mail.outbox) == 1


def test_the_free_path_confirmation_says_there_is_nothing_to_pay(db, django_capture_on_commit_callbacks):
    order = OrderFactory(status=S.PLACED, total_cents=0, shipping_cents=0, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=S.PAID)
    assert "there is nothing to pay" in mail.outbox[0].body


def test_an_unknown_kind_is_refused(order):
    with pytest.raises(ValueError, match="Unknown order e-mail"):
        order_email_send(order=order, kind="newsletter")


def test_a_guest_gets_a_signed_link_that_opens_the_order_page(db, django_capture_on_commit_callbacks):
    order = OrderFactory(user=None, email="guest@example.com", status=S.PLACED, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=S.PAID)
    match = re.search(r"https?://[^/\s]+(/fr/shop/order/\S+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    # A request to a /fr/ page leaves French active in this thread; restore the language after it.
    with translation.override(translation.get_language()):
        response = Client().get(match.group(1))
    assert response.status_code == 200
    assert order.number in response.content.decode()


def test_an_account_holder_gets_the_link_to_the_account_order_page(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=S.PAID)
    assert f"/shop/account/orders/{order.pk}/" in mail.outbox[0].body


def test_a_whole_refund_without_a_recorded_amount_reports_the_total(order, django_capture_on_commit_callbacks):
    order.status = S.PAID
    order.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=S.REFUNDED, reason="Out of stock")
    assert "We hebben je bestelling" in mail.outbox[0].body
    assert "€ 12,30" in mail.outbox[0].body


def test_no_mail_for_an_anonymised_order(order, django_capture_on_commit_callbacks):
    from django.utils import timezone

    order.anonymised_at = timezone.now()
    order.save(update_fields=["anonymised_at"])
    with django_capture_on_commit_callbacks(execute=True):
        order_email_send(order=order, kind=EmailKind.REFUND, amount_cents=100)
    assert mail.outbox == []
    assert not OrderEvent.objects.filter(kind=OrderEvent.Kind.EMAIL).exists()


def test_french_text_mails_put_a_no_break_space_before_colons(order, django_capture_on_commit_callbacks):
    order.language = "fr"
    order.status = S.IN_PRODUCTION
    order.save(update_fields=["language", "status"])
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=S.SHIPPED, carrier="bpost", tracking_number="XY1")
    body = mail.outbox[0].body
    assert "Suivre votre colis\u00a0: https://" in body
    assert "Suivre votre commande\u00a0: http" in body
