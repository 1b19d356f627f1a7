"""Stored files are recorded before their rows go, so an interrupted removal is finished later."""

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from privacy import files
from privacy.models import PendingFileRemoval


def _store(n: int) -> list[str]:
    storage = storages["default"]
    return [storage.save(f"photos/test-{i}.jpg", ContentFile(b"jpeg bytes")) for i in range(n)]


@pytest.mark.django_db
def test_recorded_files_are_removed_in_batches():
    names = _store(5)
    records = files.record_removals(names, rule_id="TEST", batch_size=2)
    assert [len(record.names) for record in records] == [2, 2, 1]
    assert PendingFileRemoval.objects.count() == 3
    batches = []
    assert files.process_pending(on_batch=batches.append) == 5
    assert batches == [2, 2, 1]
    assert not any(storages["default"].exists(name) for name in names)
    assert not PendingFileRemoval.objects.exists()


@pytest.mark.django_db
def test_crash_during_storage_deletion_is_finished_by_the_next_run(monkeypatch):
    names = _store(4)
    files.record_removals(names, batch_size=2)
    original = files.bulk_delete
    calls = {"n": 0}

    def failing(storage, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("storage unreachable")
        original(storage, batch)

    monkeypatch.setattr(files, "bulk_delete", failing)
    assert files.process_pending() == 2  # stops at the failure, without an error
    # The first batch is gone; the second is still recorded, its files still there.
    (left,) = PendingFileRemoval.objects.all()
    assert left.names == names[2:]
    assert all(storages["default"].exists(name) for name in names[2:])
    monkeypatch.setattr(files, "bulk_delete", original)
    assert files.process_pending() == 2
    assert not any(storages["default"].exists(name) for name in names)
    assert not PendingFileRemoval.objects.exists()


@pytest.mark.django_db
def test_removing_a_file_that_is_already_gone_is_not_an_error():
    (name,) = _store(1)
    storages["default"].delete(name)
    files.record_removals([name])
    assert files.process_pending() == 1


@pytest.mark.django_db
def test_archive_copy_keeps_the_name_and_is_idempotent():
    (name,) = _store(1)
    files.archive_copy(name)
    files.archive_copy(name)
    assert storages["archive"].exists(name)
    assert storages["archive"].open(name).read() == b"jpeg bytes"


@pytest.mark.django_db
def test_s3_files_are_deleted_1000_keys_per_request(s3_storage, monkeypatch):
    client, bucket = s3_storage
    storage = storages["default"]
    names = [f"photos/{i:04d}.jpg" for i in range(1001)]
    for name in names:
        client.put_object(Bucket=bucket, Key=name, Body=b"x")
    calls = []
    real = storage.bucket.meta.client.delete_objects

    def counting(**kwargs):
        calls.append(len(kwargs["Delete"]["Objects"]))
        return real(**kwargs)

    monkeypatch.setattr(storage.bucket.meta.client, "delete_objects", counting)
    files.record_removals(names, batch_size=5000)
    assert files.process_pending() == 1001
    assert calls == [1000, 1]
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    assert not PendingFileRemoval.objects.exists()


@pytest.mark.django_db
def test_s3_media_is_private_and_served_by_short_lived_signed_urls(s3_storage):
    import urllib.error
    import urllib.request

    client, bucket = s3_storage
    storage = storages["default"]
    name = storage.save("photos/private.jpg", ContentFile(b"jpeg bytes"))
    url = storage.url(name)
    assert "X-Amz-Expires=300" in url
    assert "X-Amz-Signature=" in url
    assert urllib.request.urlopen(url).read() == b"jpeg bytes"  # noqa: S310 (loopback)
    # No public grant on the object: only its owner may read it, through signed links.
    grants = client.get_object_acl(Bucket=bucket, Key=name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all("AllUsers" not in g["Grantee"].get("URI", "") for g in grants)


@pytest.mark.django_db
def test_archive_copy_on_s3_goes_under_the_archive_prefix(s3_storage):
    client, bucket = s3_storage
    (name,) = _store(1)
    files.archive_copy(name)
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert f"archive/{name}" in keys


@pytest.mark.django_db
def test_local_removal_stays_inside_the_media_folder(tmp_path, settings):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    storage = storages["default"]
    for name in (f"../{outside.name}", str(outside)):
        with pytest.raises(SuspiciousFileOperation, match="outside of the base path"):
            files.bulk_delete(storage, [name])
    assert outside.read_text() == "keep me"
