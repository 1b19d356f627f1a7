"""Staff and sponsors at work in Chromium, against the live site (``pytest -m e2e``).

The privacy officer handles an export request and an erasure request in the
DSAR admin before their due dates; support looks up an order and the access
log shows it; the print lab exports a batch and marks it shipped with a
tracking number; a sponsor's contact person sees the portal's figures change
when a code is used. Each staff member has their second factor set up; no
page may log a console error or send a request off loopback. Screenshots go
to ``screenshots/staff/``.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory
from conftest import BrowserWatch
from orders.models import Order, OrderStatus
from orders.tests.factories import OrderFactory, OrderLineFactory, ShippingMethodFactory
from photos.tests.factories import PhotoFactory
from privacy import dsar
from privacy.models import AccessLogEntry, PrivacyRequest
from promotions.models import Redemption, SponsorMember
from promotions.tests.factories import CampaignFactory, CodeFactory

# The staff roles come from data migrations: given back after other live-server tests' flushes.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_roles")]

OUT = Path(settings.BASE_DIR) / "screenshots" / "staff"


@pytest.fixture
def signed_in(browser, live_server, activate_totp):
    """Open a Chromium page signed in as a new member of ``role`` (a staff group, or a sponsor's contact)."""
    contexts, watches = [], []

    def open_as(user):
        activate_totp(user)
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        context.set_default_timeout(20_000)
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
              "url": live_server.url}]
        )  # fmt: skip
        watches.append(BrowserWatch(context))
        contexts.append(context)
        return context.new_page()

    yield open_as
    for context in contexts:
        context.close()
    for watch in watches:
        assert watch.problems() == {"errors": [], "outside": []}


def staff(role: str):
    member = UserFactory(is_staff=True, email=f"{role.lower().replace(' ', '-')}@staff.example")
    member.groups.add(Group.objects.get(name=role))
    return member


