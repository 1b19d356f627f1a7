"""Settings from the environment: embedded default, PostgreSQL, S3, social login, production."""

import re

import environ
import pytest

from photoshop.settings import environment
from photoshop.tests.processes import ROOT, STRONG_KEY, run_python, settings_of


def _settings(*names: str, **env_vars: str) -> dict:
    return settings_of(*names, DJANGO_SETTINGS_MODULE="photoshop.settings", **env_vars)


def _env(monkeypatch, **values: str) -> environ.Env:
    for name in ["AWS_STORAGE_BUCKET_NAME", "GOOGLE_CLIENT_ID", "GOOGLE_SECRET", "FACEBOOK_CLIENT_ID"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return environ.Env()


def test_embedded_default_is_sqlite_local_media_and_eager_tasks():
    found = _settings("DATABASES", "CELERY_TASK_ALWAYS_EAGER", "STORAGES", "DEBUG")
    assert found["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert found["DATABASES"]["default"]["NAME"] == str(ROOT / "db.sqlite3")
    assert found["CELERY_TASK_ALWAYS_EAGER"] is True
    assert found["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_database_url_and_broker_switch_to_postgresql_and_real_workers():
    found = _settings(
        "DATABASES",
        "CELERY_TASK_ALWAYS_EAGER",
        "CELERY_BROKER_URL",
        DATABASE_URL="postgres://shop:pw@db.internal:5432/shop",
        CELERY_BROKER_URL="redis://redis.internal:6379/0",
    )
    assert found["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert found["DATABASES"]["default"]["NAME"] == "shop"
    assert found["CELERY_TASK_ALWAYS_EAGER"] is False
    assert found["CELERY_BROKER_URL"] == "redis://redis.internal:6379/0"


def test_s3_storage_is_private_with_short_lived_signed_urls(monkeypatch):
    env = _env(
        monkeypatch,
        AWS_STORAGE_BUCKET_NAME="shop-media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_S3_REGION_NAME="eu-west-1",
        AWS_ARCHIVE_BUCKET_NAME="shop-archive",
    )
    storages = environment.storages(env, ROOT)
    default = storages["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "shop-media"
    assert default["OPTIONS"]["default_acl"] is None
    assert default["OPTIONS"]["querystring_auth"] is True
    assert default["OPTIONS"]["querystring_expire"] <= 600
    archive = storages["archive"]["OPTIONS"]
    assert archive["bucket_name"] == "shop-archive"
    assert archive["object_parameters"]["StorageClass"] == "GLACIER_IR"


def test_archive_defaults_to_a_cold_prefix_of_the_same_bucket(monkeypatch):
    env = _env(monkeypatch, AWS_STORAGE_BUCKET_NAME="shop-media")
    archive = environment.storages(env, ROOT)["archive"]["OPTIONS"]
    assert (archive["bucket_name"], archive["location"]) == ("shop-media", "archive")


def test_local_storage_without_s3(monkeypatch):
    storages = environment.storages(_env(monkeypatch), ROOT)
    assert storages["default"]["OPTIONS"]["location"] == str(ROOT / "media")
    assert storages["archive"]["OPTIONS"]["location"] == str(ROOT / "archive")


def test_social_providers_only_with_keys(monkeypatch):
    assert environment.social_providers(_env(monkeypatch)) == {}
    env = _env(monkeypatch, GOOGLE_CLIENT_ID="gid", GOOGLE_SECRET="gsecret", FACEBOOK_CLIENT_ID="only-half")
    providers = environment.social_providers(env)
    assert list(providers) == ["google"]
    assert providers["google"]["APPS"][0]["client_id"] == "gid"
    assert environment.social_form_actions(providers) == ["https://accounts.google.com"]


def test_production_without_secret_key_stops_with_a_clear_message():
    result = run_python(["manage.py", "check", "--deploy"], DJANGO_ENV="production", ALLOWED_HOSTS="shop.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment when DJANGO_ENV=production" in result.stderr


def test_production_without_allowed_hosts_stops_with_a_clear_message():
    result = run_python(["manage.py", "check", "--deploy"], DJANGO_ENV="production", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_check_deploy_is_clean():
    result = run_python(
        ["manage.py", "check", "--deploy"],
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="shop.example,www.shop.example",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    reported = set(re.findall(r"\((\w+\.[CEWI]\d+)\)", result.stdout + result.stderr))
    # The only message allowed is the privacy engine's list of retention rules
    # whose apps (orders, photos, ...) are not built yet.
    assert reported <= {"privacy.W001"}, result.stdout + result.stderr


@pytest.mark.django_db
def test_content_security_policy_and_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# Entry points: servers and workers run on production settings unless DJANGO_ENV says otherwise.
SERVER_ENTRIES = {
    "wsgi": ["-c", "import photoshop.wsgi"],
    "asgi": ["-c", "import photoshop.asgi"],
    "celery": ["-m", "celery", "-A", "photoshop", "report"],
}
MISSING_KEY = "SECRET_KEY must be set in the environment when DJANGO_ENV=production"


@pytest.mark.parametrize("entry", SERVER_ENTRIES)
def test_server_and_worker_without_django_env_stop_on_the_missing_secret_key(entry):
    result = run_python(SERVER_ENTRIES[entry], ALLOWED_HOSTS="shop.example")
    assert result.returncode != 0
    assert MISSING_KEY in result.stderr


@pytest.mark.parametrize("entry", SERVER_ENTRIES)
def test_server_and_worker_with_the_settings_module_named_still_default_to_production(entry):
    result = run_python(SERVER_ENTRIES[entry], DJANGO_SETTINGS_MODULE="photoshop.settings")
    assert result.returncode != 0
    assert MISSING_KEY in result.stderr


@pytest.mark.parametrize("entry", ["photoshop.wsgi", "photoshop.asgi", "photoshop.celery"])
def test_server_and_worker_with_secrets_set_load_production_settings(entry):
    found = settings_of(
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "ALLOWED_HOSTS",
        entry=entry,
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="shop.example, www.shop.example",
    )
    assert found == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "ALLOWED_HOSTS": ["shop.example", "www.shop.example"],
    }


def test_celery_worker_program_loads_production_settings():
    result = run_python(
        ["-m", "celery", "-A", "photoshop", "report"], SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="shop.example"
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"^DEBUG: False$", result.stdout, re.MULTILINE), result.stdout


def test_django_env_development_still_runs_a_server_on_development_settings():
    found = settings_of("DEBUG", "SECRET_KEY", entry="photoshop.wsgi", DJANGO_ENV="development")
    assert found["DEBUG"] is True


def test_manage_py_keeps_the_development_default():
    result = run_python(["manage.py", "shell", "-c", "from django.conf import settings; print(settings.DEBUG)"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_production_without_a_shared_cache_fails_check_deploy():
    result = run_python(
        ["manage.py", "check", "--deploy"],
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="shop.example",
    )
    assert result.returncode != 0
    assert "(photoshop.E001)" in result.stderr
    assert "CACHE_URL" in result.stderr


def test_production_with_cache_url_uses_redis_and_trusts_one_proxy():
    found = _settings(
        "CACHES",
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="shop.example",
        CACHE_URL="redis://redis.internal:6379/1",
    )
    assert found["CACHES"]["default"]["BACKEND"] == "photoshop.cache.RedisCache"  # Django's, one client per pool
    assert found["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1


def test_production_csrf_origins_cover_the_microsites_of_a_wildcard_host():
    found = _settings(
        "CSRF_TRUSTED_ORIGINS",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS=".shop.example,www.other.example",
    )
    assert found["CSRF_TRUSTED_ORIGINS"] == ["https://*.shop.example", "https://www.other.example"]


def test_csrf_trusted_origins_leave_out_the_catch_all_host():
    assert environment.csrf_trusted_origins(["*", " shop.example", ""]) == ["https://shop.example"]


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["https://kerst.shop.example", "https://shop.example"])
def test_a_form_posted_from_a_microsite_passes_the_csrf_check(settings, origin):
    from django.test import Client

    settings.ALLOWED_HOSTS = [".shop.example"]
    settings.CSRF_TRUSTED_ORIGINS = environment.csrf_trusted_origins(settings.ALLOWED_HOSTS)
    client = Client(enforce_csrf_checks=True, HTTP_HOST="www.shop.example")
    client.get("/en/accounts/login/", secure=True)
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/en/accounts/login/",
        {"login": "nobody@example.com", "password": "not-the-password", "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_ORIGIN=origin,
    )
    assert response.status_code == 200  # the login form again, with its error: not a CSRF refusal (403)
    assert response.context["form"].errors


@pytest.mark.django_db
def test_a_form_posted_from_another_site_is_still_refused(settings):
    from django.test import Client

    settings.ALLOWED_HOSTS = [".shop.example"]
    settings.CSRF_TRUSTED_ORIGINS = environment.csrf_trusted_origins(settings.ALLOWED_HOSTS)
    client = Client(enforce_csrf_checks=True, HTTP_HOST="www.shop.example")
    client.get("/en/accounts/login/", secure=True)
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/en/accounts/login/",
        {"login": "nobody@example.com", "password": "x", "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_ORIGIN="https://shop.example.evil.example",
    )
    assert response.status_code == 403


def test_production_cookies_are_secure_and_http_only_and_hsts_is_a_year_with_subdomains():
    found = settings_of(
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        entry="photoshop.wsgi",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="shop.example",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    assert found["SESSION_COOKIE_SECURE"]
    assert found["SESSION_COOKIE_HTTPONLY"]
    assert found["CSRF_COOKIE_SECURE"]
    assert found["LANGUAGE_COOKIE_SECURE"]
    assert found["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert found["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert found["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.django_db
def test_no_page_allows_inline_or_evaluated_scripts(client, user):
    client.force_login(user)
    for path in ("/", "/en/shop/", "/en/photos/", "/en/shop/cart/", "/en/accounts/profile/", "/en/privacy/"):
        csp = client.get(path).headers["Content-Security-Policy"]
        script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src, (path, script_src)
        assert "'unsafe-eval'" not in csp, (path, csp)
