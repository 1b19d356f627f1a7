"""Background work of the promotions app."""

from __future__ import annotations

from celery import shared_task

from promotions.models import Campaign
from promotions.services import codes_generate


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
