"""Uploading: many files at once, a clear message per bad file, nothing else lost."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from photos.models import Album, Photo
from photos.tests import images
from photos.tests.conftest import upload_file


@pytest.mark.django_db
def test_batch_with_bad_files_keeps_the_good_ones_and_says_why_per_file(upload, client, settings):
    settings.PHOTOS_MAX_UPLOAD_BYTES = 2_000_000
    good = [
        upload_file("beach.jpg", images.jpeg(seed=1)),
        upload_file("tree.png", images.encode(images.picture(seed=2), "PNG"), "image/png"),
        upload_file("cat.webp", images.encode(images.picture(seed=3), "WEBP"), "image/webp"),
        upload_file("phone.heic", images.encode(images.picture(seed=4), "HEIF"), "image/heic"),
    ]
    bad = [
        upload_file("notes.jpg", b"these are not pixels at all, just words"),
        upload_file("empty.jpg", b""),
        upload_file("cut.jpg", images.jpeg(seed=5)[:-4000]),
        upload_file("anim.gif", images.encode(images.picture(seed=6), "GIF"), "image/gif"),
        upload_file("bomb.png", images.decompression_bomb(), "image/png"),
        upload_file("huge.jpg", images.jpeg(3000, 2000, seed=7) + b"\0" * 2_000_000),
    ]
    response = upload(client, *good, *bad, json=True)
    results = {r["filename"]: r for r in response.json()["results"]}
    assert all(results[f.name]["ok"] for f in good)
    messages = {name: results[name]["message"] for name in [f.name for f in bad]}
    assert not any(results[f.name]["ok"] for f in bad)
    assert "not an image" in messages["notes.jpg"]
    assert "empty" in messages["empty.jpg"]
    assert "incomplete" in messages["cut.jpg"]
    assert "GIF images are not supported" in messages["anim.gif"]
    assert "too many pixels" in messages["bomb.png"]
    assert "too large" in messages["huge.jpg"]
    assert Photo.objects.count() == 4
    formats = set(Photo.objects.values_list("image_format", flat=True))
    assert formats == {"JPEG", "PNG", "WEBP", "HEIF"}


@pytest.mark.django_db
def test_upload_without_javascript_shows_the_results_on_the_gallery(upload, client):
    response = upload(client, upload_file("a.jpg", images.jpeg()), upload_file("b.txt", b"hello"))
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "a.jpg" in page
    assert "not an image" in page
    # The thumbnail is there: processing ran eagerly in the embedded setup.
    assert re.search(r'src="[^"]*/photos/[0-9a-f-]{36}/small/"', page)


@pytest.mark.django_db
def test_same_photo_twice_is_stored_once(upload, client):
    data = images.jpeg(seed=9)
    first = upload(client, upload_file("one.jpg", data), json=True).json()["results"][0]
    second = upload(client, upload_file("again.jpg", data), json=True).json()["results"][0]
    assert first["id"] == second["id"]
    assert Photo.objects.count() == 1


@pytest.mark.django_db
def test_quota_is_enforced_with_a_clear_message(upload, client, settings):
    first, second = images.jpeg(seed=1), images.jpeg(seed=2)
    settings.PHOTOS_QUOTA_BYTES = len(first) + len(second) - 1
    ok = upload(client, upload_file("a.jpg", first), json=True).json()["results"][0]
    full = upload(client, upload_file("b.jpg", second), json=True).json()["results"][0]
    assert ok["ok"]
    assert not full["ok"]
    assert "storage is full" in full["message"]


@pytest.mark.django_db
def test_photos_go_into_the_named_album(upload, shopper_client, user):
    upload(shopper_client, upload_file("a.jpg", images.jpeg()), album="Holiday")
    album = Album.objects.get(user=user)
    assert album.title == "Holiday"
    assert album.photos.count() == 1


@pytest.mark.django_db
def test_visitor_photos_move_to_the_account_at_login(upload, client, password):
    upload(client, upload_file("a.jpg", images.jpeg(seed=1)), upload_file("b.jpg", images.jpeg(seed=2)))
    assert Photo.objects.filter(user__isnull=True).count() == 2
    user = UserFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert Photo.objects.filter(user=user).count() == 2
    assert Photo.objects.filter(user__isnull=True).count() == 0
    assert "a.jpg" in client.get(reverse("photos:gallery")).content.decode()


@pytest.mark.django_db
def test_gallery_sorts_by_best_for_printing(upload, shopper_client, django_assert_max_num_queries, print_formats):
    for seed in range(3):
        upload(shopper_client, upload_file(f"p{seed}.jpg", images.jpeg(seed=seed)))
    blurry = images.encode(images.picture(seed=8).resize((80, 60)).resize((800, 600)), "JPEG", quality=60)
    upload(shopper_client, upload_file("blurry.jpg", blurry))
    # 10: two are the catalogue's print sizes and the formats to order in, read once and then cached
    # until a catalogue edit.
    with django_assert_max_num_queries(10):
        response = shopper_client.get(reverse("photos:gallery") + "?sort=best")
    names = [photo.filename for photo in response.context["page"]]
    assert names[-1] == "blurry.jpg"


@pytest.mark.django_db
def test_gallery_is_paged_and_its_queries_do_not_grow(shopper_client, user, django_assert_max_num_queries):
    from photos.views import PAGE_SIZE

    def add(count, start):
        Photo.objects.bulk_create(
            Photo(user=user, filename=f"p{i}.jpg", content_hash=f"{i:064d}", size_bytes=1, image_format="JPEG")
            for i in range(start, start + count)
        )

    add(5, 0)
    with django_assert_max_num_queries(9):
        shopper_client.get(reverse("photos:gallery"))
    add(PAGE_SIZE + 10, 5)
    with django_assert_max_num_queries(9):
        first = shopper_client.get(reverse("photos:gallery"))
    assert len(first.context["page"]) == PAGE_SIZE
    assert f"{PAGE_SIZE + 15} photos" in first.content.decode()
    second = shopper_client.get(reverse("photos:gallery") + "?page=2")
    assert len(second.context["page"]) == 15
