"""Writes of the photos app: ingest, processing results, deletion, consents, review, stored-file upkeep.

A row must never name a file that is not there, so files are stored before
the row that names them; each function here removes what it stored when the
row is not written after all (an error, a duplicate, the photo gone), so no
file is left in storage without a row.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from photos import direct, gps, selectors, visitors
from photos.locks import owner_upload_lock
from photos.models import Album, Photo, PhotoConsent
from photos.processing import Result
from photos.selectors import Owner
from photos.validation import CheckedImage, check_image, max_upload_bytes, primary_copy
from photoshop import pagecache
from photoshop.outbox import enqueue
from privacy import files as privacy_files
from privacy.services import delete_with_files

if TYPE_CHECKING:
    from accounts.models import User

__all__ = ["Owner"]  # re-exported: callers name the owner through the services

logger = logging.getLogger(__name__)

SPOOL_BYTES = 8 * 1024 * 1024
# What Pillow raises on a file it cannot decode (UnidentifiedImageError is an OSError).
UNREADABLE = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)
STRIP_BATCH = 100
# In-flight completions get this long after a token expires before their object counts as abandoned.
ABANDON_MARGIN = datetime.timedelta(minutes=15)
LIST_BATCH = privacy_files.S3_DELETE_LIMIT


class _Duplicate(Exception):
    """The owner already has a photo of these bytes (found under the upload lock)."""

    def __init__(self, photo: Photo) -> None:
        self.photo = photo


# --- Ingest ---------------------------------------------------------------------------------------


def photo_quota_check(*, owner: Owner, size: int) -> None:
    """Raise ValidationError if ``size`` more bytes would take the owner past the storage quota."""
    selectors.quota_check(owner=owner, size=size)


def photo_ingest(
    *, owner: Owner, handle: IO[bytes], filename: str, size: int, album: Album | None = None, address: str = ""
) -> Photo:
    """Validate and store an uploaded file; return the new photo, or the one already holding these bytes.

    ``address`` is the client's: a visitor's uploads are bounded per address
    and in total (``photos.visitors``). Processing (metadata, thumbnails,
    quality, NSFW scan) is queued after commit.
    """
    with _storage_unavailable_refused():
        return _ingest(owner=owner, handle=handle, filename=filename, size=size, album=album, address=address)


@contextlib.contextmanager
def _storage_unavailable_refused() -> Iterator[None]:
    """Turn a storage outage during an upload into a refusal of that file, saying to try again.

    Nothing is kept of it: the row is inserted only after its file is stored,
    and what this upload stored before the failure is removed (``_ingest``).
    """
    try:
        yield
    except privacy_files.storage_errors() as exc:
        logger.warning("Storage unavailable during an upload: %s", exc)
        raise ValidationError(
            _("Your photo could not be stored just now; nothing was kept. Please try again in a few minutes."),
            code="storage_unavailable",
        ) from exc


def photo_ingest_direct(*, owner: Owner, token: str, album: Album | None = None, address: str = "") -> Photo:
    """Accept an object the browser stored in the bucket (direct upload) once checked like any upload.

    A refused object is removed; so is one replaced by a copy without its
    location (PIX-7). What is left behind otherwise (the browser never
    reports) is removed by ``uploads_abandoned_remove``.
    """
    upload = direct.read_token(token=token, owner=owner)
    with _storage_unavailable_refused():
        return _ingest_direct(owner=owner, upload=upload, album=album, address=address)


def _ingest_direct(*, owner: Owner, upload, album: Album | None, address: str) -> Photo:
    storage = storages["default"]
    existing = Photo.objects.filter(original=upload.name).first()
    if existing is not None and Photo.objects.filter(owner.filter(), pk=existing.pk).exists():
        return existing  # the same upload reported twice
    if existing is not None or not storage.exists(upload.name):
        raise ValidationError(_("The photo did not arrive; upload it again."), code="missing")
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as copy:
        try:
            size = storage.size(upload.name)
            if size > max_upload_bytes():
                raise ValidationError(_("The file is too large."), code="too_large")
        except ValidationError:
            _remove_files([upload.name])
            raise
        with storage.open(upload.name, "rb") as remote:
            for chunk in iter(lambda: remote.read(1024 * 1024), b""):
                copy.write(chunk)
        return _ingest(
            owner=owner,
            handle=copy,
            filename=upload.filename,
            size=size,
            album=album,
            stored_name=upload.name,
            address=address,
        )


def _ingest(
    *,
    owner: Owner,
    handle: IO[bytes],
    filename: str,
    size: int,
    album: Album | None,
    stored_name: str = "",
    address: str = "",
) -> Photo:
    """Check, store and record one upload; ``stored_name`` is an object the browser already stored.

    The bytes stored carry no GPS location unless the owner consented
    (PIX-7). The quota and the duplicate check are final only under the
    owner's upload lock, in the transaction that inserts the row.
    """
    try:
        checked = check_image(handle, size=size)
        existing = selectors.photo_by_content(owner=owner, content_hash=checked.content_hash)
        if existing is None:
            photo_quota_check(owner=owner, size=checked.size_bytes)  # refuse early; final under the lock
            visitors.visitor_check(owner=owner, address=address, size=checked.size_bytes)
    except ValidationError:
        _remove_files([stored_name])
        raise
    if existing is not None:
        _remove_files([stored_name])
        return existing
    keep_location = selectors.keeps_location(owner=owner)
    # A multi-picture JPEG or a motion photo: only the primary image is kept (its other frames or
    # its video may carry a location of their own, PIX-7, and are not printed).
    primary = primary_copy(handle, checked) if checked.primary_end is not None or checked.drop else None
    source = primary or handle
    try:
        stripped = None if keep_location else gps.strip(source, checked.image_format)
        geotagged = keep_location and gps.has_location(source, checked.image_format)
    except UNREADABLE as exc:
        # Pillow read the header but not the rest: without removing the location it is not kept.
        if primary is not None:
            primary.close()
        _remove_files([stored_name])
        raise ValidationError(_("This file is not an image we can read."), code="not_image") from exc
    photo = _new_photo(owner=owner, checked=checked, filename=filename, album=album)
    photo.original_geotagged = geotagged
    rewritten = stripped or primary
    written: list[str] = []
    try:
        with contextlib.ExitStack() as opened:
            for copy in (stripped, primary):
                if copy is not None:
                    opened.callback(copy.close)
            if stored_name and rewritten is None:
                photo.original.name = stored_name  # the object stays where the browser put it
            else:
                photo.original.save(f"upload.{checked.extension}", File(rewritten or handle), save=False)
                written.append(photo.original.name)
                photo.size_bytes = _size(rewritten or handle)  # what is stored is what counts
        _photo_insert(photo=photo, owner=owner, address=address)
    except _Duplicate as duplicate:
        _remove_files([*written, stored_name])
        return duplicate.photo
    except ValidationError:
        _remove_files([*written, stored_name])
        raise
    except BaseException:
        # Only what this call stored: the browser's object stays for a retry of the same token.
        _remove_files(written)
        raise
    if written and stored_name:
        # The browser's object was replaced by its copy (without a location, or its primary image alone).
        _remove_files([stored_name])
    return photo


def _new_photo(*, owner: Owner, checked: CheckedImage, filename: str, album: Album | None) -> Photo:
    return Photo(
        **owner.fields(),
        album=album,
        filename=clean_filename(filename),
        # The hash of the bytes as uploaded, so the same upload again is found, whatever was stripped.
        content_hash=checked.content_hash,
        size_bytes=checked.size_bytes,
        image_format=checked.image_format,
        width=checked.width,
        height=checked.height,
    )


@transaction.atomic(durable=True)
def _photo_insert(*, photo: Photo, owner: Owner, address: str) -> None:
    """Insert a new photo under the owner's upload lock, after the final duplicate and quota checks.

    A visitor's bytes are counted against the client's address here, and
    given back if the row is not inserted after all.

    Durable: the row is committed when this returns, so a caller cannot roll
    it back and leave its stored file without a row.
    """
    owner_upload_lock(owner)
    existing = selectors.photo_by_content(owner=owner, content_hash=photo.content_hash)
    if existing is not None:
        raise _Duplicate(existing)
    photo_quota_check(owner=owner, size=photo.size_bytes)
    photo.full_clean(validate_constraints=False)  # the database checks those
    counted = visitors.visitor_reserve(owner=owner, address=address, size=photo.size_bytes)
    try:
        with transaction.atomic(), pagecache.writes_for(owner.user_id):
            photo.save(force_insert=True)
    except BaseException as exc:
        if counted:
            visitors.visitor_release(address=address, size=photo.size_bytes)
        if not isinstance(exc, IntegrityError):
            raise
        # The same bytes arrived by another way at once (a visitor's photos moving in at sign-in).
        existing = selectors.photo_by_content(owner=owner, content_hash=photo.content_hash)
        if existing is None:
            raise
        raise _Duplicate(existing) from None
    from photos.tasks import process_photo

    enqueue(process_photo, str(photo.pk))


def _size(handle: IO[bytes]) -> int:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def album_get_or_create(*, owner: Owner, title: str) -> Album | None:
    """Return the owner's album of this title (the newest, if there are several), made if needed.

    Return None for a blank title. Line breaks and tabs become spaces; other
    control characters (NUL among them, which PostgreSQL cannot store) are
    refused with a message.
    """
    title = " ".join(title.split())
    if any(unicodedata.category(character) == "Cc" for character in title):
        raise ValidationError(
            _("The album name contains characters that cannot be used (control characters); type it again."),
            code="album_name",
        )
    title = title[: Album._meta.get_field("title").max_length].strip()
    if not title:
        return None
    with transaction.atomic():
        owner_upload_lock(owner)  # two uploads naming a new album at once make one album
        album = Album.objects.filter(owner.filter(), title=title).order_by("-created_at").first()
        if album is None:
            album = Album(**owner.fields(), title=title)
            album.full_clean(validate_constraints=False)
            album.save(force_insert=True)
    return album


def clean_filename(name: str, *, limit: int = 255) -> str:
    """Return an uploaded file's name fit to store: no control characters, at most ``limit`` characters.

    A name that is too long is cut before its extension, so it still ends as it did.
    """
    name = "".join(c for c in name if unicodedata.category(c) != "Cc").strip() or "photo"
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and 0 < len(extension) <= 16:
        return f"{stem[: limit - len(extension) - 1].rstrip()}.{extension}"
    return name[:limit]


# --- Processing results ---------------------------------------------------------------------------


def photo_processing_finish(*, photo: Photo, result: Result, review: str, labels: dict) -> bool:
    """Store the thumbnails and record what processing found; return False if the photo went meanwhile.

    Only a photo still being processed is updated (a second run of the task
    changes nothing); thumbnails stored for a photo that is not are removed.
    """
    written: list[str] = []
    names = {}
    try:
        for size, data in result.thumbnails.items():
            field = getattr(photo, f"thumbnail_{size}")
            field.save(f"{photo.id.hex}-{size}.jpg", ContentFile(data), save=False)
            written.append(field.name)
            names[f"thumbnail_{size}"] = field.name
        meta = result.metadata
        with pagecache.writes_for(photo.user_id):
            updated = _processed(photo, names, result, meta, review, labels)
    except BaseException:
        _remove_files(written)
        raise
    if not updated:
        # Deleted or processed meanwhile: the thumbnails just stored belong to nobody.
        _remove_files(written)
    return bool(updated)


def _processed(photo: Photo, names: dict, result: Result, meta, review: str, labels: dict) -> int:
    return Photo.objects.filter(pk=photo.pk, status=Photo.Status.PROCESSING).update(
        **names,
        width=result.width,
        height=result.height,
        taken_at=meta.taken_at,
        camera_make=meta.camera_make,
        camera_model=meta.camera_model,
        orientation=meta.orientation,
        latitude=meta.latitude,
        longitude=meta.longitude,
        sharpness=result.sharpness,
        exposure=result.exposure,
        quality_score=result.quality_score,
        review=review,
        nsfw_labels=labels,
        status=Photo.Status.READY,
        processed_at=timezone.now(),
    )


def photo_processing_fail(*, photo: Photo, error: Photo.Error) -> bool:
    """Mark a photo being processed as failed, with the reason the customer reads."""
    with pagecache.writes_for(photo.user_id):
        return bool(
            Photo.objects.filter(pk=photo.pk, status=Photo.Status.PROCESSING).update(
                status=Photo.Status.FAILED, error=error
            )
        )


# --- Deletion and moves ---------------------------------------------------------------------------


def photos_delete(*, photos: QuerySet[Photo]) -> int:
    """Delete photos from the database and, once that has committed, from the storage."""
    return delete_with_files(photos)


@transaction.atomic
def album_delete(*, album: Album) -> int:
    """Delete an album with its photos, from the storage too."""
    count = photos_delete(photos=Photo.objects.filter(album=album))
    album.delete()
    return count


@transaction.atomic
def photos_claim_for_user(*, session_key: str, user: User) -> int:
    """Move a visitor's photos to the account they signed in to (duplicates of account photos are dropped)."""
    if not session_key:
        return 0
    visitor = Photo.objects.filter(user__isnull=True, session_key=session_key)
    duplicates = visitor.filter(content_hash__in=Photo.objects.filter(user=user).values("content_hash"))
    photos_delete(photos=duplicates)
    # An album whose title the account already has joins that album (the newest of that title):
    # uploads name albums by title, so two of one title would split the photos.
    for album in Album.objects.filter(user__isnull=True, session_key=session_key):
        target = Album.objects.filter(user=user, title=album.title).order_by("-created_at").first()
        if target is not None:
            Photo.objects.filter(album=album).update(album=target)
            album.delete()
    Album.objects.filter(user__isnull=True, session_key=session_key).update(user=user, session_key="")
    return visitor.update(user=user, session_key="")


