"""Photo services: quota under parallel uploads, the review transition, failure reasons in the customer's language."""

import io
import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from photos import services
from photos.models import Photo
from photos.tests import images
from photos.tests.conftest import upload_file
from photos.tests.factories import PhotoFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("owner_kind", ["account", "visitor"])
def test_three_parallel_uploads_cannot_together_pass_the_quota(settings, monkeypatch, owner_kind):
    """Each upload checks the quota while the others store their files: only two of three fit, and only two stay."""
    uploads = [images.jpeg(seed=seed) for seed in (1, 2, 3)]
    settings.PHOTOS_QUOTA_BYTES = sum(len(data) for data in uploads) - 1  # any two fit, not three
    owner = services.Owner(user_id=UserFactory().pk) if owner_kind == "account" else services.Owner(session_key="v1")
    # All three pass the first (advisory) check together, then take a while storing their file.
    together = threading.Barrier(3, timeout=20)
    real_check, real_save = services.check_image, FileSystemStorage._save

    def check_together(*args, **kwargs):
        checked = real_check(*args, **kwargs)
        together.wait()
        return checked

    def slow_save(self, name, content):
        time.sleep(0.3)
        return real_save(self, name, content)

    monkeypatch.setattr(services, "check_image", check_together)
    monkeypatch.setattr(FileSystemStorage, "_save", slow_save)
    outcomes: list[str] = []

    def ingest(data: bytes) -> None:
        try:
            services.photo_ingest(owner=owner, handle=io.BytesIO(data), filename="p.jpg", size=len(data))
            outcomes.append("stored")
        except ValidationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=ingest, args=(data,)) for data in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["quota", "stored", "stored"]
    photos = Photo.objects.filter(owner.filter())
    assert photos.count() == 2
    assert sum(photo.size_bytes for photo in photos) <= settings.PHOTOS_QUOTA_BYTES
    _dirs, _files = storages["default"].listdir("photos/originals")
    stored = [name for folder in _dirs for name in storages["default"].listdir(f"photos/originals/{folder}")[1]]
    assert len(stored) == 2  # the refused upload's file went too


@pytest.mark.django_db
def test_review_decides_only_on_a_held_photo(staff_user):
    photo = PhotoFactory(review=Photo.Review.HELD)
    services.photo_review(photo=photo, approve=True, reviewer=staff_user)
    assert photo.review == Photo.Review.APPROVED

    # A second reviewer who still sees it as held cannot turn it round.
    stale = Photo.objects.get(pk=photo.pk)
    stale.review = Photo.Review.HELD
    with pytest.raises(ValidationError) as refused:
        services.photo_review(photo=stale, approve=False, reviewer=staff_user, reason="Nudity.")
    assert refused.value.code == "not_held"
    assert "approved by our staff" in refused.value.messages[0]
    photo.refresh_from_db()
    assert (photo.review, photo.review_reason) == (Photo.Review.APPROVED, "")

    with pytest.raises(ValidationError, match="held for review"):
        services.photo_review(photo=PhotoFactory(), approve=True, reviewer=staff_user)


@pytest.mark.django_db
def test_admin_shows_why_a_photo_not_held_cannot_be_decided(activate_totp):
    photo = PhotoFactory(review=Photo.Review.CLEAN)
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="Support"))
    activate_totp(staff)
    client = Client()
    client.force_login(staff)

    page = client.post(reverse("admin:photos_photo_change", args=[photo.pk]), {"_approve": "1"})

    assert page.status_code == 200
    # The staff member reads the admin in their language (Dutch by default).
    assert "Alleen een foto die voor controle is tegengehouden, kan worden" in page.content.decode()
    photo.refresh_from_db()
    assert photo.review == Photo.Review.CLEAN


@pytest.mark.django_db
def test_admin_decision_lost_to_another_reviewer_says_so(activate_totp, monkeypatch):
    photo = PhotoFactory(review=Photo.Review.HELD)
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="Support"))
    activate_totp(staff)
    client = Client()
    client.force_login(staff)
    real_review = services.photo_review

    def someone_else_first(**kwargs):
        Photo.objects.filter(pk=photo.pk).update(review=Photo.Review.REJECTED, review_reason="Nudity.")
        return real_review(**kwargs)

    monkeypatch.setattr(services, "photo_review", someone_else_first)
    url = reverse("admin:photos_photo_change", args=[photo.pk])

    answer = client.post(url, {"_approve": "1"}, follow=True)

    assert answer.status_code == 200
    assert "Alleen een foto die voor controle is tegengehouden, kan worden" in answer.content.decode()
    photo.refresh_from_db()
    assert photo.review == Photo.Review.REJECTED


@pytest.mark.django_db
def test_a_failed_photo_shows_its_reason_in_the_customers_language_not_the_exception(upload, client, monkeypatch):
    def unreadable(*args, **kwargs):
        raise ValueError("cannot decode tile at 0x7f3a (libjpeg internals)")

    monkeypatch.setattr("photos.pipeline.process_image", unreadable)
    upload(client, upload_file("a.jpg", images.jpeg()))
    photo = Photo.objects.get()
    assert (photo.status, photo.error) == (Photo.Status.FAILED, Photo.Error.UNREADABLE)

    for prefix, text in (("", "De afbeelding kon niet worden gelezen."), ("/fr", "L'image n'a pas pu être lue.")):
        gallery = client.get(f"{prefix}/photos/").content.decode()
        status = client.get(f"{prefix}/photos/status/", {"ids": str(photo.pk)}).json()["photos"][0]
        assert text.replace("'", "&#x27;") in gallery
        assert status["error"] == text
        assert "libjpeg" not in gallery
        assert "libjpeg" not in status["error"]


@pytest.mark.django_db
def test_a_photo_stopped_by_the_tasks_time_limit_fails_with_a_reason_instead_of_staying_processing(
    upload, client, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr("photos.pipeline.process_image", too_slow)
    upload(client, upload_file("a.jpg", images.jpeg()))
    photo = Photo.objects.get()
    assert (photo.status, photo.error) == (Photo.Status.FAILED, Photo.Error.TOO_SLOW)
    gallery = client.get("/photos/").content.decode()
    assert "De verwerking van de afbeelding duurde te lang" in gallery
