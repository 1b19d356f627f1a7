from celery import shared_task
from django.core.management import call_command

from privacy.sweep import SweepLocked, run_sweep


@shared_task(name="privacy.retention_sweep")
def retention_sweep() -> dict:
    """Apply the retention schedule (every PRIVACY_SWEEP_INTERVAL_MINUTES); return the per-rule counts.

    A sweep still running from the last beat finishes the work; this one steps aside.
    It first publishes the policy in force if it changed (a deploy with a new
    schedule): cookie choices made under the earlier version are asked again.
    """
    from privacy.policy import current_version

    current_version()
    try:
        run = run_sweep()
    except SweepLocked as exc:
        return {"skipped": str(exc)}
    return {"run_id": str(run.id), "rules": run.counts}


@shared_task(name="privacy.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Remove sessions past their expiry date (Django's clearsessions)."""
    call_command("clearsessions")


@shared_task(name="privacy.build_export")
def build_export(export_id: str) -> bool:
    """Build a person's data export (SMP-13) into private storage and e-mail them the link."""
    from privacy.services import export_build

    return export_build(export_id=export_id)


@shared_task(name="privacy.remove_expired_exports")
def remove_expired_exports() -> int:
    """Remove the files of data exports older than 7 days."""
    from privacy.services import exports_remove_expired

    return exports_remove_expired()


@shared_task(name="privacy.send_retention_notices")
def send_retention_notices() -> dict:
    """Record and send the notices before the schedule ends an account or photos (once per deadline)."""
    from privacy.notices import retention_notices_plan, retention_notices_send

    return {"planned": retention_notices_plan(), "sent": retention_notices_send()}


@shared_task(name="privacy.notify_breach", bind=True)
def notify_breach(self, breach_id: int) -> int:
    """Tell every person a breach concerns (SMP-12); the task's progress shows in the admin's task results."""
    from privacy.breaches import breach_send_notices

    def progress(sent: int) -> None:
        if self.request.id and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"sent": sent})

    return breach_send_notices(breach_id=breach_id, progress=progress)


@shared_task(name="privacy.close_unconfirmed_requests")
def close_unconfirmed_requests() -> int:
    """Close privacy requests whose confirmation link expired unused (they then follow MYS-2's retention)."""
    from privacy.dsar import requests_close_unconfirmed

    return requests_close_unconfirmed()
