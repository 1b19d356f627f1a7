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
from photoshop.celery import ping

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
