"""The Celery application: configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photoshop.settings")

app = Celery("photoshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="photoshop.ping")
def ping(value: str = "pong") -> dict:
    """Answer with the value and the worker's host name (health check)."""
    import socket

    return {"value": value, "host": socket.gethostname()}
