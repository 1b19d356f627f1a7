"""The gallery as a shopper gets it: deleting asks first, print verdicts agree, re-uploads land in albums."""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from photos.models import Album, Photo
from photos.processing import Fit, print_fit
from photos.tests import images
from photos.tests.conftest import upload_file
from photos.tests.factories import AlbumFactory, PhotoFactory

GALLERY = "/en/photos/"


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Deleting asks first --------------------------------------------------------------------------


@pytest.mark.django_db
def test_opening_a_photos_delete_link_asks_and_deletes_nothing(shopper_client, user):
    photo = PhotoFactory(user=user, filename="beach.jpg")
    gallery = shopper_client.get(GALLERY).content.decode()
    # The gallery links to the question; no button there deletes at one click.
    assert f'href="{reverse("photos:delete", args=[photo.pk])}"' in gallery
    assert f'action="{reverse("photos:delete", args=[photo.pk])}"' not in gallery

    page = shopper_client.get(reverse("photos:delete", args=[photo.pk]))
    assert page.status_code == 200
    text = _text(page)
    assert "This deletes the photo “beach.jpg”." in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert f'<form method="post" action="{reverse("photos:delete", args=[photo.pk])}">' in text
    assert Photo.objects.filter(pk=photo.pk).exists()
    assert storages["default"].exists(photo.original.name)


