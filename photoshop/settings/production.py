"""Production overlay: HTTPS only, secrets required from the environment.

Selected with ``DJANGO_ENV=production``, the default of the wsgi, asgi and
Celery entry points. ``manage.py check --deploy`` is clean with these settings
and a shared cache (``CACHE_URL``).
"""

from django.core.exceptions import ImproperlyConfigured

from photoshop.hosts import AllowedHosts
from photoshop.settings import environment
from photoshop.settings.base import *  # noqa: F403
from photoshop.settings.base import DATABASES, env


def _required(name: str, hint: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set in the environment when DJANGO_ENV=production: {hint} "
            "(gunicorn, uvicorn and Celery run on production settings unless DJANGO_ENV says otherwise; "
            "set DJANGO_ENV=development for a local run.)"
        )
    return value


DEBUG = False
SECRET_KEY = _required(
    "SECRET_KEY",
    "a long random string, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
)
# STX-5: the key of deleted accounts' kept phone hashes (base.py), from this secret key unless set.
PRIVACY_PHONE_HMAC_KEY = env.str("PRIVACY_PHONE_HMAC_KEY", default="") or SECRET_KEY
ALLOWED_HOSTS = AllowedHosts(
    host.strip()
    for host in _required("ALLOWED_HOSTS", "a comma-separated list of the site's host names.").split(",")
    if host.strip()
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=environment.csrf_trusted_origins(ALLOWED_HOSTS))

# Persistent database connections, checked before reuse: opening one per request
# costs more than most pages' own queries.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# Behind the HTTPS proxy every request comes from the proxy's address: rate
# limits (failed logins, sign-ups, password resets) take the client's address
# from the X-Forwarded-For entry the trusted proxy appended, the last one per
# proxy; entries a client wrote itself come before it and are ignored.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
