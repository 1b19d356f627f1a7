"""The order pages in Chromium on a phone and a desktop: readable without sideways scrolling.

Screenshots go to ``screenshots/orders/`` (not committed) for a look at what customers and staff see.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from orders.models import OrderStatus
from orders.services.lifecycle import order_transition
from orders.tests.factories import FinishFactory, FormatFactory, OrderFactory, OrderLineFactory

OUT = Path(settings.BASE_DIR) / "screenshots" / "orders"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _signed_in_context(browser, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, locale="nl-BE")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def _orders_of(user):
    finish = FinishFactory(code="matte", name_nl="Mat")
    fmt = FormatFactory(product=finish.product, code="13x18", name_nl="13 x 18 cm")
    shipped = OrderFactory(user=user, total_cents=2785, items_cents=2290, vat_cents=158)
    OrderLineFactory(
        order=shipped, format=fmt, format_name="13 x 18 cm", quantity=12, unit_price_cents=45, total_cents=540
    )
    OrderLineFactory(
        order=shipped,
        format=fmt,
        product_name="Poster",
        format_name="50 x 70 cm",
        finish_name="Mat",
        quantity=1,
        unit_price_cents=1750,
        total_cents=1750,
    )
    for target in (OrderStatus.PAID, OrderStatus.IN_PRODUCTION):
        order_transition(order=shipped, to=target)
    order_transition(order=shipped, to=OrderStatus.SHIPPED, carrier="bpost", tracking_number="323299999912345678")
    for status in (OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.PLACED):
        other = OrderFactory(user=user, status=status, total_cents=995)
        OrderLineFactory(order=other, quantity=3)
    return shipped


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", VIEWPORTS)
def test_history_and_order_page_fit_phone_and_desktop(browser, live_server, device):
    user = UserFactory(first_name="Emma")
    shipped = _orders_of(user)
    context = _signed_in_context(browser, live_server, user, VIEWPORTS[device])
    page = context.new_page()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, path in (
        ("history", reverse("orders:order_list")),
        ("detail", reverse("orders:order_detail", args=[shipped.pk])),
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
            f"{name} scrolls sideways"
        )
        page.screenshot(path=OUT / f"{name}-{device}.png", full_page=True)
    assert page.get_by_role("link", name="Volg je pakket").is_visible()
    assert page.get_by_role("button", name="Opnieuw bestellen").is_visible()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_admin_order_list_screenshot(browser, live_server, activate_totp):
    staff = UserFactory(is_staff=True, is_superuser=True, email="root@staff.example")
    activate_totp(staff)
    _orders_of(UserFactory())
    context = _signed_in_context(browser, live_server, staff, VIEWPORTS["desktop"])
    page = context.new_page()
    response = page.goto(live_server.url + reverse("admin:orders_order_changelist"))
    assert response.status == 200
    assert page.locator("#result_list tbody tr").count() == 4
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUT / "admin-list-desktop.png", full_page=True)
    context.close()
