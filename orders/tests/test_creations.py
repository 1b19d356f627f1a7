"""Suggested products (ALB-5): on request only, from the customer's own best photos; edit, order or dismiss."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from orders.models import CartLine, Creation, CreationPage
from orders.services.creations import creation_suggest
from orders.tests.factories import FinishFactory, FormatFactory, ProductFactory
from photos.models import Photo
from photos.tests.factories import PhotoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def calendar():
    product = ProductFactory(slug="calendar", kind="calendar", photos_per_item=12, name_en="Calendar")
    FormatFactory(product=product, code="calendar-a4", name_en="A4", width_mm=210, height_mm=297, price_cents=1995)
    FinishFactory(product=product, code="matte", is_default=True)
    return product


def good_photo(user, score: float, day: int, **extra) -> Photo:
    taken = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=day)
    fields = {"width": 4000, "height": 3000, "quality_score": score, "taken_at": taken, "sharpness": 200.0}
    return PhotoFactory(user=user, **{**fields, **extra})


@pytest.fixture
def photos(user):
    """Fifteen printable photos of the shopper, scored 50..64, taken on days 14..0 (the best ones earliest)."""
    return [good_photo(user, 50 + number, 14 - number) for number in range(15)]


def suggest(client, product) -> object:
    return client.post(reverse("orders:creation_suggest"), {"product": product.slug})


def test_a_visitor_cannot_ask_for_a_suggestion(client, calendar):
    response = suggest(client, calendar)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Creation.objects.exists()


def test_suggestion_uses_the_customers_best_printable_photos_in_the_order_taken(
    shopper_client, user, calendar, photos
):
    stranger = UserFactory()
    good_photo(stranger, 99, 1)  # another customer's photo, however good, is never used
    good_photo(user, 98, 2, review=Photo.Review.HELD)  # held by the scan: not printable
    good_photo(user, 97, 3, width=600, height=400)  # too small for A4
    good_photo(user, 96, 4, status=Photo.Status.PROCESSING)

    response = suggest(shopper_client, calendar)

    creation = Creation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:creation_detail", args=[creation.pk])
    assert creation.user == user
    assert creation.status == Creation.Status.SUGGESTED
    pages = list(creation.pages.order_by("position"))
    assert len(pages) == 12
    best_twelve = sorted(photos, key=lambda photo: -photo.quality_score)[:12]
    assert {page.photo_id for page in pages} == {photo.pk for photo in best_twelve}
    taken = [page.photo.taken_at for page in pages]
    assert taken == sorted(taken)


def test_too_few_photos_gives_a_clear_message_and_no_suggestion(shopper_client, user, calendar):
    for number in range(5):
        good_photo(user, 60, number)

    response = suggest(shopper_client, calendar)

    assert response.status_code == 302
    follow = shopper_client.get(response["Location"])
    assert "needs 12 photos that print well in this size; you have 5" in follow.content.decode()
    assert not Creation.objects.exists()


def test_only_photo_books_and_calendars_are_suggested(shopper_client, user, photos):
    prints = ProductFactory(slug="prints", kind="print")
    FormatFactory(product=prints)
    response = suggest(shopper_client, prints)
    assert response.status_code == 302
    assert not Creation.objects.exists()


def test_detail_shows_the_pages_with_bounded_queries(
    shopper_client, user, calendar, photos, django_assert_max_num_queries
):
    creation = creation_suggest(user=user, product=calendar)
    with django_assert_max_num_queries(10):
        response = shopper_client.get(reverse("orders:creation_detail", args=[creation.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Month 12" in text
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_swap_puts_another_own_photo_on_a_page_and_keeps_the_creation(shopper_client, user, calendar, photos):
    creation = creation_suggest(user=user, product=calendar)
    unused = next(photo for photo in photos if not creation.pages.filter(photo=photo).exists())

    response = shopper_client.post(
        reverse("orders:creation_page_swap", args=[creation.pk, 3]), {"photo": str(unused.pk)}
    )

    assert response.status_code == 302
    assert creation.pages.get(position=3).photo == unused
    creation.refresh_from_db()
    assert creation.status == Creation.Status.SAVED


@pytest.mark.parametrize("photo", ["stranger", "not-a-uuid", ""])
def test_swap_refuses_a_photo_that_is_not_the_customers(shopper_client, user, calendar, photos, photo):
    creation = creation_suggest(user=user, product=calendar)
    before = creation.pages.get(position=3).photo_id
    if photo == "stranger":
        photo = str(good_photo(UserFactory(), 90, 1).pk)

    response = shopper_client.post(reverse("orders:creation_page_swap", args=[creation.pk, 3]), {"photo": photo})

    follow = shopper_client.get(response["Location"])
    assert "Choose one of your photos that prints well in this size." in follow.content.decode()
    assert creation.pages.get(position=3).photo_id == before


def test_move_swaps_neighbouring_pages_and_stops_at_the_ends(shopper_client, user, calendar, photos):
    creation = creation_suggest(user=user, product=calendar)
    first, second = creation.pages.get(position=1).photo_id, creation.pages.get(position=2).photo_id
    move = reverse("orders:creation_page_move", args=[creation.pk, 1])

    shopper_client.post(move, {"direction": "later"})

    assert creation.pages.get(position=1).photo_id == second
    assert creation.pages.get(position=2).photo_id == first
    response = shopper_client.post(move, {"direction": "earlier"})
    follow = shopper_client.get(response["Location"])
    assert "This page cannot move further." in follow.content.decode()


def test_add_to_cart_puts_the_creation_in_the_cart_once(shopper_client, user, calendar, photos):
    creation = creation_suggest(user=user, product=calendar)
    add = reverse("orders:creation_add_to_cart", args=[creation.pk])

    response = shopper_client.post(add)
    assert response.status_code == 302
    cart_page = shopper_client.get(response["Location"])
    assert cart_page.status_code == 200
    assert "Calendar" in cart_page.content.decode()
    shopper_client.post(add)

    line = CartLine.objects.get(cart__user=user)
    assert line.creation == creation
    assert line.quantity == 2
    assert line.format == creation.format
    assert line.finish.code == "matte"
    creation.refresh_from_db()
    assert creation.status == Creation.Status.SAVED


def test_dismiss_drops_the_pages_and_the_suggestion_leaves_the_list(shopper_client, user, calendar, photos):
    creation = creation_suggest(user=user, product=calendar)
    shopper_client.post(reverse("orders:creation_add_to_cart", args=[creation.pk]))

    response = shopper_client.post(reverse("orders:creation_dismiss", args=[creation.pk]))

    assert response.status_code == 302
    creation.refresh_from_db()
    assert creation.status == Creation.Status.DISMISSED
    assert not CreationPage.objects.filter(creation=creation).exists()
    assert not CartLine.objects.filter(creation=creation).exists()
    assert shopper_client.get(reverse("orders:creation_detail", args=[creation.pk])).status_code == 404
    assert str(creation.pk) not in shopper_client.get(reverse("orders:creation_list")).content.decode()


def test_a_new_suggestion_replaces_an_untouched_one_but_not_an_edited_one(user, calendar, photos):
    first = creation_suggest(user=user, product=calendar)
    second = creation_suggest(user=user, product=calendar)
    assert not Creation.objects.filter(pk=first.pk).exists()

    second.status = Creation.Status.SAVED
    second.save(update_fields=["status"])
    third = creation_suggest(user=user, product=calendar)
    assert set(Creation.objects.values_list("pk", flat=True)) == {second.pk, third.pk}


def test_another_customers_creation_is_a_404(calendar, photos, user):
    creation = creation_suggest(user=user, product=calendar)
    other = Client()
    other.force_login(UserFactory())

    assert other.get(reverse("orders:creation_detail", args=[creation.pk])).status_code == 404
    for name, data in [
        ("creation_page_move", {"direction": "later"}),
        ("creation_page_swap", {"photo": str(creation.pages.first().photo_id)}),
    ]:
        assert other.post(reverse(f"orders:{name}", args=[creation.pk, 1]), data).status_code == 404
    assert other.post(reverse("orders:creation_add_to_cart", args=[creation.pk])).status_code == 404
    assert other.post(reverse("orders:creation_dismiss", args=[creation.pk])).status_code == 404
    creation.refresh_from_db()
    assert creation.status == Creation.Status.SUGGESTED
    assert not CartLine.objects.exists()


def test_product_page_offers_a_suggestion_on_request_only(client, user, calendar):
    page = reverse("orders:product", kwargs={"slug": "calendar"})
    visitor = client.get(page).content.decode()
    assert "Sign in to get a suggestion" in visitor
    assert "Only your own photos are used, and only when you ask." in visitor

    client.force_login(user)
    customer = client.get(page).content.decode()
    assert "Suggest one from my best photos" in customer
    assert not Creation.objects.exists()  # opening the page makes nothing
