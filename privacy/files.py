"""Removal of stored files in batches, recorded first so that a crash loses nothing.

Whoever orphans files (the sweep, a shopper deleting photos) records their
names in ``PendingFileRemoval`` in the same transaction that deletes or
changes the rows, at most 1,000 names a record: one S3 ``DeleteObjects``
request. After the commit the files are removed and the record dropped. A
run killed in between leaves records that the next run finishes first;
removing a file that is already gone is not an error, so finishing twice is
harmless. When the storage cannot be reached (the disk, S3 down), removal
stops, the records stay, and the next run (every sweep starts with them)
finishes the work: the rows are gone at once, the files once the storage is back.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.core.files.storage import FileSystemStorage, Storage, storages

from privacy.models import PendingFileRemoval

logger = logging.getLogger(__name__)

S3_DELETE_LIMIT = 1000
RECORDS_PER_READ = 20  # at most 20,000 names in memory at once


def storage_errors() -> tuple[type[BaseException], ...]:
    """The errors of a storage that cannot be reached: the disk (OSError) or S3 (botocore's)."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - boto3 is in requirements.txt
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


class Removal(NamedTuple):
    """One recorded batch of files: the record's key, its storage and the names."""

    pk: int
    storage: str
    names: list[str]


def record_removals(
    names: Iterable[str], *, storage: str = "default", rule_id: str = "", batch_size: int = S3_DELETE_LIMIT
) -> list[Removal]:
    """Record files to remove; call inside the transaction that orphans them.

    Return the records made (one per ``batch_size`` names), for ``remove``
    once the transaction has committed.
    """
    names = [name for name in names if name]
    # One INSERT per record: a handful per call, each with a single JSON value
    # (bulk_create would send every name through an array literal).
    records = [
        PendingFileRemoval.objects.create(storage=storage, names=names[start : start + batch_size], rule_id=rule_id)
        for start in range(0, len(names), batch_size)
    ]
    return [Removal(record.pk, record.storage, record.names) for record in records]


def bulk_delete(storage: Storage, names: list[str]) -> None:
    """Delete files from a storage, in one request per 1,000 keys on S3."""
    bucket = getattr(storage, "bucket", None)
    if bucket is not None and hasattr(storage, "_normalize_name"):
        for start in range(0, len(names), S3_DELETE_LIMIT):
            keys = [{"Key": storage._normalize_name(name)} for name in names[start : start + S3_DELETE_LIMIT]]
            response = bucket.meta.client.delete_objects(Bucket=bucket.name, Delete={"Objects": keys, "Quiet": True})
            if response.get("Errors"):
                first = response["Errors"][0]
                raise OSError(f"S3 refused to delete {first.get('Key')}: {first.get('Message')}")
        return
    if isinstance(storage, FileSystemStorage):
        _delete_local(storage, names)
        return
    for name in names:
        storage.delete(name)  # a missing file is not an error: removal is idempotent


def _delete_local(storage: FileSystemStorage, names: list[str]) -> None:
    """Unlink files under the storage's folder without a path check per name where none is needed.

    A relative name without ``..`` cannot leave the folder; any other name
    goes through the storage's own checked ``delete``.
    """
    root = storage.location.rstrip(os.sep) + os.sep
    for name in names:
        if name.startswith(os.sep) or ".." in name:
            storage.delete(name)
            continue
        with contextlib.suppress(FileNotFoundError):  # already gone: removal is idempotent
            os.remove(root + name)


def archive_copy(name: str, *, source: str = "default", target: str = "archive") -> None:
    """Copy a file to the archive storage under the same name (skipped when already there)."""
    src, dst = storages[source], storages[target]
    if dst.exists(name):
        return
    with src.open(name, "rb") as handle:
        saved = dst.save(name, handle)
    if saved != name:
        raise OSError(f"archive storage stored {name!r} as {saved!r}")


def remove(records: Iterable[Removal], on_batch: Callable[[int], None] | None = None) -> int:
    """Remove the files of committed records, then drop the records; return how many files.

    Records whose files are gone are dropped even when a later one fails, so
    a retry starts where this one stopped. A storage that cannot be reached
    stops the removal without an error: its records wait for the next run.
    """
    done, handled = 0, []
    try:
        for pk, storage_name, names in records:
            try:
                bulk_delete(storages[storage_name], names)
            except storage_errors() as exc:
                logger.warning("Storage unavailable: %s file(s) left for the next run (%s).", len(names), exc)
                break
            handled.append(pk)
            done += len(names)
            if on_batch:
                on_batch(len(names))
    finally:
        if handled:
            PendingFileRemoval.objects.filter(pk__in=handled).delete()
    return done


def process_pending(*, on_batch: Callable[[int], None] | None = None) -> int:
    """Remove every recorded file, record by record; return how many were handled."""
    done = 0
    last_pk = 0
    while True:
        records = [
            Removal(*row)
            for row in PendingFileRemoval.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "storage", "names")[:RECORDS_PER_READ]
        ]
        if not records:
            return done
        removed = remove(records, on_batch)
        done += removed
        if removed < sum(len(record.names) for record in records):
            return done  # the storage stopped answering: the rest waits for the next run
        last_pk = records[-1].pk
