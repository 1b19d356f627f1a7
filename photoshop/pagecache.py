"""A signed-in customer's own pages, kept rendered until anything they show may have changed.

The cart, the gallery, the order history and the profile page are rendered
for one account and read far more often than that account's data changes.
``cached_per_account`` keeps such a page in the shared cache; it is served
again only while nothing it could show has changed. Nothing has changed
while two stamps are the same as when the page was kept:

- the account's stamp, renewed by every write made for that account
  (``writes_for``: the services that write one account's data say so);
- the shop's stamp, renewed by every other write to the database, whoever
  makes it (staff in the admin, the retention sweep, a webhook, a raw SQL
  statement, another process), except to the few tables that no page shows
  (``UNSHOWN_TABLES``).

Every statement that writes goes through ``_watch`` (a database execute
wrapper on every connection of every process), so a write cannot change the
data without renewing a stamp: a write we forgot to attribute costs a page
render for everyone, never a stale page. The stamps are renewed when the
statement runs and again after its transaction commits: a page rendered from
the data before the commit and kept under the stamp renewed at the statement
is never served, because the stamp changes again at the commit.

The page's key holds everything else its content depends on: the absolute
URL (site, prefix, language, query), the request's cookies (session, CSRF
secret, consent, language), the session's data, the catalogue's version,
the code's release and the day. A page is kept only if the view answered 200,
set no cookie and left the session as it was; a request carrying messages is
never served from or kept in the cache.

Kept pages name the customer: they live ``TIMEOUT`` seconds at most, as long
as a cached session (``accounts.sessions``), and ``forget`` renews the
account's stamp when an account is closed or erased, so nothing kept is
served again.
"""

from __future__ import annotations

import contextlib
import contextvars
import fnmatch
import functools
import hashlib
import json
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from photoshop.context_processors import request_csrf_token

logger = logging.getLogger(__name__)

TIMEOUT = 600  # seconds a kept page may be served, at most
STAMP_TIMEOUT = 86_400  # an expired stamp is made anew: pages kept under the old one are not served
SHOP_KEY = "pagecache:shop"
PREFIX = "pagecache:"

# Tables whose rows no cached page shows: writing them renews no stamp. A test
# checks that no cached page reads any of them.
UNSHOWN_TABLES = frozenset(
    {
        "accounts_session",  # the session's data is part of the page's key
        "django_session",
        "photoshop_outboxmessage",  # tasks waiting for the broker
        "django_celery_results_taskresult",
        "django_celery_results_groupresult",
        "django_celery_results_chordcounter",
        "privacy_accesslogentry",  # staff reads of personal data (PIX-9)
        "promotions_portalaction",  # sponsors' portal views (PIX-2)
        "django_admin_log",  # written beside an admin change, which renews the stamps itself
    }
)

# Statements that only read or steer a transaction; any other statement counts as a write.
_READ = re.compile(
    r"\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|PRAGMA|SET|SHOW|EXPLAIN|DECLARE|FETCH|CLOSE)\b", re.I
)
_TABLE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.I)
# Database functions that write (PostgreSQL, promotions/migrations/0004): a call is a write like an UPDATE.
WRITING_FUNCTIONS = ("promotions_redeem",)

_ANYONE = object()  # writes not attributed to one account (the default)
_account: contextvars.ContextVar[object] = contextvars.ContextVar("pagecache_account", default=_ANYONE)


# ---------------------------------------------------------------- stamps


def _account_key(account_id: int) -> str:
    return f"{PREFIX}account:{account_id}"


def _renew(key: str) -> None:
    try:
        cache.set(key, secrets.token_hex(8), timeout=STAMP_TIMEOUT)
    except Exception:  # a cache outage must not fail the write; pages are not read from it either
        logger.warning("Kept pages' stamps not renewed: the cache did not answer", exc_info=True)


class _RenewAfterCommit(functools.partial):
    """``_renew`` for one key, recognisable among a transaction's on-commit callbacks."""


def _renew_for_write(key: str, connection) -> None:
    """Renew a stamp for a statement that wrote: now, and once more when its transaction commits.

    Outside a transaction the statement has committed already: once is enough.
    Inside one, the renewal after the commit is what keeps a page rendered
    from the data before the commit from being served; the renewal now lets
    the transaction's own reads (and tests, which never commit) see the change.
    """
    _renew(key)
    if not connection.in_atomic_block:
        return
    if any(isinstance(f, _RenewAfterCommit) and f.args == (key,) for _s, f, _r in connection.run_on_commit):
        return  # one renewal per key and transaction
    with contextlib.suppress(Exception):  # a broken transaction: its rollback changes nothing
        transaction.on_commit(_RenewAfterCommit(_renew, key), using=connection.alias)


def forget_all() -> None:
    """Serve no kept page again: every page is rendered anew (after changing data outside Django)."""
    _renew(SHOP_KEY)


