"""Test overlay: fast hashing, in-memory e-mail, media in a temporary folder."""

import tempfile
from pathlib import Path

from photoshop.settings.base import *  # noqa: F403
from photoshop.settings.base import STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
_media = tempfile.mkdtemp(prefix="photoshop-test-media-")
# Static files come from the finders; whitenoise wants its root to exist.
STATIC_ROOT = Path(_media) / "static"
STATIC_ROOT.mkdir()
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": f"{_media}/media"}},
    "archive": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": f"{_media}/archive"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_BROKER_URL = "memory://localhost/"  # eager: never connects
CELERY_TASK_ALWAYS_EAGER = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the live server's threads (browser tests) then each have
    # their own connection, and WAL lets them write one after another, as in production.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(_media) / "test.sqlite3")}
