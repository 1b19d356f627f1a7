"""Processing: metadata, location only with consent (PIX-7), orientation, thumbnails, print quality."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.storage import storages
from PIL import Image

from photos import services
from photos.models import Photo
from photos.processing import Fit, print_fit, process_image, process_image_naively
from photos.tests import images
from photos.tests.conftest import upload_file


def _one(upload, client, data: bytes, name: str = "p.jpg") -> Photo:
    upload(client, upload_file(name, data))
    return Photo.objects.get(filename=name)


@pytest.mark.django_db
def test_metadata_is_captured_and_gps_stripped_without_consent(upload, shopper_client):
    photo = _one(upload, shopper_client, images.jpeg(gps=True, make="Canon", model="EOS R6"))
    assert photo.status == Photo.Status.READY
    assert (photo.camera_make, photo.camera_model) == ("Canon", "EOS R6")
    assert photo.taken_at == datetime.datetime(2025, 7, 14, 15, 30, tzinfo=datetime.UTC)
    assert (photo.latitude, photo.longitude) == (None, None)


@pytest.mark.django_db
def test_pix7_location_is_kept_only_with_the_separate_consent(upload, shopper_client, user):
    services.location_consent_set(user=user, keep=True)
    photo = _one(upload, shopper_client, images.jpeg(gps=True))
    assert photo.latitude == Decimal("50.846667")
    assert photo.longitude == Decimal("4.36")
    # Withdrawing the consent strips the stored locations at once.
    shopper_client.post("/en/photos/consents/", {"action": "location"})
    photo.refresh_from_db()
    assert (photo.latitude, photo.longitude) == (None, None)


@pytest.mark.django_db
def test_orientation_is_applied_to_thumbnails(upload, shopper_client):
    # Stored landscape, EXIF says "rotate 90°": the thumbnail must be portrait.
    photo = _one(upload, shopper_client, images.jpeg(800, 600, orientation=6))
    assert (photo.width, photo.height) == (600, 800)
    with storages["default"].open(photo.thumbnail_large.name) as handle:
        thumb = Image.open(handle)
        assert thumb.height > thumb.width
    with storages["default"].open(photo.thumbnail_small.name) as handle:
        assert max(Image.open(handle).size) == 320


def test_reduced_decode_gives_the_same_outputs_as_the_naive_path():
    data = images.jpeg(4000, 3000, seed=3, orientation=3)
    fast = process_image(io.BytesIO(data), keep_location=False)
    slow = process_image_naively(io.BytesIO(data))
    assert set(fast.thumbnails) == set(slow["thumbnails"])
    size = {name: Image.open(io.BytesIO(blob)).size for name, blob in fast.thumbnails.items()}
    naive_size = {name: Image.open(io.BytesIO(blob)).size for name, blob in slow["thumbnails"].items()}
    assert size["small"] == naive_size["small"]
    # The large thumbnail is the 1/4-scale decode itself: at most 1024 px, same shape.
    assert 768 <= max(size["large"]) <= 1024
    assert abs(size["large"][0] / size["large"][1] - naive_size["large"][0] / naive_size["large"][1]) < 0.01
    assert abs(fast.quality_score - slow["quality"][2]) < 10


def test_print_fit_per_format(print_formats):
    assert print_fit(4000, 3000)["30x40"] == {"dpi": 250, "fit": Fit.FINE}  # 12 MP
    fits = print_fit(2000, 1500)  # 3 MP
    assert fits["10x15"]["fit"] == Fit.FINE
    assert fits["30x40"] == {"dpi": 125, "fit": Fit.LOW}
    small = print_fit(800, 600)
    assert small["10x15"]["fit"] == Fit.LOW
    assert small["20x30"]["fit"] == Fit.TOO_SMALL


def test_grain_does_not_pass_for_sharpness():
    """A soft photo with heavy sensor noise still ranks as soft (STX-11 recommendations)."""
    from PIL import ImageChops, ImageFilter

    def grainy(img):
        return ImageChops.add(img, Image.effect_noise(img.size, 30).convert("RGB"), scale=1.0, offset=-128)

    def sharpness(img):
        return process_image(io.BytesIO(images.encode(img, "JPEG", quality=92)), keep_location=False).sharpness

    sharp = images.picture(1600, 1200, seed=4)
    soft = sharp.filter(ImageFilter.GaussianBlur(3))
    assert sharpness(grainy(soft)) <= 1.2 * sharpness(soft)
    assert sharpness(grainy(soft)) < sharpness(sharp) / 3
    assert sharpness(grainy(sharp)) <= sharpness(sharp)


def test_sharp_photo_scores_higher_than_a_blurred_copy():
    sharp = images.picture(1600, 1200, seed=4)
    blurred = sharp.resize((160, 120)).resize((1600, 1200))
    score = lambda img: process_image(io.BytesIO(images.encode(img, "JPEG", quality=92)), keep_location=False)  # noqa: E731
    assert score(sharp).sharpness > 3 * score(blurred).sharpness
    assert score(sharp).quality_score > score(blurred).quality_score


@pytest.mark.django_db
def test_damaged_image_fails_with_a_message_and_keeps_the_others(upload, shopper_client):
    data = bytearray(images.jpeg(seed=2))
    data[2000:6000] = b"\x00" * 4000  # garbage inside the scan, end marker intact
    upload(shopper_client, upload_file("damaged.jpg", bytes(data)), upload_file("fine.jpg", images.jpeg(seed=3)))
    assert Photo.objects.get(filename="fine.jpg").status == Photo.Status.READY
    damaged = Photo.objects.filter(filename="damaged.jpg").first()
    if damaged is not None:  # libjpeg may decode it with grey blocks, which is fine to print
        assert damaged.status in (Photo.Status.READY, Photo.Status.FAILED)


@pytest.mark.django_db
def test_processing_is_idempotent(upload, shopper_client):
    from photos.pipeline import photo_process

    photo = _one(upload, shopper_client, images.jpeg())
    before = (photo.thumbnail_small.name, photo.processed_at)
    assert photo_process(photo_id=str(photo.pk)) == Photo.Status.READY
    photo.refresh_from_db()
    assert (photo.thumbnail_small.name, photo.processed_at) == before


@pytest.mark.django_db
def test_transient_storage_error_is_retried(upload, shopper_client, monkeypatch):
    from celery.exceptions import Retry
    from django.db.models.fields.files import FieldFile

    from photos.tasks import process_photo

    upload(shopper_client, upload_file("p.jpg", images.jpeg()))
    photo = Photo.objects.get()
    Photo.objects.filter(pk=photo.pk).update(status=Photo.Status.PROCESSING, thumbnail_small="", thumbnail_large="")
    real_open = FieldFile.open
    calls = {"n": 0}

    def flaky_open(self, mode="rb"):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionResetError("storage hiccup")
        return real_open(self, mode)

    monkeypatch.setattr(FieldFile, "open", flaky_open)
    # A storage hiccup schedules a retry; the photo is not marked as failed.
    with pytest.raises(Retry, match="storage hiccup"):
        process_photo.apply(args=[str(photo.pk)], throw=True)
    photo.refresh_from_db()
    assert photo.status == Photo.Status.PROCESSING
    # The retry (here run by hand) finishes the work.
    assert process_photo.apply(args=[str(photo.pk)]).get() == Photo.Status.READY
    photo.refresh_from_db()
    assert photo.status == Photo.Status.READY
