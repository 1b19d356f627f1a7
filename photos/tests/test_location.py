"""PIX-7: a photo's location stays only with the separate consent: in the stored file, not just in the columns."""

import io
import struct

import pytest
from celery.exceptions import Retry
from django.core.files.storage import storages
from django.urls import reverse
from PIL import ExifTags, Image

from photos import gps, services
from photos.models import Photo
from photos.tests import images
from photos.tests.conftest import upload_file
from photos.tests.factories import PhotoFactory
from photos.tests.test_direct_upload import _presign, _put

GPS = ExifTags.IFD.GPSInfo
# The latitude 50/1, 50/1, 48/1 as the EXIF writer stores it (big-endian rationals).
LATITUDE_BYTES = struct.pack(">6I", 50, 1, 50, 1, 48, 1)


def stored(name: str) -> bytes:
    with storages["default"].open(name, "rb") as handle:
        return handle.read()


def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(GPS))


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def scan_data(jpeg: bytes) -> bytes:
    """Return a JPEG from its first start-of-scan marker to the end: the compressed picture."""
    position = 2
    while jpeg[position + 1] != 0xDA:
        position += 2 + struct.unpack(">H", jpeg[position + 2 : position + 4])[0]
    return jpeg[position:]


def app1_segments(jpeg: bytes) -> list[bytes]:
    segments, position = [], 2
    while jpeg[position + 1] != 0xDA:
        length = struct.unpack(">H", jpeg[position + 2 : position + 4])[0]
        if jpeg[position + 1] == 0xE1:
            segments.append(jpeg[position + 4 : position + 2 + length])
        position += 2 + length
    return segments


def _only(upload, client, data: bytes, name: str = "p.jpg", content_type: str = "image/jpeg") -> Photo:
    upload(client, upload_file(name, data, content_type))
    return Photo.objects.get(filename=name)


@pytest.mark.django_db
def test_pix7_jpeg_is_stored_without_gps_and_without_reencoding(upload, shopper_client):
    data = images.jpeg(gps=True, xmp=images.XMP_GPS, orientation=6)
    assert gps_of(data)
    assert LATITUDE_BYTES in data
    assert b"GPSLatitude" in data

    photo = _only(upload, shopper_client, data)

    kept = stored(photo.original.name)
    assert gps_of(kept) == {}
    assert LATITUDE_BYTES not in kept
    assert b"GPSLatitude" not in kept
    assert b"GPSAltitude" not in kept
    assert b'xmp:Rating="4"' in kept  # the rest of the XMP stays
    with Image.open(io.BytesIO(kept)) as image:
        assert image.getexif()[ExifTags.Base.Make] == "Canon"
        assert image.getexif()[ExifTags.Base.Orientation] == 6
    # Not re-encoded: the compressed picture is the same bytes, so the pixels are too.
    assert scan_data(kept) == scan_data(data)
    assert pixels(kept) == pixels(data)
    # Staff downloading the original get the stored file.
    staff_view = shopper_client.get(reverse("photos:file", args=[photo.pk, "original"]))
    assert gps_of(b"".join(staff_view.streaming_content)) == {}


@pytest.mark.django_db
def test_pix7_with_consent_the_original_is_stored_byte_for_byte(upload, shopper_client, user):
    services.location_consent_set(user=user, keep=True)
    data = images.jpeg(gps=True, xmp=images.XMP_GPS)
    photo = _only(upload, shopper_client, data)
    assert stored(photo.original.name) == data
    assert photo.original_geotagged
    assert photo.latitude is not None


@pytest.mark.django_db
def test_pix7_a_visitor_never_consents_so_the_location_always_goes(upload, client):
    photo = _only(upload, client, images.jpeg(gps=True))
    assert photo.user is None
    assert gps_of(stored(photo.original.name)) == {}
    assert not photo.original_geotagged


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "name", "content_type", "options"),
    [
        ("PNG", "p.png", "image/png", {}),
        ("WEBP", "p.webp", "image/webp", {"quality": 80, "xmp": images.XMP_GPS}),
        ("HEIF", "p.heic", "image/heic", {"xmp": images.XMP_GPS}),
    ],
)
def test_pix7_png_webp_and_heic_are_stored_without_gps_pixels_unchanged(
    upload, shopper_client, fmt, name, content_type, options
):
    data = images.encode(images.picture(seed=5), fmt, exif=images.exif(gps=True), **options)
    assert gps_of(data)

    photo = _only(upload, shopper_client, data, name, content_type)

    kept = stored(photo.original.name)
    assert gps_of(kept) == {}
    assert LATITUDE_BYTES not in kept
    assert b"GPSLatitude" not in kept
    assert pixels(kept) == pixels(data)
    assert len(kept) == len(data)  # rewritten in place, nothing re-encoded


