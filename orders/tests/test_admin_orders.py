"""The order admin: bounded list queries, index-friendly search, status actions through order_transition, roles."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from orders.admin.orders import CappedCountPaginator, OrderAdmin
from orders.models import Order, OrderEvent, OrderStatus
from orders.tests.factories import OrderFactory, OrderLineFactory
from privacy.admin import AdminLogWithoutPersonalData

S = OrderStatus
CHANGELIST = reverse("admin:orders_order_changelist")


@pytest.fixture
def staff_login(client, activate_totp):
    def login(role: str | None = None, *, superuser: bool = False):
        member = UserFactory(is_staff=True, is_superuser=superuser, email=f"{role or 'root'}@staff.example".lower())
        if role:
            member.groups.add(Group.objects.get(name=role))
        activate_totp(member)
        client.force_login(member)
        return member

    return login


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_order_admin_keeps_personal_data_out_of_the_log():
    assert isinstance(admin.site._registry[Order], AdminLogWithoutPersonalData)
    assert OrderAdmin.show_full_result_count is False
    assert OrderAdmin.paginator is CappedCountPaginator


@pytest.mark.django_db
def test_the_list_never_counts_the_whole_table(client, staff_login, django_assert_max_num_queries):
    staff_login(superuser=True)
    for _ in range(60):
        OrderFactory(status=S.PAID)
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(12):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the paginator counts"
    assert all("LIMIT" in sql.upper() for sql in counts), counts
    assert response.content.decode().count('class="action-select"') == 50


@pytest.mark.django_db
def test_the_capped_paginator_stops_counting_at_its_cap(monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "CAP", 5)
    for _ in range(8):
        OrderFactory()
    paginator = CappedCountPaginator(Order.objects.order_by("-placed_at"), 2)
    assert paginator.count == 5
    assert paginator.num_pages == 3


@pytest.mark.django_db
def test_search_finds_an_exact_number_first_then_by_prefix_and_by_email(client, staff_login):
    staff_login(superuser=True)
    a = OrderFactory(number="PS-2026-000123", email="Emma@Example.com")
    b = OrderFactory(number="PS-2026-0001234")
    OrderFactory(number="PS-2025-000999")

    def found(term: str) -> set[str]:
        return {o.number for o in client.get(CHANGELIST, {"q": term}).context["cl"].result_list}

    assert found("PS-2026-000123") == {a.number}
    assert found("ps-2026-00012") == {a.number, b.number}
    assert found("emma@example.COM") == {a.number}
    assert found("nobody@example.com") == set()


@pytest.mark.django_db
def test_bulk_in_production_moves_each_order_with_one_event_and_reports_refusals(
    client, staff_login, django_capture_on_commit_callbacks
):
    member = staff_login(superuser=True)
    paid = [OrderFactory(status=S.PAID) for _ in range(3)]
    placed = OrderFactory(status=S.PLACED)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {"action": "mark_in_production", ACTION_CHECKBOX_NAME: [o.pk for o in [*paid, placed]]},
            follow=True,
        )
    messages = texts(response)
    assert any("3 bestellingen zijn nu in productie" in m for m in messages), messages
    assert any(placed.number in m for m in messages)
    for order in paid:
        order.refresh_from_db()
        assert order.status == S.IN_PRODUCTION
        event = OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.STATUS)
        assert event.actor == member
    assert Order.objects.get(pk=placed.pk).status == S.PLACED
    assert len(mail.outbox) == 3  # "printing started" to each customer


@pytest.mark.django_db
def test_shipping_asks_carrier_and_tracking_number_per_order(client, staff_login, django_capture_on_commit_callbacks):
    staff_login(superuser=True)
    order = OrderFactory(status=S.IN_PRODUCTION)
    page = client.post(CHANGELIST, {"action": "mark_shipped", ACTION_CHECKBOX_NAME: [order.pk]})
    assert page.status_code == 200
    assert 'value="bpost"' in page.content.decode()
    data = {
        "action": "mark_shipped",
        ACTION_CHECKBOX_NAME: [order.pk],
        "post": "yes",
        "ship-TOTAL_FORMS": "1",
        "ship-INITIAL_FORMS": "1",
        "ship-0-order": str(order.pk),
        "ship-0-carrier": "bpost",
        "ship-0-tracking_number": "",
    }
    again = client.post(CHANGELIST, data)
    assert again.status_code == 200  # the form again, with its error
    assert Order.objects.get(pk=order.pk).status == S.IN_PRODUCTION
    data["ship-0-tracking_number"] = " 3232ABC "
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, data)
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == (S.SHIPPED, "bpost", "3232ABC")
    assert "itemCode=3232ABC" in mail.outbox[-1].body


@pytest.mark.django_db
def test_cancel_needs_a_reason(client, staff_login):
    staff_login(superuser=True)
    order = OrderFactory(status=S.PLACED)
    base = {"action": "cancel_orders", ACTION_CHECKBOX_NAME: [order.pk], "post": "yes"}
    assert client.post(CHANGELIST, {**base, "reason": ""}).status_code == 200
    assert Order.objects.get(pk=order.pk).status == S.PLACED
    client.post(CHANGELIST, {**base, "reason": "Customer asked by phone"})
    order.refresh_from_db()
    assert (order.status, order.status_reason) == (S.CANCELLED, "Customer asked by phone")


@pytest.mark.django_db
def test_the_order_page_shows_read_only_lines_and_events(client, staff_login):
    staff_login(superuser=True)
    order = OrderFactory(status=S.PLACED)
    OrderLineFactory(order=order, product_name="Classic prints")
    response = client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Classic prints" in content
    assert 'name="lines-0-quantity"' not in content


@pytest.mark.django_db
def test_correcting_the_address_writes_an_event(client, staff_login):
    from accounts.tests.admin_helpers import change_form_data

    member = staff_login(superuser=True)
    order = OrderFactory(status=S.PAID)
    url = reverse("admin:orders_order_change", args=[order.pk])
    data = change_form_data(client.get(url))
    data["ship_street"] = "Veldstraat 10"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    order.refresh_from_db()
    assert order.ship_street == "Veldstraat 10"
    event = OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.NOTE)
    assert (event.actor, event.detail) == (member, {"changed": ["ship_street"]})


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Support", "Privacy officer"])
def test_support_and_privacy_officer_see_orders_and_nobody_deletes_one(client, staff_login, role):
    staff_login(role)
    order = OrderFactory(status=S.PAID)
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 200
    response = client.post(reverse("admin:orders_order_delete", args=[order.pk]), {"post": "yes"})
    assert response.status_code in (302, 403)
    assert Order.objects.filter(pk=order.pk).exists()


@pytest.mark.django_db
def test_support_can_move_orders_and_the_privacy_officer_cannot(client, staff_login):
    staff_login("Privacy officer")
    order = OrderFactory(status=S.PAID)
    client.post(CHANGELIST, {"action": "mark_in_production", ACTION_CHECKBOX_NAME: [order.pk]})
    assert Order.objects.get(pk=order.pk).status == S.PAID
    client.logout()
    staff_login("Support")
    client.post(CHANGELIST, {"action": "mark_in_production", ACTION_CHECKBOX_NAME: [order.pk]})
    assert Order.objects.get(pk=order.pk).status == S.IN_PRODUCTION


@pytest.mark.django_db
def test_staff_without_a_second_factor_see_no_orders(client):
    member = UserFactory(is_staff=True)
    member.groups.add(Group.objects.get(name="Support"))
    client.force_login(member)
    assert client.get(CHANGELIST).status_code in (302, 403)


def test_the_list_offers_no_facet_counts_over_the_whole_table():
    assert OrderAdmin.show_facets == admin.ShowFacets.NEVER
