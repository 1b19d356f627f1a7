"""Files a broken camera or an attacker sends: refused at upload with their own message, or processed
with impossible metadata treated as absent; never a 500, never a photo stuck in "processing"."""

from __future__ import annotations

import io
import struct

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from photos import services
from photos.models import Photo
from photos.tests import images
from photos.tests.conftest import upload_file

GPS = ExifTags.GPS
BASE = ExifTags.Base


def _gps(latitude, longitude=(4.0, 21.0, 36.0), lat_ref="N", lon_ref="E") -> dict:
    return {
        GPS.GPSLatitudeRef: lat_ref,
        GPS.GPSLatitude: latitude,
        GPS.GPSLongitudeRef: lon_ref,
        GPS.GPSLongitude: longitude,
    }


def _stored_files() -> list[str]:
    storage = storages["default"]
    found = []

    def walk(folder: str) -> None:
        dirs, files = storage.listdir(folder)
        found.extend(f"{folder}{name}" for name in files)
        for name in dirs:
            walk(f"{folder}{name}/")

    if storage.exists("photos/"):
        walk("photos/")
    return found


BAD_METADATA = {
    "latitude 5000°": {"gps": _gps((5000.0, 0.0, 0.0))},
    "longitude 400°": {"gps": _gps((50.0, 50.0, 48.0), (400.0, 0.0, 0.0))},
    "GPS rationals 0/0": {"gps": _gps((IFDRational(0, 0), IFDRational(0, 0), IFDRational(0, 0)))},
    "orientation 65535": {"base": {BASE.Orientation: 65535}},
    "NUL byte in the camera make": {"base": {BASE.Make: "Can\x00on\x07", BASE.Model: "\x00EOS\x1b R6"}},
    "date in the year 9999": {"base": {BASE.DateTime: "9999:12:31 23:59:59"}},
    "date in the year 1": {"base": {BASE.DateTime: "0001:01:01 00:00:00"}},
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_METADATA))
def test_pix7_impossible_metadata_is_treated_as_absent_and_the_pages_still_open(
    case, upload, shopper_client, user, staff_client
):
    services.location_consent_set(user=user, keep=True)  # so the coordinates are read at all (PIX-7)
    response = upload(shopper_client, upload_file("odd.jpg", images.jpeg_with_tags(**BAD_METADATA[case])), json=True)
    assert response.status_code == 200
    assert response.json()["results"][0]["ok"], response.json()
    photo = Photo.objects.get(filename="odd.jpg")
    assert photo.status == Photo.Status.READY
    assert photo.thumbnail_small
    assert photo.thumbnail_large
    assert photo.latitude is None or -90 <= photo.latitude <= 90
    assert photo.longitude is None or -180 <= photo.longitude <= 180
    if "GPS" in case or "°" in case:
        assert (photo.latitude, photo.longitude) == (None, None)
    assert 1 <= photo.orientation <= 8
    assert not any(ord(c) < 32 for c in photo.camera_make + photo.camera_model)
    if "NUL" in case:
        assert (photo.camera_make, photo.camera_model) == ("Canon", "EOS R6")
    if "date" in case:
        assert photo.taken_at is None
    assert shopper_client.get(reverse("photos:gallery")).status_code == 200
    assert staff_client("Support").get(reverse("admin:photos_photo_changelist")).status_code == 200
    # The print lab sees print files of ordered lines only, never the customers' photos.
    assert staff_client("Print lab").get(reverse("admin:photos_photo_changelist")).status_code == 403


