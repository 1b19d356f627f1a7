"""Run Python in a fresh process with a chosen environment (settings are read once per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
STRONG_KEY = "k3y-" + "x9Q2vLm7Rt5Wz8Np4Ks6" * 3

# Variables of this process that would change which settings a child loads.
INTEGRATION_VARS = [
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_SOFT_TIME_LIMIT",
    "CELERY_TASK_TIME_LIMIT",
    "AWS_STORAGE_BUCKET_NAME",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "CACHE_URL",
    "TRUSTED_PROXY_COUNT",
    "TRUSTED_CLIENT_IP_HEADER",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ENV",
    "DJANGO_DEBUG",
]


def run_python(args: list[str], **env_vars: str) -> subprocess.CompletedProcess:
    """Run ``python *args`` in the project folder with only ``env_vars`` of the integration variables."""
    env = {k: v for k, v in os.environ.items() if k not in INTEGRATION_VARS}
    env.update(env_vars)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def settings_of(*names: str, entry: str = "", **env_vars: str) -> dict:
    """Return the named settings a fresh process loads after importing ``entry`` (django.setup() when empty)."""
    start = f"import {entry}" if entry else "import django; django.setup()"
    code = (
        f"{start}; import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = run_python(["-c", code], **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
