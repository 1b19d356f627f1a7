"""Storage unavailable (S3 not answering): an upload says so and keeps nothing half-made; the sweep loses nothing.

The fault is real: the storage's endpoint is a closed port on loopback, as when the
object store is down or unreachable.
"""

from __future__ import annotations

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from accounts.tests.factories import UserFactory
from photos.models import Photo
from photos.tests import images
from photos.tests.conftest import upload_file
from photos.tests.factories import PhotoFactory
from privacy.models import PendingFileRemoval, SweepRun
from privacy.services import erase_subject
from privacy.sweep import run_sweep

pytestmark = pytest.mark.django_db


class Switch:
    """Take the object store down (``down()``: its endpoint a closed port) and bring it back (``up()``)."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.working = settings.STORAGES

    def down(self) -> None:
        broken = {}
        for name in ("default", "archive"):
            entry = self.working[name]
            broken[name] = {**entry, "OPTIONS": {**entry["OPTIONS"], "endpoint_url": "http://127.0.0.1:9"}}
        self.settings.STORAGES = {**self.working, **broken}

    def up(self) -> None:
        self.settings.STORAGES = self.working


@pytest.fixture
def storage(s3_storage, settings) -> Switch:
    return Switch(settings)


@pytest.fixture
def storage_down(storage) -> Switch:
    storage.down()
    return storage


def test_an_upload_while_storage_is_down_says_so_and_keeps_nothing(client, user, storage_down, upload):
    client.force_login(user)
    response = upload(client, upload_file("beach.jpg", images.jpeg(900, 600)), json=True)
    assert response.status_code < 500
    (result,) = response.json()["results"]
    assert result["ok"] is False
    assert "try again" in result["message"].lower() or "opnieuw" in result["message"].lower()
    assert not Photo.objects.exists()


def test_deleting_photos_while_storage_is_down_deletes_them_and_their_files_follow(
    client, user, storage, django_capture_on_commit_callbacks
):
    photo = PhotoFactory(user=user)
    name = photo.original.name
    client.force_login(user)
    storage.down()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("photos:delete", args=[photo.pk]))
    assert response.status_code == 302  # no error for the shopper
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert PendingFileRemoval.objects.get().names == [name]  # the file waits for the storage

    storage.up()
    assert storages["default"].exists(name)
    run_sweep()  # every sweep starts with what is left to remove
    assert not storages["default"].exists(name)
    assert not PendingFileRemoval.objects.exists()


def test_the_sweep_and_an_erasure_run_while_storage_is_down_and_lose_nothing(
    storage, django_capture_on_commit_callbacks
):
    person = UserFactory()
    photos = PhotoFactory.create_batch(2, user=person)
    names = sorted(p.original.name for p in photos)
    storage.down()
    with django_capture_on_commit_callbacks(execute=True):
        erase_subject(person)
    assert not Photo.objects.filter(user=person).exists()
    run_sweep()
    assert SweepRun.objects.latest("started_at").status == SweepRun.Status.FINISHED  # the database rules still ran
    assert sorted(n for record in PendingFileRemoval.objects.all() for n in record.names) == names

    storage.up()
    run_sweep()
    assert not any(storages["default"].exists(name) for name in names)
    assert not PendingFileRemoval.objects.exists()