# --- Consents -------------------------------------------------------------------------------------


def consent_for(*, user: User) -> PhotoConsent:
    """Return the user's photo consents, recorded with their defaults on first use."""
    consent, _created = PhotoConsent.objects.get_or_create(user=user)
    return consent


@transaction.atomic
def location_consent_set(*, user: User, keep: bool) -> None:
    """Record the location consent (PIX-7).

    Withdrawing it clears the stored coordinates at once and queues the
    removal of the GPS block from every stored original of the user.
    """
    consent = consent_for(user=user)
    now = timezone.now()
    consent.keep_location = keep
    consent.keep_location_changed_at = now
    consent.save(update_fields=["keep_location", "keep_location_changed_at"])
    if keep:
        return
    Photo.objects.filter(Q(latitude__isnull=False) | Q(longitude__isnull=False), user=user).update(
        latitude=None, longitude=None
    )
    from photos.tasks import strip_locations

    enqueue(strip_locations, user_id=user.pk, before=now.isoformat())


@transaction.atomic
def storage_consent_withdraw(*, user: User) -> int:
    """Withdraw the photo-storage consent (ALB-2): delete the photos now; return how many went."""
    consent = consent_for(user=user)
    consent.storage = False
    consent.storage_changed_at = timezone.now()
    consent.save(update_fields=["storage", "storage_changed_at"])
    # Photos needed for an open order are kept once orders exist (orders app).
    return photos_delete(photos=Photo.objects.filter(user=user))


