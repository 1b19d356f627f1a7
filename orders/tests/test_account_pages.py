"""The customer's order history and order page, the guest link and re-ordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from orders.emails import GUEST_LINK_MAX_AGE, guest_order_token
from orders.models import CartLine, OrderEvent, OrderStatus
from orders.services.lifecycle import order_transition
from orders.tests.factories import FinishFactory, FormatFactory, OrderFactory, OrderLineFactory

S = OrderStatus


@pytest.fixture
def placed(user):
    order = OrderFactory(user=user, status=S.PLACED, total_cents=1230)
    OrderLineFactory(order=order, quantity=2, unit_price_cents=35, total_cents=70)
    return order


def test_history_lists_the_users_orders_with_bounded_queries(shopper_client, user, django_assert_max_num_queries):
    for _ in range(25):
        order = OrderFactory(user=user)
        OrderLineFactory(order=order, quantity=3, unit_price_cents=35, total_cents=105)
    OrderFactory()  # someone else's
    with django_assert_max_num_queries(8):
        response = shopper_client.get(reverse("orders:order_list"))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('class="order-row"') == 20
    assert "3 stuks" in content
    assert "Pagina 1 van 2" in content
    with django_assert_max_num_queries(8):
        second = shopper_client.get(reverse("orders:order_list") + "?page=2")
    assert second.content.decode().count('class="order-row"') == 5


@pytest.mark.django_db
def test_history_needs_sign_in(client):
    response = client.get(reverse("orders:order_list"))
    assert response.status_code == 302


def test_history_without_orders_says_so(shopper_client):
    response = shopper_client.get(reverse("orders:order_list"))
    assert "Je hebt nog geen bestelling geplaatst." in response.content.decode()


def test_account_navigation_links_to_my_orders(shopper_client):
    content = shopper_client.get(reverse("accounts:profile")).content.decode()
    assert reverse("orders:order_list") in content


def test_detail_shows_lines_status_and_tracking(shopper_client, placed, django_assert_max_num_queries):
    for target in (S.PAID, S.IN_PRODUCTION):
        order_transition(order=placed, to=target)
    order_transition(order=placed, to=S.SHIPPED, carrier="bpost", tracking_number="XY123")
    OrderEvent.objects.create(order=placed, kind=OrderEvent.Kind.NOTE, detail={"note": "staff only: rude caller"})
    with django_assert_max_num_queries(10):
        response = shopper_client.get(placed.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert placed.number in content
    assert "Classic prints" in content
    assert "itemCode=XY123" in content
    # Paying issued the invoice: its download link is on the page.
    assert reverse("orders:invoice_download", args=[placed.pk]) in content
    assert "rude caller" not in content
    assert content.count("order-step--done") == 4


def test_another_users_order_is_a_404(client, placed):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(placed.get_absolute_url()).status_code == 404
    assert client.post(reverse("orders:order_reorder", args=[placed.pk])).status_code == 404


def test_a_guest_opens_the_order_through_the_signed_link(client, db, time_machine):
    time_machine.move_to("2026-01-01 12:00:00+00:00", tick=False)
    order = OrderFactory(user=None, email="guest@example.com")
    url = reverse("orders:order_guest", args=[guest_order_token(order)])
    time_machine.move_to("2026-01-01 12:00:00+00:00")
    response = client.get(url)
    assert response.status_code == 200
    assert order.number in response.content.decode()
    assert "Opnieuw bestellen" not in response.content.decode()


def test_the_guest_link_expires_the_day_after_its_limit(client, db, time_machine):
    time_machine.move_to("2026-01-01 12:00:00+00:00", tick=False)
    order = OrderFactory(user=None, email="guest@example.com")
    url = reverse("orders:order_guest", args=[guest_order_token(order)])
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    time_machine.move_to(start + GUEST_LINK_MAX_AGE - timedelta(days=1), tick=False)
    assert client.get(url).status_code == 200
    time_machine.move_to(start + GUEST_LINK_MAX_AGE + timedelta(days=1), tick=False)
    response = client.get(url)
    assert response.status_code == 404
    assert "Deze link werkt niet meer" in response.content.decode()


def test_a_forged_guest_link_is_a_clear_404(client, db):
    response = client.get(reverse("orders:order_guest", args=["not-a-token"]))
    assert response.status_code == 404


def test_reorder_puts_the_lines_back_and_says_what_could_not(shopper_client, user):
    order = OrderFactory(user=user, status=S.DELIVERED)
    finish = FinishFactory(code="matte")
    fmt = FormatFactory(product=finish.product)
    kept = OrderLineFactory(order=order, format=fmt, quantity=4, finish_code="matte", finish_name="Mat")
    gone_format = FormatFactory(is_active=False)
    OrderLineFactory(order=order, format=gone_format, product_name="Poster", format_name="50x70")
    deleted = OrderLineFactory(order=order, product_name="Vierkant", format_name="13x13")
    deleted.photo.delete()
    response = shopper_client.post(reverse("orders:order_reorder", args=[order.pk]), follow=True)
    content = response.content.decode()
    line = CartLine.objects.get(cart__user=user)
    assert (line.photo_id, line.format_id, line.finish_id, line.quantity) == (kept.photo_id, fmt.pk, finish.pk, 4)
    assert "1 regel van bestelling" in content
    assert "Poster (50x70): dit formaat is niet meer te koop" in content
    assert "Vierkant (13x13): de foto staat niet meer in je account" in content
    # Twice: the same line adds up rather than appearing twice.
    shopper_client.post(reverse("orders:order_reorder", args=[order.pk]))
    assert CartLine.objects.get(cart__user=user).quantity == 8


def test_reorder_is_post_only(shopper_client, placed):
    assert shopper_client.get(reverse("orders:order_reorder", args=[placed.pk])).status_code == 405


def test_only_an_unpaid_order_page_offers_to_complete_the_payment(shopper_client, placed):
    from orders.emails import payment_page_url

    content = shopper_client.get(placed.get_absolute_url()).content.decode()
    assert "Download de factuur" not in content  # no invoice before payment
    if payment_page_url(placed):  # the checkout's payment page exists
        assert payment_page_url(placed) in content
        assert "Mijn betaling afronden" in content
    order_transition(order=placed, to=S.PAID)
    assert "Mijn betaling afronden" not in shopper_client.get(placed.get_absolute_url()).content.decode()


def test_a_photo_book_line_is_not_re_added_but_named(shopper_client, user):
    from orders.models import ProductKind

    order = OrderFactory(user=user, status=S.DELIVERED)
    OrderLineFactory(
        order=order, product_kind=ProductKind.PHOTO_BOOK, photos_per_item=20, product_name="Fotoboek", format_name="A4"
    )
    response = shopper_client.post(reverse("orders:order_reorder", args=[order.pk]), follow=True)
    content = response.content.decode()
    assert "Fotoboek (A4): een fotoboek of kalender bestel je opnieuw vanuit je creaties" in content
    assert "Niets uit deze bestelling kon terug in je winkelmandje." in content
    assert not CartLine.objects.filter(cart__user=user).exists()
