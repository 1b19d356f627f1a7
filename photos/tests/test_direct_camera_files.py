"""Direct uploads to S3 (moto on loopback) of camera files and by visitors past their limits."""

import pytest
import requests
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from photos.models import Photo
from photos.tests import images


def _presign(client, data: bytes, name: str = "DSCF0001.MPO"):
    fields = {"filename": name, "size": len(data), "content_type": "image/jpeg"}
    return client.post(reverse("photos:presign"), fields)


def _put(signed: dict, data: bytes) -> int:
    fields = {**signed["fields"], "Content-Type": "image/jpeg"}
    return requests.post(signed["url"], data=fields, files={"file": ("f", data)}, timeout=30).status_code


@pytest.mark.django_db
def test_pix7_mpo_sent_to_the_bucket_is_stored_as_its_primary_image(
    s3_storage, client, django_capture_on_commit_callbacks
):
    s3, bucket = s3_storage
    data = images.mpo(gps=True)
    signed = _presign(client, data).json()
    assert _put(signed, data) in (200, 201, 204)
    with django_capture_on_commit_callbacks(execute=True):
        result = client.post(reverse("photos:complete"), {"token": signed["token"]}).json()["results"][0]
    assert result["ok"], result
    photo = Photo.objects.get(pk=result["id"])
    assert photo.status == Photo.Status.READY
    # The browser's object (both pictures) is replaced by the primary image alone, without its location.
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert signed["fields"]["key"] not in keys
    with photo.original.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG"
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert photo.size_bytes < len(data)


@pytest.mark.django_db
def test_a_visitor_past_the_address_limit_is_told_before_sending_to_the_bucket(s3_storage, settings):
    settings.PHOTOS_VISITOR_MAX_BYTES_PER_ADDRESS = 1000
    response = _presign(Client(REMOTE_ADDR="203.0.113.9"), images.jpeg())
    assert response.status_code == 400
    assert "Create a free account" in response.json()["message"]