def photo_locations_strip(*, user_id: int | None = None, before: datetime.datetime | None = None) -> int:
    """Remove the GPS location from stored originals whose owner does not keep it (PIX-7); return files changed.

    With ``user_id`` (a withdrawal): every original of that user uploaded
    up to ``before``, and any later one while the user does not consent.
    Without: every original whose owner does not consent now (visitors never
    do). Batched by key; idempotent, since a rewritten original is marked.
    """
    carries = Q(original_geotagged=True) | Q(latitude__isnull=False) | Q(longitude__isnull=False)
    consenting = PhotoConsent.objects.filter(keep_location=True).values("user_id")
    not_consenting = Q(user__isnull=True) | ~Q(user_id__in=consenting)
    if user_id is not None:
        rows = Photo.objects.filter(carries, user_id=user_id)
        rows = rows.filter(Q(uploaded_at__lte=before) | not_consenting) if before else rows.filter(not_consenting)
    else:
        rows = Photo.objects.filter(carries).filter(not_consenting)
    changed, last, failure = 0, None, None
    while True:
        batch = list((rows.filter(pk__gt=last) if last else rows).order_by("pk")[:STRIP_BATCH])
        if not batch:
            break
        for photo in batch:
            try:
                changed += photo_original_strip_location(photo=photo)
            except Exception as exc:
                # One file the storage or Pillow fails on must not keep the others' locations:
                # go on, then fail, so the task is retried and the failure is seen.
                logger.exception("photo %s: the location could not be removed from its original", photo.pk)
                failure = failure or exc
        last = batch[-1].pk
    if failure is not None:
        raise failure
    return changed


