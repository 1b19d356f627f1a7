"""The access log (PIX-9): every staff view or export of a person's data, searchable by the privacy officer."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from accounts.tests.factories import UserFactory
from orders.services.lab import lab_export_create
from orders.tests.test_invoices_lab import _paid_order
from photos.tests.factories import PhotoFactory
from privacy.access import access_record
from privacy.models import AccessLogEntry
from privacy.services import erase_subject
from privacy.sweep import run_sweep

T0 = datetime.datetime(2026, 4, 1, 10, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def _staff_of(client):
    from accounts.models import User

    return User.objects.get(pk=client.session["_auth_user_id"])


@pytest.mark.django_db
def test_pix9_support_opening_a_customers_account_order_and_photo_is_logged_but_a_list_is_not(staff_client):
    support = staff_client("Support")
    customer = UserFactory()
    photo = PhotoFactory(user=customer)
    order = _paid_order(user=customer)
    support.get(reverse("admin:accounts_user_changelist"))
    assert not AccessLogEntry.objects.exists()
    for url in (
        reverse("admin:accounts_user_change", args=[customer.pk]),
        reverse("admin:orders_order_change", args=[order.pk]),
        reverse("admin:photos_photo_change", args=[photo.pk]),
    ):
        assert support.get(url).status_code == 200
    logged = list(AccessLogEntry.objects.order_by("pk").values_list("record_type", "subject_id", "action", "staff"))
    staff = _staff_of(support).pk
    assert logged == [
        ("accounts.User", customer.pk, "view", staff),
        ("orders.Order", customer.pk, "view", staff),
        ("photos.Photo", customer.pk, "view", staff),
    ]


@pytest.mark.django_db
def test_pix9_a_lab_export_download_logs_each_order_as_exported(staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = _paid_order(), _paid_order()
    export = lab_export_create(orders=[first, second])
    lab = staff_client("Print lab")
    response = lab.get(reverse("admin:orders_labexport_download", args=[export.pk]))
    assert response.status_code == 200
    logged = set(AccessLogEntry.objects.values_list("record_type", "record_id", "subject_id", "action"))
    assert logged == {
        ("orders.Order", str(first.pk), first.user_id, "export"),
        ("orders.Order", str(second.pk), second.user_id, "export"),
    }


@pytest.mark.django_db
def test_only_the_privacy_officer_searches_the_access_log_by_whose_data(staff_client):
    customer = UserFactory(email="looked.at@example.com")
    support = staff_client("Support")
    support.get(reverse("admin:accounts_user_change", args=[customer.pk]))
    url = reverse("admin:privacy_accesslogentry_changelist")
    assert support.get(url).status_code == 403
    officer = staff_client("Privacy officer")
    page = officer.get(url, {"q": "looked.at@example.com"}).content.decode()
    assert _staff_of(support).email in page
    assert officer.get(url, {"q": "nobody@example.com"}).content.decode().count(_staff_of(support).email) == 0


@pytest.mark.django_db
def test_pix9_entries_are_deleted_2_years_after_they_were_recorded():
    staff, customer = UserFactory(is_staff=True), UserFactory()
    with time_machine.travel(T0, tick=False):
        access_record(staff=staff, records=[(customer, customer.pk)])
    with time_machine.travel(T0 + relativedelta(years=2) - DAY, tick=False):
        run_sweep(preset="default")
    assert AccessLogEntry.objects.exists()
    with time_machine.travel(T0 + relativedelta(years=2) + DAY, tick=False):
        run_sweep(preset="default")
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db
def test_an_erasure_keeps_what_staff_did_but_not_whose_data_it_was():
    staff, customer = UserFactory(is_staff=True), UserFactory()
    access_record(staff=staff, records=[(customer, customer.pk)])
    erase_subject(customer)
    entry = AccessLogEntry.objects.get()
    assert entry.subject_id is None
    assert entry.staff == staff


@pytest.mark.django_db
def test_a_restricted_customer_is_hidden_from_support_but_not_from_the_privacy_officer(staff_client):
    from accounts.services import account_restrict

    customer = UserFactory(email="restricted@example.com")
    order = _paid_order(user=customer)
    account_restrict(user=customer, restricted=True)
    support = staff_client("Support")
    assert "restricted@example.com" not in support.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert support.get(reverse("admin:accounts_user_change", args=[customer.pk])).status_code == 302  # not found
    assert support.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 302
    officer = staff_client("Privacy officer")
    assert officer.get(reverse("admin:accounts_user_change", args=[customer.pk])).status_code == 200
