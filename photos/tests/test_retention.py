"""Retention of photos (SMP-6, SMP-7) at the boundary day, with their files, and a sweep killed half-way."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import TestCase

from accounts.tests.factories import UserFactory
from photos.models import Photo
from privacy import files as privacy_files
from privacy.models import PendingFileRemoval
from privacy.sweep import run_sweep

T0 = datetime.datetime(2026, 2, 1, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def make_photo(*, user=None, session_key="", n=0) -> Photo:
    """A stored photo with its original and thumbnails, uploaded at T0."""
    with time_machine.travel(T0, tick=False):
        photo = Photo(
            user=user,
            session_key=session_key,
            filename=f"p{n}.jpg",
            content_hash=f"{n:064d}",
            size_bytes=10,
            image_format="JPEG",
            status=Photo.Status.READY,
            review=Photo.Review.CLEAN,
        )
        photo.original.save("o.jpg", ContentFile(b"original"), save=False)
        photo.thumbnail_small.save(f"{photo.id.hex}-small.jpg", ContentFile(b"s"), save=False)
        photo.thumbnail_large.save(f"{photo.id.hex}-large.jpg", ContentFile(b"l"), save=False)
        photo.save()
    return photo


def stored(photo: Photo) -> list[bool]:
    storage = storages["default"]
    return [storage.exists(f.name) for f in (photo.original, photo.thumbnail_small, photo.thumbnail_large)]


def sweep_at(moment, **options):
    """Run the sweep as the beat does, outside a transaction: files go once each batch commits."""
    with time_machine.travel(moment, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        return run_sweep(**options)


@pytest.mark.django_db
def test_smp7_photo_without_account_deleted_90_days_after_upload():
    photo = make_photo(session_key="visitor")
    sweep_at(T0 + relativedelta(days=90) - DAY)
    assert Photo.objects.filter(pk=photo.pk).exists()
    assert stored(photo) == [True, True, True]
    run = sweep_at(T0 + relativedelta(days=90) + DAY)
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert stored(photo) == [False, False, False]
    assert run.counts["SMP-7"]["models"]["photos.Photo"] == 1


@pytest.mark.django_db
def test_smp6_account_photo_not_ordered_deleted_2_years_after_upload():
    user = UserFactory(last_activity=T0)
    photo = make_photo(user=user)
    sweep_at(T0 + relativedelta(years=2) - DAY)
    assert stored(photo) == [True, True, True]
    sweep_at(T0 + relativedelta(years=2) + DAY)
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert stored(photo) == [False, False, False]


@pytest.mark.django_db
def test_smp7_does_not_touch_account_photos():
    user = UserFactory(last_activity=T0)
    photo = make_photo(user=user)
    sweep_at(T0 + relativedelta(days=91))
    assert Photo.objects.filter(pk=photo.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_sweep_killed_during_file_removal_ends_like_a_clean_run(monkeypatch):
    photos = [make_photo(session_key="visitor", n=i) for i in range(6)]
    real = privacy_files.bulk_delete
    calls = {"n": 0}

    class Killed(RuntimeError):
        """The run stops here (a storage outage does not stop it: test_storage_down.py)."""

    def failing(storage, names):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed
        real(storage, names)

    monkeypatch.setattr(privacy_files, "bulk_delete", failing)
    with time_machine.travel(T0 + relativedelta(days=100), tick=False), pytest.raises(Killed):
        run_sweep(batch_size=2)
    # Rows already gone have their files recorded: none of them points at a missing file.
    for photo in Photo.objects.all():
        assert stored(photo) == [True, True, True]
    assert PendingFileRemoval.objects.exists()

    monkeypatch.setattr(privacy_files, "bulk_delete", real)
    sweep_at(T0 + relativedelta(days=100))
    assert not Photo.objects.exists()
    assert not any(any(stored(p)) for p in photos)
    assert not PendingFileRemoval.objects.exists()


@pytest.mark.django_db
def test_archive_rule_moves_the_files_to_the_archive_storage_and_marks_the_photo(settings):
    """An operator may archive instead of delete (the action STX-3 uses): files move, the row stays."""
    settings.PRIVACY_RETENTION_OVERRIDES = {"SMP-7": {"action": "archive"}}
    photos = [make_photo(session_key="visitor", n=i) for i in range(3)]
    sweep_at(T0 + relativedelta(days=90) - DAY)
    assert not Photo.objects.filter(archived_at__isnull=False).exists()
    run = sweep_at(T0 + relativedelta(days=90) + DAY, batch_size=2)
    assert run.counts["SMP-7"]["models"]["photos.Photo"] == 3
    assert Photo.objects.filter(archived_at__isnull=False).count() == 3
    archive = storages["archive"]
    for photo in photos:
        assert stored(photo) == [False, False, False]
        assert archive.open(photo.original.name).read() == b"original"
        assert archive.exists(photo.thumbnail_large.name)
    assert not PendingFileRemoval.objects.exists()
    # Idempotent: a second run archives nothing more.
    again = sweep_at(T0 + relativedelta(days=91) + DAY, batch_size=2)
    assert again.counts["SMP-7"]["count"] == 0


@pytest.mark.django_db
def test_an_old_album_keeps_its_recent_photos_and_goes_with_its_last_one():
    """SMP-6 counts per photo: an album does not take younger photos with it."""
    from photos.models import Album

    user = UserFactory(last_activity=T0)
    with time_machine.travel(T0, tick=False):
        album = Album.objects.create(user=user, title="Holidays")
    old = make_photo(user=user, n=1)
    young = make_photo(user=user, n=2)
    Photo.objects.filter(pk__in=[old.pk, young.pk]).update(album=album)
    Photo.objects.filter(pk=young.pk).update(uploaded_at=T0 + relativedelta(years=1))

    sweep_at(T0 + relativedelta(years=2) + DAY)
    assert not Photo.objects.filter(pk=old.pk).exists()
    assert stored(old) == [False, False, False]
    assert Photo.objects.filter(pk=young.pk, album=album).exists()
    assert stored(young) == [True, True, True]

    sweep_at(T0 + relativedelta(years=3) + DAY)
    assert not Album.objects.filter(pk=album.pk).exists()
    assert not Photo.objects.filter(pk=young.pk).exists()
    assert stored(young) == [False, False, False]


@pytest.mark.django_db
def test_a_rule_deleting_accounts_takes_their_photos_files_along(settings):
    """Rows a deletion cascades to (an account's album and photos) lose their files too."""
    from photos.models import Album

    settings.PRIVACY_RETENTION_EXTRA_RULES = [
        {
            "id": "TEST-DELETE",
            "category": "account",
            "trigger": "account_closed",
            "period": {"days": 1},
            "action": "delete",
        }
    ]
    user = UserFactory(last_activity=T0, closed_at=T0)
    with time_machine.travel(T0, tick=False):
        album = Album.objects.create(user=user, title="Family")
    photos = [make_photo(user=user, n=i) for i in range(3)]
    Photo.objects.filter(pk=photos[0].pk).update(album=album)

    sweep_at(T0 + relativedelta(days=2))
    assert not type(user).objects.filter(pk=user.pk).exists()
    assert not Photo.objects.exists()
    assert not Album.objects.exists()
    assert not any(any(stored(photo)) for photo in photos)
    assert not PendingFileRemoval.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["default", "stampix"])
