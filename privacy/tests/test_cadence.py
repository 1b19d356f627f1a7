"""Hour-based promises hold at any time of day: the sweep runs every few minutes and never acts late.

STX-4 promises a closed account is handled within 48 hours, SMP-1 a visitor's
data within the visit plus 24 hours. With the sweep run on the beat's
schedule, the worst case (closed a minute after a sweep) is still on time.
"""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings

from accounts.models import Session, User
from accounts.tests.factories import UserFactory
from privacy.sweep import run_sweep

CLOSED = datetime.datetime(2026, 4, 7, 3, 16, 0, tzinfo=datetime.UTC)  # a minute after a daily 03:15 run


def beat_ticks(start: datetime.datetime, end: datetime.datetime, minutes: int):
    """Yield the moments the beat schedule starts a sweep between two moments."""
    tick = start.replace(minute=start.minute - start.minute % minutes, second=0, microsecond=0)
    while tick <= end:
        if tick >= start:
            yield tick
        tick += datetime.timedelta(minutes=minutes)


def sweep_on_the_beat(start, end, minutes):
    for tick in beat_ticks(start, end, minutes):
        with time_machine.travel(tick, tick=False):
            run_sweep()


@pytest.mark.django_db
@pytest.mark.parametrize("minutes", [15, 60])
def test_stx4_closed_account_handled_within_48_hours_whatever_the_time_of_closing(minutes):
    deadline = CLOSED + datetime.timedelta(hours=48)
    with override_settings(PRIVACY_SWEEP_INTERVAL_MINUTES=minutes):
        user = UserFactory(closed_at=CLOSED, last_activity=CLOSED)
        sweep_on_the_beat(deadline - datetime.timedelta(hours=3), deadline, minutes)
    user.refresh_from_db()
    assert user.anonymised_at is not None
    assert user.anonymised_at <= deadline


@pytest.mark.django_db
def test_stx4_not_handled_more_than_one_interval_early():
    deadline = CLOSED + datetime.timedelta(hours=48)
    user = UserFactory(closed_at=CLOSED, last_activity=CLOSED)
    with time_machine.travel(deadline - datetime.timedelta(minutes=16), tick=False):
        run_sweep()
    user.refresh_from_db()
    assert user.anonymised_at is None


@pytest.mark.django_db
def test_smp1_visitor_session_gone_within_24_hours_of_the_visit():
    visit = datetime.datetime(2026, 4, 7, 23, 59, tzinfo=datetime.UTC)
    with time_machine.travel(visit, tick=False):
        Session.objects.create(
            session_key="v" * 40, session_data="e30:x", expire_date=visit + datetime.timedelta(days=14)
        )
    deadline = visit + datetime.timedelta(hours=24)
    sweep_on_the_beat(deadline - datetime.timedelta(hours=1), deadline, settings.PRIVACY_SWEEP_INTERVAL_MINUTES)
    assert not Session.objects.filter(session_key="v" * 40).exists()


def test_the_beat_runs_the_sweep_at_the_configured_interval():
    schedule = settings.CELERY_BEAT_SCHEDULE["privacy-retention-sweep"]["schedule"]
    assert schedule.minute == set(range(0, 60, settings.PRIVACY_SWEEP_INTERVAL_MINUTES))
    assert schedule.hour == set(range(24))


@pytest.mark.django_db
def test_the_policy_page_states_the_cadence(client):
    page = client.get("/en/privacy/").content.decode()
    assert f"every {settings.PRIVACY_SWEEP_INTERVAL_MINUTES} minutes" in page
    assert "every night" not in page


@pytest.mark.django_db
def test_a_sweep_that_finds_a_running_one_steps_aside():
    from privacy.models import SweepRun
    from privacy.tasks import retention_sweep

    with time_machine.travel(CLOSED, tick=False):
        SweepRun.objects.create(started_at=CLOSED, heartbeat_at=CLOSED, preset="default", as_of=CLOSED)
        result = retention_sweep.apply().get()
    assert "Another retention sweep is running" in result["skipped"]
    assert User.objects.count() == 0
