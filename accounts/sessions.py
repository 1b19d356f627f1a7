"""Session engine storing sessions in ``accounts.Session`` with their account, read through the cache.

Django's cached_db engine: a request reads its session from the shared cache
and only falls back to the database on a miss; every change is written to
both. A cached copy lives at most ``CACHE_TTL``: a session the retention
sweep deletes (SMP-1: 24 hours after the visit) has long left the cache by
then, and ending an account's sessions (``sessions_end_for``) removes their
cached copies at once.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

CACHE_TTL = 600  # seconds


class SessionStore(CachedDBStore):
    @classmethod
    def get_model_class(cls):
        from accounts.models import Session

        return Session

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        user_id = data.get("_auth_user_id")
        instance.account_id = int(user_id) if user_id and str(user_id).isdigit() else None
        return instance

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # an invalid key on some backends: read the database
            data = None
        if data is None:
            stored = self._get_session_from_db()
            if not stored:
                return {}
            data = self.decode(stored.session_data)
            self._cache.set(self.cache_key, data, min(CACHE_TTL, self.get_expiry_age(expiry=stored.expire_date)))
        return data

    def save(self, must_create: bool = False) -> None:
        super(CachedDBStore, self).save(must_create)  # the database first
        try:
            self._cache.set(self.cache_key, self._session, min(CACHE_TTL, self.get_expiry_age()))
        except Exception:
            logger.exception("Error saving a session to the cache")


def sessions_end_for(account) -> int:
    """End every session of an account: database rows now, cached copies now and after the commit."""
    from django.conf import settings

    from accounts.models import Session

    rows = Session.objects.filter(account=account)
    keys = [KEY_PREFIX + key for key in rows.values_list("session_key", flat=True)]
    ended, _per_model = rows.delete()
    if keys:
        cache = caches[settings.SESSION_CACHE_ALIAS]
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
    return ended
