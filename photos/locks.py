"""Locks of the photos app, all in one place."""

from __future__ import annotations

import zlib

from django.db import connection

from photos.models import Photo
from photos.selectors import Owner

# The first key of PostgreSQL advisory locks taken here: "pho" (the second key is the owner's).
QUOTA_LOCK_SPACE = 0x70686F


def owner_upload_lock(owner: Owner) -> None:
    """Hold the owner's upload lock until the current transaction ends.

    One upload of an owner at a time then checks the quota and inserts its
    row, so parallel uploads cannot together pass the quota or store the
    same bytes twice. A visitor has no row to lock, so PostgreSQL takes a
    transaction-level advisory lock on a 32-bit key of the owner (two owners
    whose keys collide merely wait for each other). SQLite has one writer at
    a time: a write that changes nothing takes that lock for the rest of the
    transaction (the settings' IMMEDIATE transactions already hold it).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("owner_upload_lock() needs a transaction: the lock ends with it")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            key = zlib.crc32(owner.key.encode())
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [QUOTA_LOCK_SPACE, key - (key >> 31 << 32)])
        elif connection.vendor == "sqlite":
            table = connection.ops.quote_name(Photo._meta.db_table)
            cursor.execute(f"UPDATE {table} SET id = id WHERE 0")  # noqa: S608 (a table name, no input)
        else:
            raise NotImplementedError(f"no upload lock for {connection.vendor}: use PostgreSQL or SQLite")