@pytest.mark.django_db
def test_pix7_thumbnails_carry_no_metadata_even_with_consent(upload, shopper_client, user):
    services.location_consent_set(user=user, keep=True)
    photo = _only(upload, shopper_client, images.jpeg(gps=True, xmp=images.XMP_GPS))
    for field in (photo.thumbnail_small, photo.thumbnail_large):
        thumbnail = stored(field.name)
        assert app1_segments(thumbnail) == []  # neither EXIF nor XMP
        assert b"Exif\x00\x00" not in thumbnail
        assert LATITUDE_BYTES not in thumbnail


@pytest.mark.django_db
def test_pix7_withdrawing_the_consent_rewrites_every_stored_original(
    upload, shopper_client, user, django_capture_on_commit_callbacks
):
    services.location_consent_set(user=user, keep=True)
    upload(shopper_client, upload_file("a.jpg", images.jpeg(seed=1, gps=True)))
    upload(shopper_client, upload_file("b.jpg", images.jpeg(seed=2, gps=True)))
    upload(shopper_client, upload_file("c.jpg", images.jpeg(seed=3)))  # no location to begin with
    before = {p.filename: p for p in Photo.objects.filter(user=user)}
    assert before["a.jpg"].original_geotagged
    assert not before["c.jpg"].original_geotagged
    originals = {name: stored(p.original.name) for name, p in before.items()}

    with django_capture_on_commit_callbacks(execute=True):
        shopper_client.post("/en/photos/consents/", {"action": "location"})

    storage = storages["default"]
    for name, photo in before.items():
        after = Photo.objects.get(pk=photo.pk)
        kept = stored(after.original.name)
        assert gps_of(kept) == {}, name
        assert (after.latitude, after.longitude, after.original_geotagged) == (None, None, False)
        assert scan_data(kept) == scan_data(originals[name])
        if name == "c.jpg":
            assert after.original.name == photo.original.name  # nothing to change
        else:
            assert not storage.exists(photo.original.name)  # the old file is gone, not just unlinked
    # A second run finds nothing left to do.
    assert services.photo_locations_strip(user_id=user.pk) == 0


@pytest.mark.django_db
def test_pix7_daily_run_strips_originals_stored_before_this_fix(user):
    from photos.tasks import strip_locations

    visitor = PhotoFactory(user=None, session_key="visitor", gps=True)
    customer = PhotoFactory(user=user, gps=True)
    consenting = PhotoFactory(gps=True)
    services.location_consent_set(user=consenting.user, keep=True)

    assert strip_locations.apply().get() == 2

    for photo in (visitor, customer):
        photo.refresh_from_db()
        assert gps_of(stored(photo.original.name)) == {}
        assert not photo.original_geotagged
    consenting.refresh_from_db()
    assert gps_of(stored(consenting.original.name))
    assert strip_locations.apply().get() == 0


@pytest.mark.django_db
def test_pix7_withdrawal_rewrites_originals_in_s3(
    s3_storage, upload, shopper_client, user, django_capture_on_commit_callbacks
):
    s3, bucket = s3_storage
    services.location_consent_set(user=user, keep=True)
    photo = _only(upload, shopper_client, images.jpeg(gps=True))
    old_key = photo.original.name
    assert gps_of(s3.get_object(Bucket=bucket, Key=old_key)["Body"].read())

    with django_capture_on_commit_callbacks(execute=True):
        services.location_consent_set(user=user, keep=False)

    photo.refresh_from_db()
    assert gps_of(s3.get_object(Bucket=bucket, Key=photo.original.name)["Body"].read()) == {}
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert old_key not in keys
    assert keys == {photo.original.name, photo.thumbnail_small.name, photo.thumbnail_large.name}


