"""NSFW scan (STX-10) with staff review, and who may see a photo."""

import pytest
from botocore.stub import Stubber
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import UserFactory
from photos.models import Photo
from photos.nsfw import NudeNetScanner, RekognitionScanner, ScannerUnavailable
from photos.tests import images
from photos.tests.conftest import upload_file


def _one(upload, client, **kwargs) -> Photo:
    upload(client, upload_file("p.jpg", images.jpeg(**kwargs)))
    return Photo.objects.get(filename="p.jpg")


@pytest.mark.django_db
def test_stx10_clean_photo_can_be_printed(upload, shopper_client):
    photo = _one(upload, shopper_client)
    assert photo.review == Photo.Review.CLEAN
    assert photo.printable


@pytest.mark.django_db
def test_stx10_flagged_photo_is_held_until_staff_decide(upload, shopper_client, fixed_scanner, activate_totp):
    fixed_scanner.answer = {"FEMALE_BREAST_EXPOSED": 0.93, "FACE_FEMALE": 0.8}
    photo = _one(upload, shopper_client)
    assert photo.review == Photo.Review.HELD
    assert not photo.printable
    assert photo.nsfw_labels["flagged"] == ["FEMALE_BREAST_EXPOSED"]
    assert "Being checked by our staff" in shopper_client.get("/en/photos/").content.decode()

    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="Support"))
    activate_totp(staff)
    client = Client()
    client.force_login(staff)
    url = reverse("admin:photos_photo_change", args=[photo.pk])
    refused = client.post(url, {"_reject": "1", "review_reason": ""})
    assert refused.status_code == 200  # a rejection needs the reason shown to the customer
    client.post(url, {"_reject": "1", "review_reason": "Nudity cannot be printed."})
    photo.refresh_from_db()
    assert photo.review == Photo.Review.REJECTED
    assert "Nudity cannot be printed." in shopper_client.get("/en/photos/").content.decode()


@pytest.mark.django_db
def test_below_threshold_scores_do_not_hold(upload, shopper_client, fixed_scanner):
    fixed_scanner.answer = {"FEMALE_GENITALIA_EXPOSED": 0.79}  # what a smooth gradient scored here
    assert _one(upload, shopper_client).review == Photo.Review.CLEAN


@pytest.mark.django_db
def test_unavailable_scanner_sends_the_photo_to_review(upload, shopper_client, fixed_scanner):
    fixed_scanner.unavailable = True
    photo = _one(upload, shopper_client)
    assert photo.review == Photo.Review.HELD
    assert "scanner down" in photo.nsfw_labels["error"]


def test_nudenet_scanner_runs_offline_on_a_photo():
    labels = NudeNetScanner().labels(images.picture(640, 480, seed=5))
    assert isinstance(labels, dict)
    assert all(0 <= score <= 1 for score in labels.values())


def test_rekognition_scanner_reads_moderation_labels():
    import boto3

    client = boto3.client("rekognition", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response(
            "detect_moderation_labels",
            {"ModerationLabels": [{"Name": "Explicit Nudity", "Confidence": 97.5, "ParentName": ""}]},
        )
        result = RekognitionScanner(client=client).scan(Image.new("RGB", (64, 64)))
    assert result.labels == {"Explicit Nudity": 0.975}
    assert result.flagged == ["Explicit Nudity"]
    with Stubber(client) as stub:
        stub.add_client_error("detect_moderation_labels", service_error_code="ThrottlingException")
        with pytest.raises(ScannerUnavailable):
            RekognitionScanner(client=client).labels(Image.new("RGB", (64, 64)))


@pytest.mark.django_db
def test_a_photo_is_only_served_to_its_owner(upload, shopper_client):
    photo = _one(upload, shopper_client)
    own = shopper_client.get(reverse("photos:file", args=[photo.pk, "small"]))
    assert own.status_code == 200
    assert own["Cache-Control"].startswith("private")
    client = Client()
    other = client.get(reverse("photos:file", args=[photo.pk, "small"]))
    assert other.status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("photos:file", args=[photo.pk, "original"])).status_code == 404
    assert client.post(reverse("photos:delete", args=[photo.pk])).status_code == 404
    assert Photo.objects.filter(pk=photo.pk).exists()


@pytest.mark.django_db
def test_print_lab_staff_may_not_open_customers_photos(upload, shopper_client, activate_totp):
    """The lab gets the print files of ordered lines only (orders' lab admin), never a customer's originals."""
    photo = _one(upload, shopper_client)
    lab = UserFactory(is_staff=True)
    lab.groups.add(Group.objects.get(name="Print lab"))
    activate_totp(lab)
    client = Client()
    client.force_login(lab)
    assert client.get(reverse("photos:file", args=[photo.pk, "large"])).status_code == 404
    assert client.get(reverse("photos:file", args=[photo.pk, "original"])).status_code == 404


@pytest.mark.django_db
def test_deleting_a_photo_removes_its_files_from_storage(upload, shopper_client, django_capture_on_commit_callbacks):
    from django.core.files.storage import storages

    photo = _one(upload, shopper_client)
    names = [photo.original.name, photo.thumbnail_small.name, photo.thumbnail_large.name]
    assert all(storages["default"].exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        shopper_client.post(reverse("photos:delete", args=[photo.pk]))
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not any(storages["default"].exists(n) for n in names)


@pytest.mark.django_db
def test_deleting_an_album_deletes_its_photos(upload, shopper_client, user, django_capture_on_commit_callbacks):
    from photos.models import Album

    upload(shopper_client, upload_file("a.jpg", images.jpeg(seed=1)), album="Trip")
    upload(shopper_client, upload_file("b.jpg", images.jpeg(seed=2)))
    album = Album.objects.get(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        shopper_client.post(reverse("photos:album_delete", args=[album.pk]))
    assert list(Photo.objects.filter(user=user).values_list("filename", flat=True)) == ["b.jpg"]


@pytest.mark.django_db
def test_alb2_withdrawing_storage_consent_warns_then_deletes(upload, shopper_client, user):
    upload(shopper_client, upload_file("a.jpg", images.jpeg(seed=1)))
    page = shopper_client.get("/en/photos/consents/").content.decode()
    assert "your 1 photo is deleted right away" in page
    shopper_client.post("/en/photos/consents/", {"action": "withdraw_storage"})  # not confirmed
    assert Photo.objects.filter(user=user).count() == 1
    shopper_client.post("/en/photos/consents/", {"action": "withdraw_storage", "confirm": "yes"})
    assert Photo.objects.filter(user=user).count() == 0


@pytest.mark.django_db
def test_staff_deleting_in_the_admin_removes_the_stored_files(
    upload, shopper_client, user, activate_totp, django_capture_on_commit_callbacks
):
    from django.core.files.storage import storages

    upload(shopper_client, upload_file("a.jpg", images.jpeg(seed=1)), upload_file("b.jpg", images.jpeg(seed=2)))
    first, second = Photo.objects.order_by("filename")
    names = [f.name for p in (first, second) for f in (p.original, p.thumbnail_small, p.thumbnail_large)]
    assert all(storages["default"].exists(name) for name in names)
    admin = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(admin)
    client = Client()
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:photos_photo_delete", args=[first.pk]), {"post": "yes"})
    assert not Photo.objects.filter(pk=first.pk).exists()
    assert not any(storages["default"].exists(name) for name in names[:3])

    # Erasing the account takes its remaining photos, files and all.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "erase_accounts", "_selected_action": [user.pk], "post": "yes"},
        )
    assert not Photo.objects.filter(pk=second.pk).exists()
    assert not any(storages["default"].exists(name) for name in names)
