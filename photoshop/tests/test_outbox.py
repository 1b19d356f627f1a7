"""The task outbox: with the broker down, a change still commits, and its tasks go out once the broker is back.

The broker is made unreachable for real: the Celery app stops running tasks
eagerly and points at a closed port on loopback, so publishing fails the way
it does when Redis is down (``kombu.exceptions.OperationalError``).
"""

from __future__ import annotations

import datetime
import io

import pytest
from celery.schedules import crontab
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from orders.models import Invoice, OrderStatus
from orders.services.checkout import Discount, order_place
from orders.tests.factories import CartFactory, CartLineFactory, FormatFactory, ShippingMethodFactory, delivery_for
from photos.models import Photo
from photos.tests import images
from photos.tests.conftest import upload_file
from photoshop import outbox
from photoshop.celery import app
from photoshop.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _reset_connections() -> None:
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """Switch the broker off (``broker.down()``) and on again (``broker.up()``); on again after the test."""

    class Switch:
        def down(self) -> None:
            app.conf.task_always_eager = False
            app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens there
            _reset_connections()

        def up(self) -> None:
            app.conf.task_always_eager = True
            app.conf.broker_url = saved_url
            _reset_connections()

    saved_url = app.conf.broker_url
    switch = Switch()
    yield switch
    switch.up()


def later(seconds: int = 60) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


def _free_order(user):
    fmt = FormatFactory(price_cents=39)
    cart = CartFactory(user=user)
    CartLineFactory(cart=cart, format=fmt, quantity=1)
    return order_place(
        cart=cart,
        user=user,
        delivery=delivery_for(user),
        shipping=ShippingMethodFactory(code="pickup", country="BE", price_cents=0),
        language="nl",
        discounts=[Discount("Sponsor", "promo:TEST", -10_000)],
    )


def test_an_order_paid_while_the_broker_is_down_keeps_its_work_until_the_broker_is_back(
    broker, django_capture_on_commit_callbacks
):
    user = UserFactory()
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        order = _free_order(user)  # no error for the customer
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    waiting = list(OutboxMessage.objects.values_list("task", "args", "attempts"))
    assert ("orders.send_order_email", [str(order.pk), "confirmation", None], 1) in waiting
    assert ("orders.render_invoice_pdf", [order.invoice.pk], 1) in waiting
    assert "Connection refused" in OutboxMessage.objects.first().last_error
    assert mail.outbox == []

    assert outbox.relay(now=later()) == 0  # still down: nothing lost, nothing sent
    assert OutboxMessage.objects.count() == len(waiting)

    broker.up()
    assert outbox.relay(now=later(5)) == 0  # too young: the writing request may still be sending them
    assert outbox.relay(now=later()) == len(waiting)
    assert OutboxMessage.objects.count() == 0
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert order.number in message.subject
    assert Invoice.objects.get(order=order).pdf  # the invoice rendered by its task


def test_with_the_broker_up_the_outbox_is_empty_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _free_order(UserFactory())
    assert OutboxMessage.objects.count() == 0
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_leaves_no_task(django_capture_on_commit_callbacks):
    def place_then_fail() -> None:
        with transaction.atomic():
            _free_order(UserFactory())
            raise RuntimeError("the order could not be saved")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        place_then_fail()
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_an_upload_while_the_broker_is_down_keeps_the_photo_and_processes_it_later(
    client, broker, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("photos:upload"), {"files": [upload_file("beach.jpg", images.jpeg(1200, 900))], "album": ""}
        )
    assert response.status_code == 302
    photo = Photo.objects.get(user=user)
    assert not photo.thumbnail_small
    assert OutboxMessage.objects.filter(task="photos.process_photo", args=[str(photo.pk)]).exists()

    broker.up()
    out = io.StringIO()
    call_command("outbox_relay", stdout=out)
    assert "1 task(s) sent, 0 still waiting." in out.getvalue()
    photo.refresh_from_db()
    assert photo.thumbnail_small


def test_the_relay_command_fails_while_the_broker_is_still_down(broker, django_capture_on_commit_callbacks):
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        _free_order(UserFactory())
    with pytest.raises(SystemExit) as stopped:
        call_command("outbox_relay")
    assert stopped.value.code == 1
    assert OutboxMessage.objects.exists()


def test_the_relay_runs_every_minute():
    entry = app.conf.beat_schedule["outbox-relay"]
    assert entry["task"] == "photoshop.outbox_relay"
    assert entry["schedule"] == crontab()


def test_whoever_runs_the_platform_sees_the_waiting_tasks_in_the_admin(
    client, broker, activate_totp, django_capture_on_commit_callbacks
):
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        _free_order(UserFactory())
    root = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(root)
    client.force_login(root)
    page = client.get(reverse("admin:photoshop_outboxmessage_changelist")).content.decode()
    assert "orders.send_order_email" in page
    assert "Connection refused" in page