@pytest.mark.django_db
def test_confirming_deletes_the_photo_and_its_file(shopper_client, user, django_capture_on_commit_callbacks):
    photo = PhotoFactory(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        response = shopper_client.post(reverse("photos:delete", args=[photo.pk]), follow=True)
    assert "The photo has been deleted." in response.content.decode()
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not storages["default"].exists(photo.original.name)


@pytest.mark.django_db
def test_deleting_an_album_says_how_many_photos_go_before_deleting(
    shopper_client, user, django_capture_on_commit_callbacks
):
    album = AlbumFactory(user=user, title="Summer")
    for _ in range(12):
        PhotoFactory(user=user, album=album, width_px=64, height_px=48)
    PhotoFactory(user=user, filename="keep.jpg")
    assert "12 photos" in _text(shopper_client.get(GALLERY))

    page = shopper_client.get(reverse("photos:album_delete", args=[album.pk]))
    assert page.status_code == 200
    text = _text(page)
    assert "This deletes the album “Summer” and its 12 photos." in text
    assert "Delete the album and its 12 photos" in text
    assert Photo.objects.filter(album=album).count() == 12

    with django_capture_on_commit_callbacks(execute=True):
        response = shopper_client.post(reverse("photos:album_delete", args=[album.pk]), follow=True)
    assert "The album and its 12 photos have been deleted." in response.content.decode()
    assert not Album.objects.filter(pk=album.pk).exists()
    assert list(Photo.objects.filter(user=user).values_list("filename", flat=True)) == ["keep.jpg"]


@pytest.mark.django_db
def test_another_users_photo_or_album_is_a_404_to_ask_and_to_delete(shopper_client):
    other = UserFactory()
    photo = PhotoFactory(user=other)
    album = AlbumFactory(user=other)
    for url in (reverse("photos:delete", args=[photo.pk]), reverse("photos:album_delete", args=[album.pk])):
        assert shopper_client.get(url).status_code == 404
        assert shopper_client.post(url).status_code == 404
        assert Client().get(url).status_code == 404  # a visitor without photos
    assert Photo.objects.filter(pk=photo.pk).exists()
    assert Album.objects.filter(pk=album.pk).exists()


@pytest.mark.django_db
def test_deleting_without_the_csrf_token_is_refused(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    photo = PhotoFactory(user=user)
    assert client.post(reverse("photos:delete", args=[photo.pk])).status_code == 403
    assert Photo.objects.filter(pk=photo.pk).exists()


# --- Print verdicts -------------------------------------------------------------------------------


def test_a_blurred_photo_prints_sharp_in_no_format(print_formats):
    sharp = print_fit(4000, 3000, sharpness=150.0)
    assert {fit["fit"] for fit in sharp.values()} == {Fit.FINE}
    blurred = print_fit(4000, 3000, sharpness=10.0)
    assert Fit.FINE not in {fit["fit"] for fit in blurred.values()}
    assert blurred["10x15"] == {"dpi": sharp["10x15"]["dpi"], "fit": Fit.LOW}
    # Enlarging blur makes it worse: under the warning DPI a blurred photo is refused.
    soft = print_fit(1600, 1200, sharpness=10.0)
    assert soft["10x15"]["fit"] == Fit.LOW
    assert soft["20x30"]["fit"] == Fit.UNSHARP
    assert print_fit(1600, 1200, sharpness=300.0)["20x30"]["fit"] == Fit.LOW


@pytest.mark.django_db
def test_gallery_shows_each_formats_dpi_and_verdict_as_text(shopper_client, user, print_formats):
    PhotoFactory(user=user, width=4000, height=3000, sharpness=150.0, quality_score=80)
    text = _text(shopper_client.get(GALLERY))
    # Visible on a phone too: in the page's text, not only in a hover tooltip.
    assert re.search(r'<span class="fit-name">10x15</span> <span class="fit-dpi">\d+ dpi</span>', text)
    assert re.search(r'<span class="fit-name">30x40</span> <span class="fit-dpi">250 dpi</span>', text)
    assert text.count("fit--fine") == 4


@pytest.mark.django_db
def test_a_heavily_blurred_photo_shows_no_green_format(shopper_client, user, print_formats):
    PhotoFactory(user=user, width=3000, height=2000, sharpness=8.0, quality_score=55)
    text = _text(shopper_client.get(GALLERY))
    assert "fit--fine" not in text
    fits = dict(re.findall(r'<span class="fit-name">(\w+)</span> <span class="fit-dpi">\d+ dpi</span> '
                           r'<span class="fit-verdict"> ([\w ]+?) </span>', text))  # fmt: skip
    # Enlarged, the blur shows: the largest format is refused.
    assert fits == {
        "10x15": "may look soft",
        "13x18": "may look soft",
        "20x30": "may look soft",
        "30x40": "too blurred",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("review", "shown"),
    [
        (Photo.Review.REJECTED, "Cannot be printed: Nudity"),
        (Photo.Review.HELD, "Being checked by our staff before it can be printed"),
    ],
)
def test_stx10_a_rejected_or_held_photo_shows_its_state_and_no_green_formats(shopper_client, user, review, shown):
    PhotoFactory(
        user=user, width=4000, height=3000, sharpness=150.0, quality_score=90, review=review, review_reason="Nudity"
    )
    text = _text(shopper_client.get(GALLERY))
    assert shown in text
    assert "fit--fine" not in text


@pytest.mark.django_db
def test_best_for_printing_ranks_unprintable_photos_last(
    shopper_client, user, django_assert_max_num_queries, print_formats
):
    def photo(name, **fields):
        PhotoFactory(user=user, filename=name, **{"width": 4000, "height": 3000, "sharpness": 150.0, **fields})

    photo("tiny.jpg", width=400, height=300, sharpness=400.0, quality_score=95)  # red in every format
    photo("rejected.jpg", quality_score=99, review=Photo.Review.REJECTED, review_reason="No")
    photo("held.jpg", quality_score=98, review=Photo.Review.HELD)
    photo("failed.jpg", status=Photo.Status.FAILED, width=None, height=None, sharpness=None)
    photo("processing.jpg", status=Photo.Status.PROCESSING, width=None, height=None, sharpness=None)
    photo("blurry-small.jpg", width=800, height=500, sharpness=5.0, quality_score=90)  # 133 dpi, but blurred
    photo("blurry.jpg", sharpness=10.0, quality_score=50)  # soft, yet printable in small formats
    photo("good.jpg", width=2000, height=1500, sharpness=200.0, quality_score=70)
    for n in range(20):
        photo(f"more-{n:02}.jpg", width=3000, height=2000, quality_score=60 - n)

    with django_assert_max_num_queries(8):
        page = shopper_client.get(GALLERY, {"sort": "best"})
    names = re.findall(r'<strong class="photo-name">([^<]+)</strong>', page.content.decode())
    more = [f"more-{n:02}.jpg" for n in range(20)]
    printable = ["good.jpg", *more[:11], "blurry.jpg", *more[11:]]  # more-10 scores 50 too, and is newer
    unprintable = ["rejected.jpg", "held.jpg", "tiny.jpg", "blurry-small.jpg", "processing.jpg", "failed.jpg"]
    assert names == printable + unprintable


# --- A photo already stored, uploaded into an album -----------------------------------------------


@pytest.mark.django_db
def test_uploading_a_stored_photo_into_a_new_album_adds_it_and_says_so(upload, shopper_client, user):
    data = images.jpeg(seed=7)
    first = upload(shopper_client, upload_file("beach.jpg", data), json=True).json()["results"][0]
    assert first["message"] == "Uploaded."

    again = upload(shopper_client, upload_file("beach-copy.jpg", data), album="Holiday", json=True)
    result = again.json()["results"][0]
    assert result["ok"]
    assert result["message"] == "Already in your photos; added to the album “Holiday”."
    photo = Photo.objects.get(user=user)
    assert photo.album.title == "Holiday"
    assert "1 photo" in _text(shopper_client.get(GALLERY)).split("<strong>Holiday</strong>", 1)[1][:200]


@pytest.mark.django_db
def test_uploading_a_stored_photo_again_without_an_album_says_it_was_there(upload, shopper_client, user):
    data = images.jpeg(seed=8)
    upload(shopper_client, upload_file("beach.jpg", data))
    shopper_client.get(GALLERY)
    upload(shopper_client, upload_file("beach.jpg", data))
    assert "<strong>beach.jpg</strong>: Already in your photos." in shopper_client.get(GALLERY).content.decode()
    assert Photo.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_a_photo_opens_large_and_an_album_shows_its_photos_and_others_are_404(client):
    from accounts.tests.factories import UserFactory
    from photos.tests.factories import AlbumFactory, PhotoFactory

    user = UserFactory()
    album = AlbumFactory(user=user, title="Zomer")
    inside = PhotoFactory(user=user, album=album, filename="strand.jpg")
    outside = PhotoFactory(user=user, filename="thuis.jpg")
    theirs = PhotoFactory()
    their_album = AlbumFactory(user=theirs.user)
    client.force_login(user)
    page = client.get(f"/en/photos/{inside.pk}/")
    assert page.status_code == 200
    assert "strand.jpg" in page.content.decode()
    listing = client.get(f"/en/photos/?album={album.pk}").content.decode()
    assert "strand.jpg" in listing
    assert "thuis.jpg" not in listing
    assert client.get(f"/en/photos/{theirs.pk}/").status_code == 404
    assert client.get(f"/en/photos/?album={their_album.pk}").status_code == 404
    assert client.get("/en/photos/?album=not-a-uuid").status_code == 404
    assert outside.pk
