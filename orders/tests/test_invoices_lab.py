"""Invoices, print files and the print lab, as the customer, support and the lab meet them."""

import datetime
import io
import json
import zipfile

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import UserFactory
from orders.models import Invoice, OrderEvent, OrderLine, OrderStatus, PrintFile
from orders.services.checkout import order_paid_without_payment
from orders.services.invoices import invoice_html
from orders.services.lab import lab_export_create, line_defect_decide
from orders.services.lifecycle import order_transition
from orders.tests.factories import FormatFactory, OrderFactory, OrderLineFactory, ProductFactory
from photos.services import photos_delete
from photos.tests.factories import PhotoFactory


def _paid_order(*, user=None, fit="crop", box=(0.0, 0.0, 1.0, 1.0), size=(900, 600), **order_fields):
    user = user or UserFactory()
    order = OrderFactory(user=user, items_cents=390, total_cents=885, vat_cents=154, **order_fields)
    photo = PhotoFactory(user=user, gps=True, width_px=size[0], height_px=size[1])
    OrderLineFactory(
        order=order,
        format=FormatFactory(product=ProductFactory(slug="classic")),
        photo=photo,
        quantity=10,
        unit_price_cents=39,
        total_cents=390,
        vat_rate_bp=2100,
        fit=fit,
        crop_left=box[0] if box else None,
        crop_top=box[1] if box else None,
        crop_right=box[2] if box else None,
        crop_bottom=box[3] if box else None,
    )
    order_transition(order=order, to=OrderStatus.PAID)
    order.refresh_from_db()
    return order


class InvoiceTests(TestCase):
    def test_invoice_numbers_run_without_gaps_and_restart_each_year(self):
        new_years_eve = datetime.datetime(2026, 12, 31, 22, tzinfo=datetime.UTC)
        with time_machine.travel(new_years_eve, tick=False), self.captureOnCommitCallbacks(execute=True):
            first = _paid_order()
            second = _paid_order()
        new_year = datetime.datetime(2027, 1, 1, 9, tzinfo=datetime.UTC)
        with time_machine.travel(new_year, tick=False), self.captureOnCommitCallbacks(execute=True):
            third = _paid_order()
        numbers = [Invoice.objects.get(order=o).number for o in (first, second, third)]
        assert numbers == ["2026-000001", "2026-000002", "2027-000001"]
        assert first.events.filter(kind=OrderEvent.Kind.INVOICE).count() == 1

    def test_the_pdf_names_the_number_and_a_business_customers_vat_number(self):
        with self.captureOnCommitCallbacks(execute=True):
            order = _paid_order(bill_name="Foto BV", bill_company="Foto BV", bill_vat_number="NL004495445B01",
                                bill_street="Damrak 1", bill_postal_code="1012 LG", bill_city="Amsterdam",
                                bill_country="NL")  # fmt: skip
        invoice = Invoice.objects.get(order=order)
        assert invoice.customer_vat_number == "NL004495445B01"
        assert "Damrak 1" in invoice.customer_address
        data = invoice.pdf.read()
        assert data.startswith(b"%PDF")
        text = invoice_html(invoice)  # the PDF's source: WeasyPrint compresses the text of the PDF
        assert invoice.number in text
        assert "NL004495445B01" in text

    def test_rendering_an_invoice_leaves_truncated_uploads_refused(self):
        """WeasyPrint's import turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process: it is put back."""
        from PIL import ImageFile

        with self.captureOnCommitCallbacks(execute=True):
            _paid_order()
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False

    def test_the_customer_downloads_their_invoice_and_nobody_else_does(self):
        with self.captureOnCommitCallbacks(execute=True):
            order = _paid_order()
        url = reverse("orders:invoice_download", args=[order.pk])
        self.client.force_login(order.user)
        response = self.client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        self.client.force_login(UserFactory())
        assert self.client.get(url).status_code == 404


@pytest.mark.django_db
def test_staff_roles_and_invoices(client, activate_totp):
    order = _paid_order()
    url = reverse("orders:invoice_download", args=[order.pk])
    support = UserFactory(is_staff=True)
    support.groups.add(Group.objects.get(name="Support"))
    lab = UserFactory(is_staff=True)
    lab.groups.add(Group.objects.get(name="Print lab"))
    client.force_login(support)
    assert client.get(url).status_code == 404  # no second factor yet: no permissions
    activate_totp(support)
    assert client.get(url).status_code == 200
    activate_totp(lab)
    client.force_login(lab)
    assert client.get(url).status_code == 404