BROKEN_FILES = {
    "damaged.png": (lambda: images.damaged_png(), "damaged"),
    "cut.png": (lambda: images.encode(images.picture(seed=2), "PNG")[:-3000], "incomplete"),
    "cut.heic": (lambda: images.encode(images.picture(seed=3), "HEIF")[:-3000], "incomplete"),
    "cut.webp": (lambda: images.encode(images.picture(seed=4), "WEBP")[:-3000], "incomplete"),
    "cut.jpg": (lambda: images.jpeg(seed=5)[:-3000], "incomplete"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(BROKEN_FILES))
def test_damaged_or_truncated_files_are_refused_at_upload_with_their_own_message(name, upload, client):
    make, word = BROKEN_FILES[name]
    response = upload(client, upload_file(name, make()), upload_file("good.jpg", images.jpeg(seed=9)), json=True)
    assert response.status_code == 200
    results = {r["filename"]: r for r in response.json()["results"]}
    assert results["good.jpg"]["ok"]
    assert not results[name]["ok"]
    assert word in results[name]["message"]
    assert "cannot identify" not in results[name]["message"]
    assert list(Photo.objects.values_list("filename", flat=True)) == ["good.jpg"]
    assert len([f for f in _stored_files() if "/originals/" in f]) == 1


@pytest.mark.django_db
def test_refusal_messages_are_translated(upload, client):
    from django.utils import translation

    with translation.override("nl"):
        response = upload(client, upload_file("cut.png", images.encode(images.picture(), "PNG")[:-3000]), json=True)
        damaged = upload(client, upload_file("bad.png", images.damaged_png()), json=True)
    assert response.json()["results"][0]["message"] == "De afbeelding is onvolledig: het uploaden werd onderbroken."
    assert "beschadigd" in damaged.json()["results"][0]["message"]


@pytest.mark.django_db
def test_mpo_from_a_camera_is_accepted_and_its_primary_image_stored(upload, shopper_client):
    data = images.mpo(gps=True)
    response = upload(shopper_client, upload_file("DSCF0001.MPO", data, "image/jpeg"), json=True)
    assert response.json()["results"][0]["ok"], response.json()
    photo = Photo.objects.get()
    assert photo.status == Photo.Status.READY
    assert photo.image_format == "JPEG"
    assert photo.original.name.endswith(".jpg")
    with photo.original.open("rb") as handle:
        stored = handle.read()
    # The first picture only, byte for byte apart from its location (PIX-7); the second is not kept.
    assert len(stored) < len(data)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (640, 480)
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert photo.size_bytes == len(stored)


@pytest.mark.django_db
def test_motion_photo_is_accepted_and_the_video_after_the_image_is_not_stored(upload, shopper_client):
    data = images.motion_photo()
    response = upload(shopper_client, upload_file("PXL_20250714_MP.jpg", data), json=True)
    assert response.json()["results"][0]["ok"], response.json()
    photo = Photo.objects.get()
    assert photo.status == Photo.Status.READY
    with photo.original.open("rb") as handle:
        stored = handle.read()
    assert stored == images.jpeg()  # the image byte for byte, without the video
    assert photo.size_bytes == len(stored)
    # The same motion photo again is found as the same photo.
    again = upload(shopper_client, upload_file("again.jpg", data), json=True).json()["results"][0]
    assert again["id"] == str(photo.id)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error", [struct.error("unpack requires a buffer"), IndexError("tuple index"), ZeroDivisionError()]
)
def test_a_parser_error_in_processing_fails_the_photo_with_a_reason_instead_of_leaving_it_processing(
    error, upload, shopper_client, monkeypatch
):
    """Pillow's EXIF and TIFF parsers raise these on structures they cannot follow."""

    def broken(image):
        raise error

    monkeypatch.setattr("photos.processing.read_metadata", broken)
    upload(shopper_client, upload_file("odd.jpg", images.jpeg()))
    photo = Photo.objects.get()
    assert photo.status == Photo.Status.FAILED
    assert photo.get_error_display() == "The image could not be read."
    assert not [f for f in _stored_files() if "/thumbnails/" in f]
    assert shopper_client.get(reverse("photos:gallery")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "options", [{"progressive": True}, {"restart_marker_blocks": 4}, {"progressive": True, "restart_marker_rows": 1}]
)
def test_progressive_and_restart_marker_jpegs_keep_their_whole_image_when_data_follows(options, upload, client):
    image = images.encode(images.picture(640, 480, 3), "JPEG", quality=90, **options)
    response = upload(client, upload_file("motion.jpg", image + b"\xff\xd8" + bytes(5000)), json=True)
    assert response.json()["results"][0]["ok"], response.json()
    photo = Photo.objects.get()
    assert photo.status == Photo.Status.READY
    with photo.original.open("rb") as handle:
        assert handle.read() == image
