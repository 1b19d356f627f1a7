"""An erased person leaves no trace: not in any table, not in any stored file name or file (ALB-3, SMP-9).

One customer with data in every app (profile, addresses, preferences, photos
and their files, an order with its lines, print files and invoice, a cart,
sessions, consents, the records staff and the system wrote about them) is
erased through the same service as the account pages; then every table of
the database and every file in storage is searched for what identifies them.
A held invoice keeps what tax law needs: for a consumer, no name or address.
"""

import datetime
import re
import uuid
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.db import connection
from django.test import Client, RequestFactory

from accounts.models import CommunicationKind, CommunicationPreference, User
from accounts.services import account_erase, communication_preferences_set, contact_thread_start
from accounts.tests.factories import AddressFactory, UserFactory
from orders.models import Invoice
from orders.tests.factories import CartFactory, CartLineFactory
from orders.tests.test_privacy_rules import delivered_order
from photos.models import Photo, PhotoConsent
from photos.tests.factories import PhotoFactory
from privacy.admin import _log
from privacy.models import CookieConsent

T0 = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)
EMAIL = "zoltan.quixote@example.net"
FIRST, LAST = "Zoltan", "Quixotewski"
PHONE = "+32470123987"
STREET = "Vlinderstraat 77"


def _everything_in_the_database() -> str:
    """Every value of every row of every table, as text."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the database itself)
            parts.extend(f"{table}: {row!r}" for row in cursor.fetchall())
    return "\n".join(parts)


def _everything_in_storage() -> list[tuple[str, bytes]]:
    roots = [Path(settings.STORAGES[name]["OPTIONS"]["location"]) for name in ("default", "archive")]
    return [
        (str(path), path.read_bytes()) for root in roots if root.exists() for path in root.rglob("*") if path.is_file()
    ]


@pytest.mark.django_db
def test_an_erased_customer_leaves_no_trace_in_any_table_or_file(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = UserFactory(email=EMAIL, first_name=FIRST, last_name=LAST, mobile_phone=PHONE)
        AddressFactory(user=user, full_name=f"{FIRST} {LAST}", street_address=STREET, phone=PHONE)
        communication_preferences_set(
            user=user, choices={CommunicationKind.MARKETING: True}, via=CommunicationPreference.Source.ACCOUNT_PAGE
        )
        order = delivered_order(user=user)
        photo = PhotoFactory(user=user, filename=f"{FIRST} at the sea.jpg")
        PhotoConsent.objects.create(user=user, keep_location=True)
        CookieConsent.objects.create(
            user=user, consent_id=uuid.uuid4(), categories=["statistics"], policy_version=1, ip_network="198.51.100.0"
        )
        CartLineFactory(cart=CartFactory(user=user), photo=photo)
        Client().force_login(user)  # a session in the database
        contact_thread_start(
            user=user, name=f"{FIRST} {LAST}", email=EMAIL, language="nl", subject="Prints", body=f"I live at {STREET}"
        )
        staff = UserFactory(is_staff=True)
        request = RequestFactory().get("/")
        request.user = staff
        _log(request, [user, order], CHANGE, [{"changed": {"fields": ["First name"]}}])
    photo_keys = [p.hex for p in Photo.objects.filter(user=user).values_list("pk", flat=True)]
    invoice = Invoice.objects.get(order=order)
    assert invoice.pdf  # rendered and stored
    before = _everything_in_the_database()
    for needle in (EMAIL, LAST, STREET):
        assert needle in before  # the scan does see them

    with (
        time_machine.travel(T0 + datetime.timedelta(days=40), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        account_erase(user=user)

    database = _everything_in_the_database()
    identifying = [EMAIL, EMAIL.split("@")[0], FIRST, LAST, STREET, PHONE, PHONE[3:], *photo_keys]
    found = {needle: re.findall(rf".{{0,80}}{re.escape(needle)}.{{0,40}}", database) for needle in identifying}
    assert not {k: v for k, v in found.items() if v}, "the erased customer is still in the database"
    for path, data in _everything_in_storage():
        for needle in identifying:
            assert needle not in path, f"a stored file still names them: {path}"
            assert needle.encode() not in data, f"a stored file still holds {needle!r}: {path}"
    # What the tax law needs stays, restricted: the invoice's number, date and amounts, without a consumer's name.
    invoice.refresh_from_db()
    assert invoice.restricted_at is not None
    assert invoice.number
    assert invoice.total_cents == order.total_cents
    assert invoice.customer_name == ""
    assert not invoice.pdf
    assert User.objects.filter(pk=user.pk, anonymised_at__isnull=False).exists()
    assert not CookieConsent.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_business_customers_held_invoice_keeps_the_name_address_and_vat_number_tax_law_needs(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        order = delivered_order()
    Invoice.objects.filter(order=order).update(
        customer_name="Fotohuis Janssens BV", customer_vat_number="BE0403170701", customer_address="Markt 1, Gent"
    )
    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=order.user)
    invoice = Invoice.objects.get(order=order)
    assert invoice.restricted_at is not None
    assert invoice.customer_name == "Fotohuis Janssens BV"
    assert invoice.customer_vat_number == "BE0403170701"
    assert invoice.customer_address == "Markt 1, Gent"