@pytest.mark.django_db
def test_pix7_direct_upload_is_rewritten_in_the_bucket(s3_storage, client, django_capture_on_commit_callbacks):
    s3, bucket = s3_storage
    data = images.jpeg(seed=4, gps=True)
    signed = _presign(client, size=len(data)).json()
    assert _put(signed, data) in (200, 201, 204)

    with django_capture_on_commit_callbacks(execute=True):
        result = client.post(reverse("photos:complete"), {"token": signed["token"]}).json()["results"][0]

    photo = Photo.objects.get(pk=result["id"])
    kept = s3.get_object(Bucket=bucket, Key=photo.original.name)["Body"].read()
    assert gps_of(kept) == {}
    assert scan_data(kept) == scan_data(data)
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert signed["fields"]["key"] not in keys  # the object as the browser stored it is gone
    assert keys == {photo.original.name, photo.thumbnail_small.name, photo.thumbnail_large.name}


def test_gps_removal_keeps_every_other_exif_byte_in_place():
    exif = images.exif(gps=True)
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.MakerNote] = b"MAKERNOTE" + bytes(range(200))
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2025:07:14 15:30:00"
    block = exif.tobytes()

    edited = gps.tiff_without_gps(block)

    assert len(edited) == len(block)
    assert LATITUDE_BYTES in block
    assert LATITUDE_BYTES not in edited
    # The maker note is still where its (absolute) offsets expect it.
    note = b"MAKERNOTE" + bytes(range(200))
    assert edited.index(note) == block.index(note)
    reread = Image.Exif()
    reread.load(edited)
    assert GPS not in reread
    assert reread.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] == "2025:07:14 15:30:00"
    assert gps.tiff_without_gps(edited) is None


def test_gps_in_extended_xmp_split_over_segments_is_removed():
    """Extended XMP (over 64 KB) is split over APP1 segments; a property may straddle two of them."""
    packet = b"<x:xmpmeta>" + b" " * 100 + b'<rdf:Description exif:GPSLatitude="50,50.8N"/></x:xmpmeta>'
    cut = packet.index(b"GPSLat") + 3
    guid = b"0" * 32
    namespace = b"http://ns.adobe.com/xmp/extension/\x00"
    pieces = [(0, packet[:cut]), (cut, packet[cut:])]
    segments = b"".join(
        b"\xff\xe1"
        + struct.pack(">H", 2 + len(namespace) + 32 + 8 + len(part))
        + namespace
        + guid
        + struct.pack(">II", len(packet), offset)
        + part
        for offset, part in pieces
    )
    data = images.jpeg()
    data = data[:2] + segments + data[2:]

    kept = gps.strip(io.BytesIO(data), "JPEG").read()

    assert b"50,50.8N" not in kept
    assert b"GPSLat" not in kept
    assert len(kept) == len(data)
    assert pixels(kept) == pixels(data)


@pytest.mark.django_db
def test_pix7_a_jpeg_with_junk_between_segments_is_resaved_without_gps(upload, shopper_client):
    """Pillow skips junk bytes between segments, the segment parser does not: the file is re-saved instead."""
    data = images.jpeg(gps=True)
    first_segment_end = 4 + struct.unpack(">H", data[4:6])[0]
    data = data[:first_segment_end] + b"\x00\x00" + data[first_segment_end:]
    assert gps_of(data)

    photo = _only(upload, shopper_client, data)

    kept = stored(photo.original.name)
    assert gps_of(kept) == {}
    assert LATITUDE_BYTES not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert image.size == (800, 600)
        assert image.getexif()[ExifTags.Base.Make] == "Canon"


@pytest.mark.django_db
def test_pix7_one_unreadable_original_does_not_stop_the_others(user):
    from photos.tasks import strip_locations

    broken, fine = sorted([PhotoFactory(user=user, gps=True), PhotoFactory(user=user, gps=True)], key=lambda p: p.pk)
    storage = storages["default"]
    storage.delete(broken.original.name)
    storage.save(broken.original.name, io.BytesIO(b"not a picture any more"))

    with pytest.raises(Retry, match="cannot identify image"):  # not silent: the task fails and is retried
        strip_locations.apply(kwargs={"user_id": user.pk}, throw=True)

    fine.refresh_from_db()
    assert gps_of(stored(fine.original.name)) == {}
    assert not fine.original_geotagged
