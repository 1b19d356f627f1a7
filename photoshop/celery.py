"""The Celery application: configured from Django settings (``CELERY_*``)."""

import os
import sys
from pathlib import Path

from celery import Celery, Task
from django.db.utils import InterfaceError, OperationalError


def _started_by_celery() -> bool:
    """Return whether this process is the celery program (``celery -A photoshop worker``/``beat``)."""
    main_spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return Path(sys.argv[0]).name == "celery" or (main_spec is not None and main_spec.name == "celery.__main__")


# Workers, beat and servers (photoshop/__init__.py imports this module first)
# run on production settings unless DJANGO_ENV says otherwise. manage.py and
# pytest choose their settings before they import this and keep their defaults.
if _started_by_celery() or "DJANGO_SETTINGS_MODULE" not in os.environ:
    os.environ.setdefault("DJANGO_ENV", "production")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photoshop.settings")

# The database gone for a moment (a restart, a failover): a task retries instead of being lost.
# Tasks with their own ``autoretry_for`` add these (``TRANSIENT_ERRORS``); every task is
# written to be repeatable (it checks the state it acts on first).
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class RetryingTask(Task):
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = True
    retry_backoff_max = 120
    max_retries = 8


app = Celery("photoshop", task_cls=RetryingTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="photoshop.ping")
def ping(value: str = "pong") -> dict:
    """Answer with the value and the worker's host name (health check)."""
    import socket

    return {"value": value, "host": socket.gethostname()}
