"""Production overlay: HTTPS only, secrets required from the environment.

Selected with ``DJANGO_ENV=production``. ``manage.py check --deploy`` is clean
with these settings.
"""

from django.core.exceptions import ImproperlyConfigured

from photoshop.settings.base import *  # noqa: F403
from photoshop.settings.base import env


def _required(name: str, hint: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment when DJANGO_ENV=production: {hint}")
    return value


DEBUG = False
SECRET_KEY = _required(
    "SECRET_KEY",
    "a long random string, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
)
ALLOWED_HOSTS = _required("ALLOWED_HOSTS", "a comma-separated list of the site's host names.").split(",")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"https://{host}" for host in ALLOWED_HOSTS])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