class PrintFileTests(TestCase):
    def test_a_print_file_is_rendered_at_300_dpi_with_its_crop_and_no_location(self):
        with self.captureOnCommitCallbacks(execute=True):
            order = _paid_order(box=(0.0, 0.0, 1.0, 2 / 3))
        print_file = PrintFile.objects.get(line__order=order)
        assert print_file.status == PrintFile.Status.READY
        data = print_file.file.read()
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (1772, 1181)  # 150 x 100 mm at 300 dpi
            assert not image.getexif()
            assert "exif" not in image.info
        assert b"GPS" not in data[:4096]
        assert len(print_file.sha256) == 64

    def test_fit_puts_white_borders_around_the_whole_photo(self):
        with self.captureOnCommitCallbacks(execute=True):
            order = _paid_order(fit="fit", box=None, size=(600, 600))
        with Image.open(PrintFile.objects.get(line__order=order).file) as image:
            assert image.getpixel((2, image.height // 2)) == (255, 255, 255)

    def test_deleting_the_photo_keeps_the_orders_print_file(self):
        with self.captureOnCommitCallbacks(execute=True):
            order = _paid_order()
        line = order.lines.get()
        with self.captureOnCommitCallbacks(execute=True):
            photos_delete(photos=type(line.photo).objects.filter(pk=line.photo_id))
        print_file = PrintFile.objects.get(line__order=order)
        assert print_file.source_photo_id is None
        assert print_file.file.storage.exists(print_file.file.name)


class LabTests(TestCase):
    def test_export_holds_the_print_files_and_a_ticket_in_csv_and_json(self):
        with self.captureOnCommitCallbacks(execute=True):
            order = _paid_order()
        export = lab_export_create(orders=[order])
        with zipfile.ZipFile(export.archive.open("rb")) as archive:
            names = set(archive.namelist())
            ticket = json.loads(archive.read("ticket.json"))
            csv_text = archive.read("ticket.csv").decode()
        print_file = PrintFile.objects.get(line__order=order)
        position = order.lines.get().position
        assert names == {f"{order.number}/{position:03d}-001.jpg", "ticket.json", "ticket.csv"}
        assert ticket[0]["sha256"] == print_file.sha256
        assert (ticket[0]["width_mm"], ticket[0]["quantity"]) == (150, 10)
        assert order.number in csv_text
        assert order.events.filter(kind=OrderEvent.Kind.LAB).exists()

    def test_export_waits_for_print_files(self):
        order = _paid_order()  # on-commit rendering not run
        with pytest.raises(ValidationError) as waiting:
            lab_export_create(orders=[order])
        assert waiting.value.code == "not_ready"

    def test_a_reprint_renders_the_line_again(self):
        with self.captureOnCommitCallbacks(execute=True):
            order = _paid_order()
        line = order.lines.get()
        with self.captureOnCommitCallbacks(execute=True):
            line_defect_decide(line=line, decision=OrderLine.LabDecision.REPRINT, note="scratched")
        line.refresh_from_db()
        assert (line.lab_decision, line.lab_note) == ("reprint", "scratched")
        assert PrintFile.objects.get(line=line).status == PrintFile.Status.READY
        assert order.events.filter(kind=OrderEvent.Kind.LAB, detail__decision="reprint").exists()


@pytest.mark.django_db
def test_the_print_lab_sees_orders_to_produce_but_no_customer_photos(client, activate_totp):
    lab = UserFactory(is_staff=True)
    lab.groups.add(Group.objects.get(name="Print lab"))
    activate_totp(lab)
    client.force_login(lab)
    order = _paid_order()
    unpaid = OrderFactory()
    listing = client.get(reverse("admin:orders_laborder_changelist")).content.decode()
    assert order.number in listing
    assert unpaid.number not in listing
    page = client.get(reverse("admin:orders_laborder_change", args=[order.pk])).content.decode()
    assert order.ship_name in page
    assert order.email not in page
    other = PhotoFactory()
    assert client.get(reverse("admin:photos_photo_change", args=[other.pk])).status_code in (302, 403, 404)
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 403


@pytest.mark.django_db
def test_a_free_order_gets_an_invoice_too():
    order = OrderFactory(total_cents=0, shipping_cents=0)
    order_paid_without_payment(order=order)
    assert Invoice.objects.get(order=order).total_cents == 0
