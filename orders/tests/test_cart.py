"""The cart as a shopper uses it: from the gallery, with and without an account, with the print check."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from orders.models import Cart, CartLine
from orders.tests.factories import CartLineFactory, FormatFactory, ProductFactory, VatRateFactory
from photos.models import Photo
from photos.selectors import VISITOR_KEY
from photos.tests.factories import PhotoFactory

pytestmark = pytest.mark.django_db


def en(name, *args):
    """Return the English URL of a view (the messages are asserted in English)."""
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def fmt():
    VatRateFactory()
    return FormatFactory(product=ProductFactory(slug="classic"), code="10x15", price_cents=39)


def _add(client, photos, fmt, **extra):
    data = {"format": fmt.pk, "photos": [str(p.pk) for p in photos], **extra}
    return client.post(en("orders:cart_add"), data, follow=True)


def test_order_prints_of_ticked_photos_from_the_gallery(client, fmt):
    user = UserFactory()
    photos = PhotoFactory.create_batch(2, user=user, width_px=1800, height_px=1200)
    client.force_login(user)
    gallery = client.get(en("photos:gallery")).content.decode()
    assert "Order prints of these" in gallery
    page = _add(client, photos, fmt)
    assert page.redirect_chain[-1][0] == en("orders:cart")
    lines = CartLine.objects.filter(cart__user=user)
    assert sorted(str(line.photo_id) for line in lines) == sorted(str(p.pk) for p in photos)
    line = lines.first()
    # A 3:2 photo in 10x15 (3:2) needs no cut: the crop box is the whole photo.
    assert (line.crop_left, line.crop_top, line.crop_right, line.crop_bottom) == (0.0, 0.0, 1.0, 1.0)
    content = page.content.decode()
    assert "€ 0,78" in content  # 2 x € 0,39


def test_a_photo_still_being_prepared_shows_as_such_in_the_cart_not_as_a_broken_image(client, fmt):
    user = UserFactory()
    ready, preparing = PhotoFactory.create_batch(2, user=user, width_px=1800, height_px=1200)
    ready.thumbnail_small = ready.original.name
    ready.save(update_fields=["thumbnail_small"])
    client.force_login(user)
    content = _add(client, [ready, preparing], fmt).content.decode()
    assert reverse("photos:file", args=[ready.pk, "small"]).removeprefix("/") in content
    assert f"/photos/{preparing.pk}/small/" not in content
    assert "Being prepared" in content


def test_adding_the_same_photo_again_raises_the_quantity(client, fmt):
    user = UserFactory()
    photo = PhotoFactory(user=user, width_px=1800, height_px=1200)
    client.force_login(user)
    _add(client, [photo], fmt)
    _add(client, [photo], fmt)
    assert CartLine.objects.get(cart__user=user).quantity == 2


def test_another_users_photo_cannot_be_added(client, fmt):
    user, other = UserFactory(), UserFactory()
    theirs = PhotoFactory(user=other)
    client.force_login(user)
    page = _add(client, [theirs], fmt)
    assert "Choose at least one of your photos." in page.content.decode() or CartLine.objects.count() == 0
    assert CartLine.objects.count() == 0


def test_a_photo_held_by_review_cannot_be_added(client, fmt):
    user = UserFactory()
    held = PhotoFactory(user=user, review=Photo.Review.HELD)
    client.force_login(user)
    client.post(en("orders:cart_add"), {"format": fmt.pk, "photos": [str(held.pk)]}, follow=True)
    assert CartLine.objects.count() == 0


def test_another_users_cart_line_is_a_404(client, fmt):
    line = CartLineFactory(format=fmt)
    client.force_login(UserFactory())
    url = reverse("orders:cart_line_update", args=[line.pk])
    assert client.post(url, {"quantity": 5, "format": fmt.pk, "fit": "crop"}).status_code == 404
    assert client.post(reverse("orders:cart_line_remove", args=[line.pk])).status_code == 404
    line.refresh_from_db()
    assert line.quantity == 1


@pytest.mark.parametrize("quantity", ["0", "1000", "-3", "many", ""])
def test_a_bad_quantity_is_refused_with_a_message_and_the_line_kept(client, fmt, quantity):
    line = CartLineFactory(format=fmt, quantity=2)
    client.force_login(line.cart.user)
    page = client.post(
        en("orders:cart_line_update", line.pk),
        {"quantity": quantity, "format": fmt.pk, "fit": "crop"},
        follow=True,
    )
    assert page.status_code == 200
    assert "Choose a quantity from 1 to 999." in page.content.decode()
    line.refresh_from_db()
    assert line.quantity == 2


def test_fit_clears_the_crop_box_and_a_bad_fit_is_refused(client, fmt):
    line = CartLineFactory(format=fmt, crop_left=0, crop_top=0.1, crop_right=1, crop_bottom=0.9)
    client.force_login(line.cart.user)
    url = reverse("orders:cart_line_update", args=[line.pk])
    client.post(url, {"quantity": 1, "format": fmt.pk, "fit": "stretch"})
    line.refresh_from_db()
    assert line.fit == "crop"
    assert line.crop_top == 0.1
    client.post(url, {"quantity": 1, "format": fmt.pk, "fit": "fit"})
    line.refresh_from_db()
    assert line.fit == "fit"
    assert line.crop_left is None


def test_crop_keeps_the_chosen_side(client, fmt):
    user = UserFactory()
    photo = PhotoFactory(user=user, width_px=1200, height_px=1200)  # square into 3:2
    line = CartLineFactory(cart__user=user, photo=photo, format=fmt)
    client.force_login(user)
    url = reverse("orders:cart_line_update", args=[line.pk])
    client.post(url, {"quantity": 1, "format": fmt.pk, "fit": "crop", "anchor": "start"})
    line.refresh_from_db()
    assert (line.crop_left, line.crop_top, line.crop_right) == (0.0, 0.0, 1.0)
    assert line.crop_bottom == pytest.approx(2 / 3, abs=1e-5)


def test_a_photo_too_small_for_its_format_is_refused_before_paying(client):
    VatRateFactory(kind="poster")
    poster = FormatFactory(
        product=ProductFactory(slug="poster", kind="poster"), code="50x70", width_mm=700, height_mm=500
    )
    user = UserFactory()
    small = PhotoFactory(user=user, width_px=800, height_px=600)
    CartLineFactory(cart__user=user, photo=small, format=poster)
    client.force_login(user)
    page = client.get(en("orders:cart")).content.decode()
    assert "too small or too blurred for this format" in page
    assert en("orders:checkout") not in page


def test_a_visitors_cart_moves_to_the_account_at_sign_in(client, fmt):
    session = client.session
    session[VISITOR_KEY] = "v" * 40
    session.save()
    photo = PhotoFactory(user=None, session_key="v" * 40, width_px=1800, height_px=1200)
    _add(client, [photo], fmt)
    assert Cart.objects.get(user__isnull=True).lines.count() == 1
    user = UserFactory()
    page = client.post(
        reverse("account_login"), {"login": user.email, "password": "correct-horse-battery-staple"}, follow=True
    )
    assert page.status_code == 200
    assert not Cart.objects.filter(user__isnull=True).exists()
    line = CartLine.objects.get(cart__user=user)
    assert line.photo_id == photo.pk


def test_the_cart_page_queries_are_bounded_and_it_writes_nothing(client, fmt, django_assert_max_num_queries):
    user = UserFactory()
    for _ in range(8):
        CartLineFactory(cart=Cart.objects.get_or_create(user=user)[0], format=fmt)
    client.force_login(user)
    with django_assert_max_num_queries(12) as captured:
        assert client.get(reverse("orders:cart")).status_code == 200
    assert not [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
