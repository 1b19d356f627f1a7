"""Background work of the promotions app."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from photoshop.celery import TRANSIENT_ERRORS
from promotions.models import Campaign
from promotions.services import code_reminder_deliver, code_reminders_send_due, codes_generate


@shared_task(bind=True, time_limit=15 * 60)
def generate_codes(self, campaign_id: int, count: int, max_uses: int = 1) -> int:
    """Generate codes for a campaign; the task's state shows how many are done so far."""
    campaign = Campaign.objects.get(pk=campaign_id)
    done = 0

    def progress(batch: int) -> None:
        nonlocal done
        done += batch
        if not self.request.called_directly and self.request.id:
            self.update_state(state="PROGRESS", meta={"done": done, "total": count})

    return codes_generate(campaign=campaign, count=count, max_uses=max_uses, on_progress=progress)


@shared_task(name="promotions.send_code_reminders")
def send_code_reminders() -> int:
    """Queue the reminders of codes left in carts whose campaign ends within 3 days (STX-7)."""
    return code_reminders_send_due()


@shared_task(
    name="promotions.send_code_reminder",
    autoretry_for=(SMTPException, OSError, *TRANSIENT_ERRORS),
    retry_backoff=True,
    max_retries=5,
)
def send_code_reminder(redemption_id: int) -> bool:
    """Send one code's reminder (it is already marked reminded)."""
    return code_reminder_deliver(redemption_id=redemption_id)
