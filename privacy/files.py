"""Removal of stored files in batches, recorded first so that a crash loses nothing.

The sweep records every file it is about to orphan in ``PendingFileRemoval``
in the same transaction that deletes or changes the rows; the files are then
removed in batches (S3 ``DeleteObjects`` takes 1,000 keys a call) and their
records dropped. A run killed in between leaves records that the next run
finishes first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.files.storage import Storage, storages
from django.db import connections
from django.utils import timezone

from privacy.models import PendingFileRemoval

S3_DELETE_LIMIT = 1000


def record_removals(names: Iterable[str], *, storage: str = "default", rule_id: str = "") -> int:
    """Record files to remove; call inside the transaction that changes their rows."""
    rows = [PendingFileRemoval(storage=storage, name=name, rule_id=rule_id) for name in names if name]
    PendingFileRemoval.objects.bulk_create(rows, ignore_conflicts=True, batch_size=S3_DELETE_LIMIT)
    return len(rows)


def record_removals_from(queryset, fields, *, storage: str = "default", rule_id: str = "") -> None:
    """Record the files named in ``fields`` of the queryset's rows, inside the database.

    One ``INSERT ... SELECT`` per field: the names never travel to Python.
    Call inside the transaction that deletes or changes those rows.
    """
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    table = quote(PendingFileRemoval._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    selects, all_params = [], []
    for field in fields:
        select, params = queryset.exclude(**{field: ""}).values_list(field).query.sql_with_params()
        selects.append(f"SELECT %s, rows.{quote(field)}, %s, %s FROM ({select}) rows WHERE true")  # noqa: S608
        all_params += [storage, rule_id, now, *params]
    if not selects:
        return
    # Identifiers come from model metadata (quoted); every value is a parameter.
    # "WHERE true" lets SQLite tell the upsert clause from a join.
    sql = (
        f"INSERT INTO {table} (storage, name, rule_id, created_at) "
        f"{' UNION ALL '.join(selects)} ON CONFLICT (storage, name) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)


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
    for name in names:
        storage.delete(name)  # a missing file is not an error: removal is idempotent


def archive_copy(name: str, *, source: str = "default", target: str = "archive") -> None:
    """Copy a file to the archive storage under the same name (skipped when already there)."""
    src, dst = storages[source], storages[target]
    if dst.exists(name):
        return
    with src.open(name, "rb") as handle:
        saved = dst.save(name, handle)
    if saved != name:
        raise OSError(f"archive storage stored {name!r} as {saved!r}")


def process_pending(*, batch_size: int = S3_DELETE_LIMIT, on_batch: Callable[[int], None] | None = None) -> int:
    """Remove every recorded file, batch by batch; return how many were handled."""
    done = 0
    last_pk = 0
    while True:
        batch = list(
            PendingFileRemoval.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "storage", "name")[:batch_size]
        )
        if not batch:
            return done
        by_storage: dict[str, list[str]] = {}
        for _pk, storage_name, name in batch:
            by_storage.setdefault(storage_name, []).append(name)
        for storage_name, names in by_storage.items():
            bulk_delete(storages[storage_name], names)
        PendingFileRemoval.objects.filter(pk__gt=last_pk, pk__lte=batch[-1][0]).delete()
        done += len(batch)
        last_pk = batch[-1][0]
        if on_batch:
            on_batch(len(batch))
