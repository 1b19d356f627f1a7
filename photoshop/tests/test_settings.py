"""Settings from the environment: embedded default, PostgreSQL, S3, social login, production."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import environ
import pytest

from photoshop.settings import environment

ROOT = Path(__file__).resolve().parent.parent.parent
STRONG_KEY = "k3y-" + "x9Q2vLm7Rt5Wz8Np4Ks6" * 3

INTEGRATION_VARS = [
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "AWS_STORAGE_BUCKET_NAME",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ENV",
    "DJANGO_DEBUG",
]


def _run(args: list[str], **env_vars: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in INTEGRATION_VARS}
    env.update(env_vars)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _settings(*names: str, **env_vars: str) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = _run(["-c", code], DJANGO_SETTINGS_MODULE="photoshop.settings", **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


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
    result = _run(["manage.py", "check", "--deploy"], DJANGO_ENV="production", ALLOWED_HOSTS="shop.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment when DJANGO_ENV=production" in result.stderr


def test_production_without_allowed_hosts_stops_with_a_clear_message():
    result = _run(["manage.py", "check", "--deploy"], DJANGO_ENV="production", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_check_deploy_is_clean():
    result = _run(
        ["manage.py", "check", "--deploy"],
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="shop.example,www.shop.example",
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