def forget(account_id: int) -> None:
    """Serve none of the account's kept pages again and delete them (its account closed or erased)."""
    _renew(_account_key(account_id))
    pattern = f"{PREFIX}page:{account_id}:*"
    try:
        if hasattr(cache, "delete_matching"):  # photoshop.cache.RedisCache
            cache.delete_matching(pattern)
        elif isinstance(getattr(cache, "_cache", None), dict):
            # Django's local-memory cache (the embedded default, tests)
            wanted = cache.make_key(pattern)
            with cache._lock:
                for key in [key for key in cache._cache if fnmatch.fnmatchcase(key, wanted)]:
                    cache._delete(key)
    except Exception:  # unreachable already (the stamp); they expire within TIMEOUT
        logger.warning("Kept pages of an account not deleted: the cache did not answer", exc_info=True)


@contextlib.contextmanager
def writes_for(account_id: int | None) -> Iterator[None]:
    """Attribute the block's writes to one account's own rows: only that account's kept pages are renewed.

    ``None`` is a visitor without an account, whose own rows no kept page
    shows. Only writes to tables whose rows each belong to one account
    (``owned_tables``) are attributed; a write to any other table in the
    block (a campaign's counts, a code) still renews every account's pages.
    """
    token = _account.set(account_id)
    try:
        yield
    finally:
        _account.reset(token)


@functools.lru_cache(maxsize=1)
def owned_tables() -> frozenset[str]:
    """Tables whose every row belongs to one account: those the privacy registry ties to a user."""
    from django.apps import apps

    from privacy.registry import registry

    tables = {apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table}
    for entry in registry.entries():
        if entry.subject:
            tables.add(apps.get_model(entry.model)._meta.db_table)
    return frozenset(tables)


def written_table(sql: str) -> tuple[bool, str | None]:
    """Whether a statement writes, and the table it writes when one is named (None: a function, DDL, ...)."""
    if _READ.match(sql):
        return any(name in sql for name in WRITING_FUNCTIONS), None
    table = _TABLE.match(sql)
    return True, table.group(1).lower() if table else None


def writes(sql: str) -> bool:
    """Whether a statement may change what a page shows: anything but a read, and not only unshown tables."""
    return _shown_write(sql)[0]


def _shown_write(sql: str) -> tuple[bool, str | None]:
    wrote, table = written_table(sql)
    return wrote and table not in UNSHOWN_TABLES, table


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    shown, table = _shown_write(sql) if isinstance(sql, str) else (False, None)
    if shown:
        account = _account.get()
        if account is _ANYONE or table not in owned_tables():
            _renew_for_write(SHOP_KEY, context["connection"])
        elif account is not None:  # None: a visitor's own rows
            _renew_for_write(_account_key(account), context["connection"])
    return result


def install(sender=None, connection=None, **kwargs) -> None:
    """Watch every statement of a database connection (connected to ``connection_created``)."""
    if connection is not None and _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def _settings_changed(**kwargs) -> None:
    release.cache_clear()


def connect_signals() -> None:
    from django.core.signals import setting_changed

    setting_changed.connect(_settings_changed, dispatch_uid="photoshop.pagecache.settings")
    connection_created.connect(install, dispatch_uid="photoshop.pagecache.install")
    from django.db import connections

    for alias in connections:  # connections opened before the app was ready
        install(connection=connections[alias])


# ---------------------------------------------------------------- pages


RELEASE_FILES = frozenset({".py", ".html", ".mo", ".css", ".js", ".svg"})  # what a page's markup comes from


@functools.lru_cache(maxsize=1)
def release() -> str:
    """A token for what renders pages: the code (the RELEASE setting, or the project's files) and the settings.

    The settings count too: a page may say what they say (the retention
    preset on the privacy policy page).
    """
    import django

    configured = [
        (name, json.dumps(getattr(settings, name, None), sort_keys=True, default=str)) for name in dir(settings)
    ]
    digest = hashlib.blake2b(django.__version__.encode(), digest_size=8)
    digest.update((getattr(settings, "RELEASE", "") or _project_files()).encode())
    digest.update(repr([item for item in configured if item[0].isupper()]).encode())
    return digest.hexdigest()


def _project_files() -> str:
    """The project's own files that make pages (code, templates, translations, static), with sizes and times."""
    from django.apps import apps

    base = Path(settings.BASE_DIR).resolve()
    roots = {base / "templates", base / "locale", base / "static"}
    for app in apps.get_app_configs():
        path = Path(app.path).resolve()
        if path.is_relative_to(base) and "site-packages" not in path.parts:
            roots.add(path)
    found = []
    for root in roots:
        for folder, folders, files in os.walk(root):
            folders[:] = [name for name in folders if name not in {"tests", "__pycache__", "migrations"}]
            for name in files:
                if Path(name).suffix in RELEASE_FILES:
                    stat = os.stat(os.path.join(folder, name))
                    found.append(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns};")
    return "".join(sorted(found))


def _session_data(request: HttpRequest) -> str:
    session = request.session
    session._get_session()
    return json.dumps(session._session, sort_keys=True, default=str)


