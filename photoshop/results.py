"""The task-state store in the admin (django-celery-results), waiting out a database restart instead of losing tasks.

A worker writes a task's state to the database before and after running it.
With the database gone for a moment, that write failed outside the task's
body and Celery dropped the task (an order's e-mail, a photo's processing:
``bench/scale_out.py --restart-database``). django-celery-results retries
only ``InterfaceError``; this backend retries the connection errors of a
restart too, on a fresh connection, with Celery's backoff
(``result_backend_always_retry``).
"""

from __future__ import annotations

from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django_celery_results.backends.database import DatabaseBackend


class RetryingDatabaseBackend(DatabaseBackend):
    def exception_safe_to_retry(self, exc: BaseException) -> bool:
        if isinstance(exc, InterfaceError | OperationalError):
            connection.close()  # the next try opens a new one
            return True
        return super().exception_safe_to_retry(exc)