def photo_original_strip_location(*, photo: Photo) -> bool:
    """Replace a photo's stored original by a copy without its GPS location; return whether the file changed.

    The copy is stored under a new name and the row switched to it only if
    it still names the old file; the old file goes once that has committed.
    The stored coordinates are cleared too.
    """
    storage = photo.original.storage
    old = photo.original.name
    stripped = None
    if old:
        try:
            with storage.open(old, "rb") as remote, tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as copy:
                for chunk in iter(lambda: remote.read(1024 * 1024), b""):
                    copy.write(chunk)
                stripped = gps.strip(copy, photo.image_format)
        except FileNotFoundError:
            logger.warning("photo %s: original %s is missing; nothing to strip", photo.pk, old)
    written: list[str] = []
    values: dict = {"original_geotagged": False, "latitude": None, "longitude": None}
    try:
        if stripped is not None:
            with stripped:
                extension = old.rsplit(".", 1)[-1] if "." in old else "bin"
                photo.original.save(f"upload.{extension}", File(stripped), save=False)
                written.append(photo.original.name)
                values.update(original=photo.original.name, size_bytes=_size(stripped))
        with transaction.atomic():
            updated = Photo.objects.filter(pk=photo.pk, original=old).update(**values)
            removals = privacy_files.record_removals([old]) if updated and written else []
    except BaseException:
        _remove_files(written)
        raise
    if not updated:
        _remove_files(written)  # deleted or changed meanwhile
        return False
    privacy_files.remove(removals)
    return bool(written)


