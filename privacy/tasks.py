from celery import shared_task
from django.core.management import call_command

from privacy.sweep import run_sweep


@shared_task(name="privacy.retention_sweep")
def retention_sweep() -> dict:
    """Apply the retention schedule (daily, from the beat schedule); return the per-rule counts."""
    run = run_sweep()
    return {"run_id": str(run.id), "rules": run.counts}


@shared_task(name="privacy.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Remove sessions past their expiry date (Django's clearsessions)."""
    call_command("clearsessions")
