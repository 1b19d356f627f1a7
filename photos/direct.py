"""Direct uploads to S3: the browser posts the bytes to the private bucket with a presigned POST.

The server does not proxy the bytes. It signs a POST limited to one key, a
size range and a content type; when the browser reports the upload,
``services.photo_ingest_direct`` checks the stored object itself (S3
conditions can be missing or, in test doubles such as moto, not enforced)
before accepting it as a photo. Objects under ``INCOMING`` that no photo
names are removed once their token has expired.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import HttpResponse
from django.utils.translation import gettext as _

from photos.selectors import Owner, quota_check
from photos.validation import max_upload_bytes
from photos.visitors import visitor_check

CONTENT_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}
SALT = "photos.direct-upload"
TOKEN_MAX_AGE = 60 * 60
POST_EXPIRES = 10 * 60
INCOMING = "photos/originals/incoming/"


def enabled() -> bool:
    """Whether uploads go straight to S3 (the default storage is an S3 bucket)."""
    return hasattr(storages["default"], "bucket_name")


def bucket_origins() -> list[str]:
    """Return the origins the browser reaches the bucket at: uploads (POST) and signed links (GET).

    Computed the way each upload's and link's URL is (signing is local, no
    request is made), so they follow the bucket, its region and any endpoint.
    """
    storage = storages["default"]
    post = storage.connection.meta.client.generate_presigned_post(Bucket=storage.bucket_name, Key="probe")["url"]
    origins = []
    for url in (post, storage.url("probe")):
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" not in origins:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def allow_bucket(response: HttpResponse) -> HttpResponse:
    """Let a page that uploads or shows photos reach the bucket, under its Content Security Policy."""
    if enabled():
        origins = bucket_origins()
        # django-csp's per-response update: what its csp_update decorator sets, with values known only now.
        response._csp_update = {"connect-src": origins, "img-src": origins}
    return response


def presign(*, owner: Owner, filename: str, size: int, content_type: str, address: str = "") -> dict:
    """Return the URL and form fields for one browser upload, and a token to report it with.

    ``address`` is the client's: a visitor past a visitors' limit is told now, before sending the bytes.
    """
    if content_type not in CONTENT_TYPES:
        raise ValidationError(_("Upload JPEG, PNG, WebP or HEIC photos."), code="unsupported_format")
    if size <= 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_upload_bytes():
        raise ValidationError(_("The file is too large."), code="too_large")
    quota_check(owner=owner, size=size)
    visitor_check(owner=owner, address=address, size=size)
    storage = storages["default"]
    name = f"{INCOMING}{uuid.uuid4().hex}"
    key = storage._normalize_name(name)
    client = storage.connection.meta.client
    post = client.generate_presigned_post(
        Bucket=storage.bucket_name,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", 1, max_upload_bytes()],
        ],
        ExpiresIn=POST_EXPIRES,
    )
    token = signing.dumps(
        {"name": name, "owner": [owner.user_id, owner.session_key], "filename": filename[:255]}, salt=SALT
    )
    return {"url": post["url"], "fields": post["fields"], "token": token}


@dataclass(frozen=True)
class DirectUpload:
    """An object a browser was allowed to store: where, and the file name it came with."""

    name: str
    filename: str


def read_token(*, token: str, owner: Owner) -> DirectUpload:
    """Return what an upload token names, or raise ValidationError if it is forged, expired or someone else's."""
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as exc:
        message = _("This upload link is invalid or has expired; upload the photo again.")
        raise ValidationError(message, code="token") from exc
    if data["owner"] != [owner.user_id, owner.session_key]:
        raise ValidationError(_("This upload belongs to someone else."), code="owner")
    return DirectUpload(name=data["name"], filename=data["filename"])