# --- Review ---------------------------------------------------------------------------------------

# The review states a staff decision may leave, and where to (STX-10).
REVIEW_TRANSITIONS = {Photo.Review.HELD: {Photo.Review.APPROVED, Photo.Review.REJECTED}}


def photo_review(*, photo: Photo, approve: bool, reviewer: User, reason: str = "") -> Photo:
    """Record a staff decision on a held photo; a rejection carries the reason shown to the customer.

    Only a photo held for review can be decided on: the update is
    conditional, so two reviewers at once cannot both decide.
    """
    if not approve and not reason.strip():
        raise ValidationError(_("Give the reason the customer will see."), code="reason_required")
    target = Photo.Review.APPROVED if approve else Photo.Review.REJECTED
    sources = [state for state, targets in REVIEW_TRANSITIONS.items() if target in targets]
    updated = Photo.objects.filter(pk=photo.pk, review__in=sources).update(
        review=target, review_reason=reason.strip(), reviewed_by=reviewer
    )
    if not updated:
        current = Photo.objects.filter(pk=photo.pk).values_list("review", flat=True).first()
        if current is None:
            raise ValidationError(_("The photo has been deleted."), code="gone")
        state = Photo.Review(current).label
        raise ValidationError(
            _("Only a photo held for review can be approved or rejected (this one: %(state)s).") % {"state": state},
            code="not_held",
        )
    photo.refresh_from_db(fields=["review", "review_reason", "reviewed_by"])
    return photo


