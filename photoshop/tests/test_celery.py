"""Celery: eager in the embedded default, real workers on Redis when configured."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django_celery_results.models import TaskResult

from conftest import skip_or_fail_without
from photoshop.celery import app, ping
from photoshop.tests.processes import run_python

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def _redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.django_db
def test_eager_task_runs_in_process_and_its_state_is_stored_for_the_admin():
    result = ping.delay("hello")
    assert result.get() == {"value": "hello", "host": socket.gethostname()}
    stored = TaskResult.objects.get(task_id=result.id)
    assert stored.status == "SUCCESS"
    assert stored.task_name == "photoshop.ping"


@pytest.mark.needs_redis
def test_real_worker_on_redis_runs_a_task_and_returns_its_result(tmp_path):
    skip_or_fail_without("Redis", _redis_reachable())
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "photoshop.settings",
        "DJANGO_ENV": "development",  # the celery program defaults to production settings
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "photoshop", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # A separate client, as the web process would be with CELERY_BROKER_URL set.
    client = Celery("photoshop-client", broker=url, backend=url)
    try:
        result = client.send_task("photoshop.ping", args=["from-test"], queue=queue)
        value = result.get(timeout=60)
        assert value["value"] == "from-test"
        assert result.status == "SUCCESS"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
        client.close()
    assert "photoshop.ping" in output


def test_every_task_has_time_limits_and_long_tasks_their_own():
    assert (app.conf.task_soft_time_limit, app.conf.task_time_limit) == (300, 360)
    app.loader.import_default_modules()  # what a worker does at start: autodiscover the apps' tasks
    limits = {name: (app.tasks[name].soft_time_limit, app.tasks[name].time_limit) for name in app.tasks}
    assert limits["photos.process_photo"] == (120, 180)
    assert limits["privacy.retention_sweep"] == (3600, 3660)
    assert limits["photos.strip_locations"] == (3600, 3660)
    assert limits["privacy.clear_expired_sessions"] == (900, 960)
    # Every task the beat schedule starts stops at a limit, its own or the default.
    for entry in app.conf.beat_schedule.values():
        soft, hard = limits[entry["task"]]
        assert (soft or app.conf.task_soft_time_limit) < (hard or app.conf.task_time_limit)


def test_time_limits_come_from_the_environment():
    code = "from photoshop.celery import app; print(app.conf.task_soft_time_limit, app.conf.task_time_limit)"
    result = run_python(["-c", code], DJANGO_ENV="development", CELERY_TASK_SOFT_TIME_LIMIT="30")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["30", "90"]


def test_a_hard_limit_not_above_the_soft_one_stops_with_a_clear_message():
    result = run_python(
        ["-c", "import photoshop.wsgi"],
        DJANGO_ENV="development",
        CELERY_TASK_SOFT_TIME_LIMIT="600",
        CELERY_TASK_TIME_LIMIT="600",
    )
    assert result.returncode != 0
    assert "CELERY_TASK_TIME_LIMIT must be longer than CELERY_TASK_SOFT_TIME_LIMIT" in result.stderr


# Tasks that never finish on their own: one sleeps, one also ignores the soft limit.
HUNG_TASKS = """
import time

from billiard.exceptions import SoftTimeLimitExceeded

from photoshop.celery import app


@app.task(name="test.hang")
def hang():
    time.sleep(600)


@app.task(name="test.hang_through_soft_limit")
def hang_through_soft_limit():
    try:
        time.sleep(600)
    except SoftTimeLimitExceeded:
        time.sleep(600)
"""


@pytest.mark.needs_redis
def test_a_hung_task_is_stopped_at_its_time_limit_and_the_worker_goes_on(tmp_path):
    skip_or_fail_without("Redis", _redis_reachable())
    (tmp_path / "hung_tasks.py").write_text(HUNG_TASKS)
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "photoshop.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
        "CELERY_TASK_SOFT_TIME_LIMIT": "1",
        "CELERY_TASK_TIME_LIMIT": "3",
    }
    # prefork, the worker's default pool: the one that enforces time limits.
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hung_tasks", "worker", "--pool=prefork", "-c", "1", "-Q", queue],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    client = Celery("photoshop-client", broker=url, backend=url)
    try:
        soft = client.send_task("test.hang", queue=queue)
        hard = client.send_task("test.hang_through_soft_limit", queue=queue)
        after = client.send_task("photoshop.ping", args=["still here"], queue=queue)
        assert after.get(timeout=60)["value"] == "still here"
        assert soft.status == "FAILURE"
        assert type(soft.result).__name__ == "SoftTimeLimitExceeded"
        assert hard.status == "FAILURE"
        assert type(hard.result).__name__ == "TimeLimitExceeded"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
        client.close()
    assert "test.hang" in output


def test_every_task_retries_when_the_database_is_gone_for_a_moment():
    """A database restart or failover while a task runs: the task is retried, not lost (bench/scale_out.py)."""
    from django.db.utils import InterfaceError, OperationalError

    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert len(ours) > 10
    for name in ours:
        task = app.tasks[name]
        assert OperationalError in task.autoretry_for, name
        assert InterfaceError in task.autoretry_for, name
        assert task.retry_backoff, name
