"""No file is left in storage without a row: failed writes clean up, abandoned direct uploads are removed."""

import datetime
import io
import os

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DatabaseError
from django.db.models.query import QuerySet
from django.urls import reverse
from django.utils import timezone

from photos import direct, pipeline, services
from photos.models import Photo
from photos.tests import images
from photos.tests.factories import PhotoFactory
from photos.tests.test_direct_upload import _presign, _put

ABANDONED_AFTER = datetime.timedelta(seconds=direct.TOKEN_MAX_AGE) + services.ABANDON_MARGIN
MINUTE = datetime.timedelta(minutes=1)


def local_files(prefix: str = "photos") -> list[str]:
    root = storages["default"].path(prefix)
    return sorted(
        os.path.relpath(os.path.join(folder, name), root) for folder, _d, names in os.walk(root) for name in names
    )


def bucket_keys(s3_storage) -> set[str]:
    s3, bucket = s3_storage
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


@pytest.fixture
def failing_insert(monkeypatch):
    """Make the insert of a photo row fail, as a lost database connection would."""

    def fail(self, *args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(Photo, "save", fail)


@pytest.mark.django_db
@pytest.mark.parametrize("gps", [False, True])
def test_upload_whose_row_cannot_be_saved_leaves_no_file(user, failing_insert, gps):
    data = images.jpeg(gps=gps)
    with pytest.raises(DatabaseError):
        services.photo_ingest(
            owner=services.Owner(user_id=user.pk), handle=io.BytesIO(data), filename="a.jpg", size=len(data)
        )
    assert not Photo.objects.exists()
    assert local_files() == []


@pytest.mark.django_db
def test_direct_upload_whose_row_cannot_be_saved_leaves_only_the_browsers_object_for_a_retry(
    s3_storage, client, monkeypatch, django_capture_on_commit_callbacks
):
    data = images.jpeg(seed=3, gps=True)  # its location-free copy is stored by the server
    signed = _presign(client, size=len(data)).json()
    _put(signed, data)
    with monkeypatch.context() as patch:
        patch.setattr(Photo, "save", lambda *a, **k: (_ for _ in ()).throw(DatabaseError("connection lost")))
        with pytest.raises(DatabaseError):
            client.post(reverse("photos:complete"), {"token": signed["token"]})
    assert bucket_keys(s3_storage) == {signed["fields"]["key"]}

    with django_capture_on_commit_callbacks(execute=True):
        result = client.post(reverse("photos:complete"), {"token": signed["token"]}).json()["results"][0]
    photo = Photo.objects.get(pk=result["id"])
    assert bucket_keys(s3_storage) == {photo.original.name, photo.thumbnail_small.name, photo.thumbnail_large.name}


@pytest.mark.django_db
def test_direct_upload_reported_twice_keeps_its_photo(s3_storage, client, django_capture_on_commit_callbacks):
    data = images.jpeg(seed=5)
    signed = _presign(client, size=len(data)).json()
    _put(signed, data)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("photos:complete"), {"token": signed["token"]}).json()["results"][0]
    again = client.post(reverse("photos:complete"), {"token": signed["token"]}).json()["results"][0]
    assert again["id"] == first["id"]
    photo = Photo.objects.get(pk=first["id"])
    assert photo.original.name in bucket_keys(s3_storage)


@pytest.mark.django_db
def test_thumbnails_are_removed_when_the_processing_update_fails(monkeypatch):
    photo = PhotoFactory(status=Photo.Status.PROCESSING, review=Photo.Review.PENDING)
    real_update = QuerySet.update

    def update(self, **values):
        if self.model is Photo and "thumbnail_small" in values:
            raise DatabaseError("connection lost")
        return real_update(self, **values)

    monkeypatch.setattr(QuerySet, "update", update)
    with pytest.raises(DatabaseError):
        pipeline.photo_process(photo_id=str(photo.pk))
    assert local_files("photos/thumbnails") == []
    monkeypatch.setattr(QuerySet, "update", real_update)
    # The retry then finishes the work.
    assert pipeline.photo_process(photo_id=str(photo.pk)) == Photo.Status.READY
    photo.refresh_from_db()
    assert len(local_files("photos/thumbnails")) == 2


@pytest.mark.django_db
def test_thumbnails_of_a_photo_deleted_during_processing_are_removed(monkeypatch):
    photo = PhotoFactory(status=Photo.Status.PROCESSING, review=Photo.Review.PENDING)
    real_finish = services.photo_processing_finish

    def delete_first(**kwargs):
        Photo.objects.filter(pk=photo.pk).delete()
        return real_finish(**kwargs)

    monkeypatch.setattr(services, "photo_processing_finish", delete_first)
    assert pipeline.photo_process(photo_id=str(photo.pk)) == "gone"
    assert local_files("photos/thumbnails") == []


def _incoming(name: str, age: datetime.timedelta) -> str:
    storage = storages["default"]
    stored = storage.save(direct.INCOMING + name, ContentFile(b"bytes"))
    moment = (timezone.now() - age).timestamp()
    os.utime(storage.path(stored), (moment, moment))
    return stored


@pytest.mark.django_db
def test_abandoned_direct_uploads_are_removed_once_their_token_has_expired():
    from photos.tasks import remove_abandoned_uploads

    abandoned = _incoming("abandoned", ABANDONED_AFTER + MINUTE)
    in_time = _incoming("in-time", ABANDONED_AFTER - MINUTE)  # its browser may still report it
    accepted = _incoming("accepted", ABANDONED_AFTER + MINUTE)
    PhotoFactory(original=accepted)
    other = PhotoFactory()

    assert remove_abandoned_uploads.apply().get() == 1

    storage = storages["default"]
    assert not storage.exists(abandoned)
    assert storage.exists(in_time)
    assert storage.exists(accepted)
    assert storage.exists(other.original.name)  # outside the incoming folder: never looked at


@pytest.mark.django_db
def test_abandoned_direct_uploads_are_removed_from_s3(s3_storage, client, django_capture_on_commit_callbacks):
    uploaded = []
    for seed in (1, 2):
        data = images.jpeg(seed=seed)
        signed = _presign(client, size=len(data)).json()
        _put(signed, data)
        uploaded.append(signed)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("photos:complete"), {"token": uploaded[0]["token"]})  # the second is never reported
    before = bucket_keys(s3_storage)
    abandoned = uploaded[1]["fields"]["key"]

    assert services.uploads_abandoned_remove(now=timezone.now() + ABANDONED_AFTER - MINUTE) == 0
    assert bucket_keys(s3_storage) == before
    assert services.uploads_abandoned_remove(now=timezone.now() + ABANDONED_AFTER + MINUTE) == 1
    assert bucket_keys(s3_storage) == before - {abandoned}
    assert uploaded[0]["fields"]["key"] in before - {abandoned}


def test_the_beat_schedule_runs_the_cleanups():
    from photoshop.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"photos.remove_abandoned_uploads", "photos.strip_locations"} <= tasks
    app.loader.import_default_modules()
    assert {"photos.remove_abandoned_uploads", "photos.strip_locations"} <= set(app.tasks)