# --- Stored-file upkeep ---------------------------------------------------------------------------


def uploads_abandoned_remove(*, now: datetime.datetime | None = None) -> int:
    """Delete direct uploads never completed: objects under the incoming folder that no photo names,
    older than an upload token (and a margin for completions in flight). Return how many went.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=direct.TOKEN_MAX_AGE) - ABANDON_MARGIN
    storage = storages["default"]
    removed = 0
    for batch in _batches(_stored_before(storage, direct.INCOMING, cutoff), LIST_BATCH):
        named = set(Photo.objects.filter(original__in=batch).values_list("original", flat=True))
        abandoned = [name for name in batch if name not in named]
        if abandoned:
            privacy_files.bulk_delete(storage, abandoned)
            removed += len(abandoned)
    return removed


def _stored_before(storage: Storage, prefix: str, cutoff: datetime.datetime) -> Iterator[str]:
    """Yield the names of files under ``prefix`` last written before ``cutoff``."""
    bucket = getattr(storage, "bucket", None)
    if bucket is not None and hasattr(storage, "_normalize_name"):
        key_prefix = storage._normalize_name(prefix)
        strip = len(key_prefix) - len(prefix)  # the storage's location, if any
        for summary in bucket.objects.filter(Prefix=key_prefix):  # pages of 1,000 keys
            if summary.last_modified < cutoff:
                yield summary.key[strip:]
        return
    if isinstance(storage, FileSystemStorage):
        root = storage.path(prefix)
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                with contextlib.suppress(FileNotFoundError):
                    modified = datetime.datetime.fromtimestamp(os.stat(path).st_mtime, tz=datetime.UTC)
                    if modified < cutoff:
                        yield prefix + os.path.relpath(path, root).replace(os.sep, "/")
        return
    _dirs, names = storage.listdir(prefix)
    for name in names:
        if storage.get_modified_time(prefix + name) < cutoff:
            yield prefix + name


def _batches(names: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for name in names:
        batch.append(name)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _remove_files(names: Iterable[str]) -> None:
    """Remove stored photo files that no row names; if the storage fails, leave them to the sweep.

    Called while another error may be on its way up: that error must not be
    masked, so a failure here is recorded (``PendingFileRemoval``, which the
    retention sweep finishes) and logged instead of raised.
    """
    names = [name for name in names if name]
    if not names:
        return
    try:
        privacy_files.bulk_delete(storages["default"], names)
    except Exception:
        logger.exception("could not remove %s; recorded for the retention sweep", names)
        with contextlib.suppress(Exception):
            privacy_files.record_removals(names)


# --- Albums ---------------------------------------------------------------------------------------


def photo_album_set(*, photo: Photo, album: Album) -> bool:
    """Put one of the owner's photos into one of the owner's albums; return whether it changed.

    A photo is in one album at most, so one in another album moves. Only a
    photo of the album's owner is changed.
    """
    owner = Q(user_id=album.user_id) if album.user_id else Q(user__isnull=True, session_key=album.session_key)
    updated = Photo.objects.filter(owner, pk=photo.pk).exclude(album=album).update(album=album)
    if updated:
        photo.album = album
    return bool(updated)
