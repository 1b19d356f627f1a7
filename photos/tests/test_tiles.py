"""The gallery's tiles: rendered once per kind of photo, each showing its own photo and nothing of another's."""

import pytest
from django.urls import reverse

from orders.models import Format
from photos.models import Photo
from photos.tests.factories import PhotoFactory
from photos.tiles import SENTINEL_ID, SENTINEL_NAME, _tile_markup, _tile_parts


@pytest.mark.django_db
def test_alike_photos_each_show_their_own_name_links_and_checkbox(shopper_client, user, print_formats):
    first = PhotoFactory(user=user, filename="Beach & sun.jpg", thumbnail_small="t/a.jpg")
    second = PhotoFactory(user=user, filename="<b>Party</b>.jpg", thumbnail_small="t/b.jpg")
    html = shopper_client.get(reverse("photos:gallery")).content.decode()
    for photo in (first, second):
        assert f'data-photo="{photo.id}"' in html
        assert reverse("photos:detail", args=[photo.id]) in html
        assert reverse("photos:file", args=[photo.id, "small"]) in html
        assert reverse("photos:delete", args=[photo.id]) in html
    assert "Beach &amp; sun.jpg" in html
    assert "&lt;b&gt;Party&lt;/b&gt;.jpg" in html
    assert "<b>Party</b>" not in html
    assert str(SENTINEL_ID) not in html
    assert SENTINEL_NAME not in html


@pytest.mark.django_db
def test_a_long_file_name_is_shortened_as_before_and_a_rejection_shows_its_own_reason(
    shopper_client, user, print_formats
):
    long_name = "a-very-long-file-name-from-a-camera-0001.jpg"
    PhotoFactory(user=user, filename=long_name)
    PhotoFactory(user=user, review=Photo.Review.REJECTED, review_reason="Shows a weapon")
    PhotoFactory(user=user, review=Photo.Review.REJECTED, review_reason="Shows a face of a child")
    html = shopper_client.get(reverse("photos:gallery")).content.decode()
    assert "a-very-long-file-name-from-a-ca…" in html
    assert "Cannot be printed: Shows a weapon" in html
    assert "Cannot be printed: Shows a face of a child" in html


@pytest.mark.django_db
def test_the_kept_tile_holds_no_personal_data(user, print_formats):
    _tile_parts.cache_clear()
    photo = PhotoFactory(user=user, filename="Anna at home.jpg", review=Photo.Review.REJECTED, review_reason="Anna")
    from photos.tiles import gallery_tiles, tile_kind

    gallery_tiles([photo], can_order=True, catalogue_version="v1")
    markup = _tile_markup(tile_kind(photo, can_order=True, catalogue_version="v1"))
    assert "Anna" not in markup
    assert str(photo.id) not in markup
    kept = "".join(_tile_parts(tile_kind(photo, can_order=True, catalogue_version="v1")))
    assert "Anna" not in kept
    assert str(photo.id) not in kept


@pytest.mark.django_db
def test_a_catalogue_edit_shows_in_the_tiles_at_once(shopper_client, user, print_formats):
    PhotoFactory(user=user, width_px=3000, height_px=2000)
    before = shopper_client.get(reverse("photos:gallery")).content.decode()
    dropped = print_formats[-1]
    assert f'<span class="fit-name">{dropped.code}</span>' in before
    Format.objects.get(pk=dropped.pk).delete()  # a catalogue edit: the version changes
    after = shopper_client.get(reverse("photos:gallery")).content.decode()
    assert f'<span class="fit-name">{dropped.code}</span>' not in after


@pytest.mark.django_db
def test_the_language_of_a_tile_follows_the_page(client, user, print_formats, password):
    PhotoFactory(user=user, width_px=3000, height_px=2000)
    client.force_login(user)
    english = client.get("/en" + reverse("photos:gallery")[3:]).content.decode()
    dutch = client.get("/nl" + reverse("photos:gallery")[3:]).content.decode()
    assert "Print this one" in english
    assert "Print this one" not in dutch
