"""STX-2 and STX-3 at their boundaries: a microsite order anonymised at 6 months, its photos archived at 3."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.files.storage import storages
from django.test import TestCase

from accounts.tests.factories import UserFactory
from microsites.tests.factories import MicrositeFactory
from orders.models import Order, OrderChannel, OrderLine
from orders.tests.factories import OrderFactory, OrderLineFactory
from photos.models import Photo
from privacy.sweep import run_sweep

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 1, 15, 14, 30, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def sweep_at(moment, preset):
    with time_machine.travel(moment, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        return run_sweep(preset=preset)


def orders_at(moment):
    """A microsite order and a web shop order of one customer, each with a photo, placed at ``moment``."""
    with time_machine.travel(moment, tick=False):
        user = UserFactory(last_activity=moment)
        site = MicrositeFactory()
        ours = OrderFactory(user=user, placed_at=moment, channel=OrderChannel.MICROSITE, microsite=site)
        web = OrderFactory(user=user, placed_at=moment)
        OrderLineFactory(order=ours, lab_note="print on glossy")
        OrderLineFactory(order=web, lab_note="print on matte")
    return ours, web


@pytest.mark.parametrize("preset", ["stampix", "default"])
def test_stx2_a_microsite_order_is_anonymised_6_months_after_its_order_date(preset):
    ours, web = orders_at(T0)
    sweep_at(T0 + relativedelta(months=6) - DAY, preset)
    assert Order.objects.get(pk=ours.pk).anonymised_at is None
    sweep_at(T0 + relativedelta(months=6), preset)
    order = Order.objects.get(pk=ours.pk)
    assert order.anonymised_at is not None
    assert (order.user, order.ship_name, order.ship_street, order.ship_city) == (None, "anonymised", "", "")
    assert order.email.startswith("order-")
    assert order.email.endswith("@anonymised.invalid")
    line = OrderLine.objects.get(order=order)
    assert (line.photo_id, line.lab_note) == (None, "")
    assert order.microsite is not None  # the sponsor's figures still count it
    # The web shop's order of the same day and customer is kept as it was.
    kept = Order.objects.get(pk=web.pk)
    assert kept.anonymised_at is None
    assert kept.ship_name == web.ship_name
    assert OrderLine.objects.get(order=kept).lab_note == "print on matte"


@pytest.mark.parametrize("preset", ["stampix", "default"])
def test_stx3_photos_of_a_microsite_order_are_archived_3_months_after_the_order_date(preset):
    ours, web = orders_at(T0)
    photo = OrderLine.objects.get(order=ours).photo
    other = OrderLine.objects.get(order=web).photo
    name, data = photo.original.name, photo.original.open("rb").read()
    sweep_at(T0 + relativedelta(months=3) - DAY, preset)
    assert Photo.objects.get(pk=photo.pk).archived_at is None
    assert storages["default"].exists(name)
    run = sweep_at(T0 + relativedelta(months=3), preset)
    assert run.counts["STX-3"]["models"] == {"photos.Photo": 1}
    archived = Photo.objects.get(pk=photo.pk)
    assert archived.archived_at is not None
    assert not storages["default"].exists(name)
    assert storages["archive"].open(name).read() == data  # moved, byte for byte
    # The photo of the web shop's order stays where it was.
    assert Photo.objects.get(pk=other.pk).archived_at is None
    assert storages["default"].exists(other.original.name)


@pytest.mark.parametrize(("rule", "months"), [("STX-2", 6), ("STX-3", 3)])
def test_the_promise_holds_at_any_time_of_day_the_last_sweep_before_the_deadline_applies_it(rule, months, settings):
    """The sweep runs every PRIVACY_SWEEP_INTERVAL_MINUTES: the last run before the deadline does the work."""
    late = datetime.datetime(2026, 1, 15, 23, 50, tzinfo=datetime.UTC)
    ours, _web = orders_at(late)
    deadline = late + relativedelta(months=months)
    before = (
        deadline - datetime.timedelta(minutes=settings.PRIVACY_SWEEP_INTERVAL_MINUTES) - datetime.timedelta(minutes=1)
    )
    run = sweep_at(before, "stampix")
    assert run.counts[rule]["count"] == 0  # the next run is still in time
    run = sweep_at(deadline - datetime.timedelta(minutes=1), "stampix")
    assert run.counts[rule]["count"] >= 1
    if rule == "STX-2":
        assert Order.objects.get(pk=ours.pk).anonymised_at is not None
    else:
        assert OrderLine.objects.get(order=ours).photo.archived_at is not None