def test_stx4_closing_an_account_takes_its_photos_files_and_albums_within_48_hours(settings, preset):
    from photos.models import Album

    settings.PRIVACY_RETENTION_PRESET = preset
    closed = T0 + relativedelta(months=1)
    user = UserFactory(last_activity=T0, closed_at=closed)
    with time_machine.travel(T0, tick=False):
        album = Album.objects.create(user=user, title="Holidays")
    photo = make_photo(user=user, n=1)
    Photo.objects.filter(pk=photo.pk).update(album=album)

    sweep_at(closed + relativedelta(hours=47))
    assert stored(photo) == [True, True, True]
    sweep_at(closed + relativedelta(hours=48))

    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not Album.objects.filter(pk=album.pk).exists()
    assert stored(photo) == [False, False, False]
    user.refresh_from_db()
    assert user.anonymised_at is not None


@pytest.mark.django_db
def test_batches_page_by_key_past_rows_not_due_and_take_every_due_photo_with_its_files():
    """Due photos among photos not due yet, in batches of 2 (keyset paging): every due one goes, no other."""
    due = [make_photo(session_key="visitor", n=i) for i in range(7)]
    with time_machine.travel(T0 + relativedelta(days=60), tick=False):
        later = [make_photo(session_key="visitor", n=100 + i) for i in range(5)]
    Photo.objects.filter(pk__in=[p.pk for p in later]).update(uploaded_at=T0 + relativedelta(days=60))
    run = sweep_at(T0 + relativedelta(days=90) + DAY, batch_size=2)
    assert run.counts["SMP-7"]["count"] == 7
    assert set(Photo.objects.values_list("pk", flat=True)) == {p.pk for p in later}
    assert not any(any(stored(p)) for p in due)
    assert all(stored(p) == [True, True, True] for p in later)