def shot(page, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def test_the_privacy_officer_handles_an_export_and_an_erasure_request_before_they_are_due(signed_in, live_server):
    reader, leaver = UserFactory(email="reader@example.com"), UserFactory(email="leaver@example.com")
    PhotoFactory(user=leaver)
    requests = []
    for person, kind in ((reader, PrivacyRequest.Kind.EXPORT), (leaver, PrivacyRequest.Kind.ERASURE)):
        request = dsar.request_submit(kind=kind, email=person.email, name="", details="", language="nl")
        requests.append(dsar.request_confirm_email(request=request))
    page = signed_in(staff("Privacy officer"))
    page.goto(live_server.url + "/admin/privacy/privacyrequest/")
    for request in requests:
        assert request.reference in page.content()
    shot(page, "dsar-list")
    for request in requests:
        page.goto(live_server.url + f"/admin/privacy/privacyrequest/{request.pk}/change/")
        if page.locator("form[action$='/step/verify/']").count():
            page.fill("#verify-note", "address confirmed by the e-mailed link")
            page.locator("form[action$='/step/verify/'] input[type=submit]").click()
            page.wait_for_load_state()
        page.fill("#complete-outcome", "Done as asked.")
        shot(page, f"dsar-{request.kind}")
        page.locator("form[action$='/step/complete/'] input[type=submit]").click()
        page.wait_for_load_state()
        request.refresh_from_db()
        assert request.status == PrivacyRequest.Status.COMPLETED
        assert request.closed_at.date() <= request.due_on  # within the time the policy promises
    leaver.refresh_from_db()
    assert leaver.anonymised_at is not None
    copies = [m for m in mail.outbox if m.to == ["reader@example.com"] and "/my-data/download/" in m.body]
    assert len(copies) == 1  # the copy of their data, ready to download


def test_support_looks_up_an_order_and_the_access_log_shows_it(signed_in, live_server):
    order = OrderFactory(status=OrderStatus.PAID, placed_at=timezone.now())
    OrderLineFactory(order=order)
    member = staff("Support")
    page = signed_in(member)
    page.goto(live_server.url + f"/admin/orders/order/?q={order.number}")
    page.locator(f"a:text-is('{order.number}')").click()
    page.wait_for_load_state()
    assert order.email in page.content()
    shot(page, "support-order")
    entry = AccessLogEntry.objects.get(staff=member)
    assert (entry.record_type, entry.record_id, entry.subject_id) == ("orders.Order", str(order.pk), order.user_id)
    officer = signed_in(staff("Privacy officer"))
    officer.goto(live_server.url + "/admin/privacy/accesslogentry/")
    assert member.email in officer.content()
    shot(officer, "access-log")


def test_the_print_lab_exports_a_batch_and_marks_it_shipped(signed_in, live_server):
    method = ShippingMethodFactory(country="BE", carrier="bpost")
    orders = []
    for _ in range(2):
        order = OrderFactory(status=OrderStatus.PAID, placed_at=timezone.now(), shipping_method=method)
        OrderLineFactory(order=order, photo=PhotoFactory(user=order.user))
        orders.append(order)
    page = signed_in(staff("Print lab"))
    page.goto(live_server.url + "/admin/orders/laborder/")
    for order in orders:
        page.check(f"input[name=_selected_action][value='{order.pk}']")
    page.select_option("select[name=action]", "export_for_lab")
    page.locator("div.actions button[type=submit]").click()
    page.wait_for_load_state()
    shot(page, "lab-exported")
    page.locator("ul.messagelist a").first.click()  # "download it": the export's page
    with page.expect_download() as download:
        page.locator("a[href$='/download/']").first.click()
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as archive:
        assert "ticket.json" in archive.namelist()

    def act(action: str) -> None:
        page.goto(live_server.url + "/admin/orders/laborder/")
        for order in orders:
            page.check(f"input[name=_selected_action][value='{order.pk}']")
        page.select_option("select[name=action]", action)
        page.locator("div.actions button[type=submit]").click()
        page.wait_for_load_state()

    act("mark_in_production")
    assert Order.objects.filter(status=OrderStatus.IN_PRODUCTION).count() == 2
    act("mark_shipped")
    for n, _order in enumerate(orders):
        page.fill(f"input[name='ship-{n}-tracking_number']", f"3SABC{n:08d}")
    shot(page, "lab-ship")
    page.locator("#content form [type=submit]").first.click()
    page.wait_for_load_state()
    shot(page, "lab-shipped")
    for order in orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.SHIPPED
        assert order.tracking_number.startswith("3SABC")
    assert Order.objects.filter(status=OrderStatus.SHIPPED).count() == 2


def test_a_sponsor_sees_the_portal_figures_change_when_a_code_is_used(signed_in, live_server):
    now = timezone.now()
    campaign = CampaignFactory(starts_at=now - datetime.timedelta(days=3), ends_at=now + datetime.timedelta(days=60))
    contact = UserFactory(email="contact@sponsor.example")
    SponsorMember.objects.create(sponsor=campaign.sponsor, user=contact)

    def redeemed(count: int) -> None:
        for _ in range(count):
            customer = UserFactory()
            order = OrderFactory(user=customer, status=OrderStatus.SHIPPED, ship_postal_code="9000", placed_at=now)
            OrderLineFactory(order=order, quantity=20)
            code = CodeFactory(campaign=campaign, used=1)
            Redemption.objects.create(code=code, campaign=campaign, user=customer, order=order)
        campaign.redeemed += count
        campaign.save()

    redeemed(5)  # figures show from five people on (k-anonymity)
    page = signed_in(contact)
    page.goto(live_server.url + f"/portal/campaigns/{campaign.pk}/")
    assert "<dd>5</dd>" in page.content()
    assert "<dd>100</dd>" in page.content()  # prints shipped
    shot(page, "portal-before")

    redeemed(1)
    page.reload()
    content = page.content()
    assert "<dd>6</dd>" in content
    assert "<dd>120</dd>" in content
    shot(page, "portal-after")
