"""The retention rules that wait for orders, at the boundary: one day before intact, one day after applied.

Each test is named after the rule it proves (policy-rules.md).
"""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.test import TestCase

from accounts.tests.factories import UserFactory
from orders.models import Invoice, Order, OrderStatus, PrintFile
from orders.services.lifecycle import order_transition
from orders.tests.factories import FormatFactory, OrderFactory, OrderLineFactory, ProductFactory
from photos.models import Photo
from photos.tests.factories import PhotoFactory
from privacy.services import erase_subject
from privacy.sweep import run_sweep

T0 = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def sweep_at(moment, preset):
    with time_machine.travel(moment, tick=False):
        return run_sweep(preset=preset)


def delivered_order(user=None, at=T0):
    """An order placed, paid, shipped and delivered at ``at``, with its print file rendered."""
    with time_machine.travel(at, tick=False):
        user = user or UserFactory(last_activity=at)
        order = OrderFactory(user=user, placed_at=at, items_cents=39, total_cents=39 + 495)
        OrderLineFactory(order=order, format=FormatFactory(product=ProductFactory(slug="classic")))
        order_transition(order=order, to=OrderStatus.PAID)
        order_transition(order=order, to=OrderStatus.IN_PRODUCTION)
        order_transition(order=order, to=OrderStatus.SHIPPED)
        order_transition(order=order, to=OrderStatus.DELIVERED)
    return order


class PrintFileRules(TestCase):
    def _order(self, status=OrderStatus.DELIVERED):
        with self.captureOnCommitCallbacks(execute=True):
            order = delivered_order()
        if status != OrderStatus.DELIVERED:
            Order.objects.filter(pk=order.pk).update(status=status)
        return order

    def test_smp5_ordered_print_files_deleted_60_days_after_the_order(self):
        order = self._order()
        print_file = PrintFile.objects.get(line__order=order)
        name = print_file.file.name
        storage = print_file.file.storage
        with self.captureOnCommitCallbacks(execute=True):
            sweep_at(T0 + relativedelta(days=60) - DAY, "default")
        assert PrintFile.objects.filter(pk=print_file.pk).exists()
        with self.captureOnCommitCallbacks(execute=True):
            sweep_at(T0 + relativedelta(days=60) + DAY, "default")
        assert not PrintFile.objects.filter(pk=print_file.pk).exists()
        assert not storage.exists(name)
        assert Order.objects.filter(pk=order.pk).exists()  # the order record stays (STX-1:orders)

    def test_alb2_an_order_in_production_keeps_its_print_files(self):
        order = self._order(status=OrderStatus.IN_PRODUCTION)
        with self.captureOnCommitCallbacks(execute=True):
            sweep_at(T0 + relativedelta(days=61), "default")
        assert PrintFile.objects.filter(line__order=order).exists()


@pytest.mark.django_db
def test_smp6_a_new_order_extends_the_photos_of_the_account_by_two_years():
    with time_machine.travel(T0, tick=False):
        user = UserFactory(last_activity=T0)
        photo = PhotoFactory(user=user)
    delivered_order(user=user, at=T0 + relativedelta(years=1))
    sweep_at(T0 + relativedelta(years=2) + DAY, "smartphoto")
    assert Photo.objects.filter(pk=photo.pk).exists()  # 2 years from the upload would have ended
    sweep_at(T0 + relativedelta(years=3) - DAY, "smartphoto")
    assert Photo.objects.filter(pk=photo.pk).exists()
    sweep_at(T0 + relativedelta(years=3) + DAY, "smartphoto")
    assert not Photo.objects.filter(pk=photo.pk).exists()


@pytest.mark.django_db
def test_mys1_orders_deleted_3_years_after_the_last_order_invoices_kept():
    first = delivered_order()
    later = delivered_order(user=first.user, at=T0 + relativedelta(months=6))
    invoices = list(Invoice.objects.filter(order__in=[first, later]).values_list("pk", flat=True))
    end = T0 + relativedelta(months=6, years=3)
    sweep_at(end - DAY, "mystamp")
    assert Order.objects.filter(pk__in=[first.pk, later.pk]).count() == 2  # counted from the last order
    sweep_at(end + DAY, "mystamp")
    assert not Order.objects.filter(pk__in=[first.pk, later.pk]).exists()
    # The invoices stay for the tax authorities (7 years, the platform's rule where MyStamp is silent).
    assert Invoice.objects.filter(pk__in=invoices).count() == 2


@pytest.mark.django_db
def test_smp3_order_data_deleted_2_years_after_the_last_order():
    order = delivered_order()
    sweep_at(T0 + relativedelta(years=2) - DAY, "smartphoto")
    assert Order.objects.filter(pk=order.pk).exists()
    sweep_at(T0 + relativedelta(years=2) + DAY, "smartphoto")
    assert not Order.objects.filter(pk=order.pk).exists()


@pytest.mark.django_db
def test_pix1_orders_restricted_6_months_after_completion():
    order = delivered_order()
    sweep_at(T0 + relativedelta(months=6) - DAY, "pix")
    order.refresh_from_db()
    assert order.restricted_at is None
    sweep_at(T0 + relativedelta(months=6) + DAY, "pix")
    order.refresh_from_db()
    assert order.restricted_at is not None


@pytest.mark.django_db
def test_pix1_invoices_deleted_7_years_after_completion_not_before():
    order = delivered_order()
    invoice = Invoice.objects.get(order=order)
    sweep_at(T0 + relativedelta(years=7) - DAY, "default")
    assert Invoice.objects.filter(pk=invoice.pk).exists()
    sweep_at(T0 + relativedelta(years=7) + DAY, "default")
    assert not Invoice.objects.filter(pk=invoice.pk).exists()


@pytest.mark.django_db
def test_stx1_orders_deleted_10_years_after_the_last_activity():
    order = delivered_order()
    sweep_at(T0 + relativedelta(years=10) - DAY, "stampix")
    assert Order.objects.filter(pk=order.pk).exists()
    sweep_at(T0 + relativedelta(years=10) + DAY, "stampix")
    assert not Order.objects.filter(pk=order.pk).exists()


@pytest.mark.django_db
def test_erasure_keeps_the_order_record_without_the_person_and_restricts_the_invoice():
    order = delivered_order()
    user = order.user
    with time_machine.travel(T0 + relativedelta(months=1), tick=False):
        erase_subject(user)
    order.refresh_from_db()
    assert order.user_id is None
    assert order.email.endswith("@anonymised.invalid")
    assert order.ship_street == ""
    invoice = Invoice.objects.get(order=order)
    assert invoice.restricted_at is not None  # PIX-1's legal hold: restricted, not deleted


class CascadeFiles(TestCase):
    def test_stx1_orders_deleting_an_order_takes_its_print_files_from_storage(self):
        """An order's lines hold no file, their print files do: the cascade must not leave them behind."""
        with self.captureOnCommitCallbacks(execute=True):
            order = delivered_order()
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.IN_PRODUCTION)  # image rules wait for it
        print_file = PrintFile.objects.get(line__order=order)
        name, storage = print_file.file.name, print_file.file.storage
        with self.captureOnCommitCallbacks(execute=True):
            sweep_at(T0 + relativedelta(years=10) + DAY, "stampix")
        assert not Order.objects.filter(pk=order.pk).exists()
        assert not PrintFile.objects.filter(pk=print_file.pk).exists()
        assert not storage.exists(name)