def _page_key(request: HttpRequest, who: str, *varies: str, cookies: dict[str, str]) -> str:
    from orders.selectors.catalogue import catalogue_version

    parts = [
        request.build_absolute_uri(),
        get_language() or "",
        json.dumps(sorted(cookies.items())),
        *varies,
        catalogue_version(),
        release(),
        timezone.localdate().isoformat(),
    ]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    return f"{PREFIX}page:{who}:{digest}"


def _carries_messages(request: HttpRequest) -> bool:
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.contrib.messages.storage.session import SessionStorage

    return CookieStorage.cookie_name in request.COOKIES or SessionStorage.session_key in request.session


def _stamps_or_none(keys: list[str]) -> dict[str, str] | None:
    """Return the current stamps, making missing ones; None when the cache cannot answer."""
    try:
        found = cache.get_many(keys)
        missing = [key for key in keys if key not in found]
        for key in missing:
            cache.add(key, secrets.token_hex(8), timeout=STAMP_TIMEOUT)
        if missing:
            found.update(cache.get_many(missing))
    except Exception:
        return None
    return found if all(key in found for key in keys) else None


def enabled() -> bool:
    """Whether pages are kept: the cache must be the one every process writes to (or tasks run in this one)."""
    from photoshop.checks import PER_PROCESS_CACHES

    shared = settings.CACHES["default"]["BACKEND"] not in PER_PROCESS_CACHES
    return shared or bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def _kept(page_key: str, stamp_keys: list[str]) -> HttpResponse | None:
    """Return the page kept under ``page_key`` if the stamps are still those it was kept under."""
    try:
        found = cache.get_many([page_key, *stamp_keys])
    except Exception:  # no cache: render
        return None
    kept = found.get(page_key)
    if kept is None or any(found.get(key) is None for key in stamp_keys):
        return None
    stamps, response = kept
    return response if stamps == tuple(found[key] for key in stamp_keys) else None


def _keep(page_key: str, stamps: dict[str, str] | None, stamp_keys: list[str], response: HttpResponse) -> None:
    """Keep a page the view answered, under the stamps read before it ran."""
    if stamps is not None and response.status_code == 200 and not response.streaming and not response.cookies:
        with contextlib.suppress(Exception):
            cache.set(page_key, (tuple(stamps[key] for key in stamp_keys), response), timeout=TIMEOUT)


def cached_per_account(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a signed-in customer's GET of this page from the cache while nothing it shows has changed."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.method != "GET"
            or user is None
            or not user.is_authenticated
            or _carries_messages(request)
            or not enabled()
        ):
            return view(request, *args, **kwargs)
        session_data = _session_data(request)
        page_key = _page_key(request, str(user.pk), session_data, cookies=request.COOKIES)
        stamp_keys = [_account_key(user.pk), SHOP_KEY]
        kept = _kept(page_key, stamp_keys)
        if kept is not None:
            return kept
        # Read the stamps before the data: a write after this renews them, and the page kept below is not served.
        stamps = _stamps_or_none(stamp_keys)
        response = view(request, *args, **kwargs)
        if not request.session.modified and _session_data(request) == session_data:
            _keep(page_key, stamps, stamp_keys, response)
        return response

    return wrapper


# A visitor's page is kept with this in place of the CSRF token, and each request fills in its own.
CSRF_PLACEHOLDER = "__pagecache_csrf_token__"


def cached_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a visitor's GET of this page from the cache while the shop's data has not changed.

    For visitors without a session (no cart, no uploads, not signed in): the
    page shows nothing of anyone, only the shop's data (catalogue, policies,
    sites), so the shop's stamp is the only one. Its forms carry a CSRF token
    made for each request: the page is kept with a placeholder that each
    request fills in with its own token (and the CSRF cookie is set as usual).
    A view that asks Django's ``get_token`` itself, or touches the session,
    is not kept.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if (
            request.method != "GET"
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or _carries_messages(request)
            or not enabled()
        ):
            return view(request, *args, **kwargs)
        cookies = {name: value for name, value in request.COOKIES.items() if name != settings.CSRF_COOKIE_NAME}
        page_key = _page_key(request, "visitor", cookies=cookies)
        stamp_keys = [SHOP_KEY]
        response = _kept(page_key, stamp_keys)
        if response is None:
            stamps = _stamps_or_none(stamp_keys)
            token_asked = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            request._photoshop_csrf_token = CSRF_PLACEHOLDER
            try:
                response = view(request, *args, **kwargs)
                if callable(getattr(response, "render", None)) and not response.is_rendered:
                    response.render()  # a TemplateResponse (allauth's pages): rendered with the placeholder
            finally:
                del request._photoshop_csrf_token
            if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") == token_asked and not request.session.modified:
                _keep(page_key, stamps, stamp_keys, response)
        if not response.streaming and CSRF_PLACEHOLDER.encode() in response.content:
            token = request_csrf_token(request)
            response.content = response.content.replace(CSRF_PLACEHOLDER.encode(), token.encode())
        return response

    return wrapper
