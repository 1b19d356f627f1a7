"""The sweep: precedence, legal holds, dry runs, idempotency, crashes, the lock, the command."""

import datetime
import json

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.management import CommandError, call_command

from accounts.models import Address, User
from accounts.tests.factories import AddressFactory, UserFactory
from privacy import sweep
from privacy.models import SweepRun
from privacy.sweep import SweepLocked, run_sweep

T0 = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)
LATER = T0 + relativedelta(years=11)


def population(n: int, **fields) -> list[User]:
    with time_machine.travel(T0, tick=False):
        users = [
            UserFactory(last_activity=T0, birth_date=datetime.date(1980 + i % 20, 5, 5), **fields) for i in range(n)
        ]
        for user in users:
            AddressFactory(user=user)
    return users


def state() -> list[tuple]:
    """A primary-key independent picture of everything the sweep may touch."""
    users = sorted(
        (u.email.startswith("anonymised-"), u.first_name, str(u.birth_date), u.is_active, u.anonymised_at is not None)
        for u in User.objects.all()
    )
    return [*users, ("addresses", Address.objects.count())]


@pytest.mark.django_db
def test_dry_run_counts_and_changes_nothing():
    population(3)
    before = state()
    with time_machine.travel(LATER, tick=False):
        run = run_sweep(dry_run=True)
    assert run.dry_run
    assert run.counts["STX-1"]["models"]["accounts.User"] == 3
    assert run.counts["STX-1"]["models"]["accounts.Address"] == 3
    assert state() == before


@pytest.mark.django_db
def test_second_run_changes_nothing_more():
    population(4)
    with time_machine.travel(LATER, tick=False):
        first = run_sweep()
        after_first = state()
        second = run_sweep()
    assert first.counts["STX-1"]["count"] > 0
    assert all(outcome["count"] == 0 for outcome in second.counts.values())
    assert state() == after_first


@pytest.mark.django_db
def test_strictest_action_wins_when_two_rules_fall_due(settings):
    settings.PRIVACY_RETENTION_EXTRA_RULES = [
        {
            "id": "TEST-DELETE",
            "category": "account",
            "trigger": "account_closed",
            "period": {"days": 1},
            "action": "delete",
        },
    ]
    (user,) = population(1, closed_at=T0)
    with time_machine.travel(T0 + relativedelta(days=5), tick=False):
        run = run_sweep(preset="stampix")
    # STX-4 (anonymise) and TEST-DELETE (delete) are both due: the delete wins.
    assert not User.objects.filter(pk=user.pk).exists()
    assert run.counts["TEST-DELETE"]["models"]["accounts.User"] == 1


@pytest.mark.django_db
def test_legal_hold_turns_a_delete_into_a_restrict_until_it_ends(settings):
    settings.PRIVACY_RETENTION_EXTRA_RULES = [
        {
            "id": "TEST-HOLD",
            "category": "account",
            "trigger": "last_activity",
            "period": {"years": 7},
            "action": "delete",
            "legal_hold": True,
        },
    ]
    (user,) = population(1, closed_at=T0)
    with time_machine.travel(T0 + relativedelta(years=3), tick=False):
        run = run_sweep(preset="smartphoto")  # SMP-2 deletes 2 years after closing
    user.refresh_from_db()
    assert user.restricted_at is not None
    assert user.anonymised_at is None
    assert Address.objects.filter(user=user).exists()  # held, and an address cannot be restricted: kept
    assert run.counts["SMP-2"]["restricted_by_hold"] == 1
    assert run.counts["SMP-2"]["count"] == 0

    with time_machine.travel(T0 + relativedelta(years=7, days=1), tick=False):
        run_sweep(preset="smartphoto")
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_crash_between_batches_then_rerun_equals_one_clean_run(monkeypatch):
    users = population(25)
    calls = {"n": 0}
    original = sweep._heartbeat

    def dying_heartbeat(run, counts):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("power cut")
        original(run, counts)

    monkeypatch.setattr(sweep, "_heartbeat", dying_heartbeat)
    with time_machine.travel(LATER, tick=False), pytest.raises(OSError, match="power cut"):
        run_sweep(batch_size=4)
    failed = SweepRun.objects.get()
    assert failed.status == SweepRun.Status.FAILED
    assert "power cut" in failed.errors
    half_done = state()
    monkeypatch.setattr(sweep, "_heartbeat", original)
    with time_machine.travel(LATER, tick=False):
        run_sweep(batch_size=4)
    crashed_and_rerun = state()
    assert crashed_and_rerun != half_done

    # The same population swept once, cleanly.
    User.objects.filter(pk__in=[u.pk for u in users]).delete()
    population(25)
    with time_machine.travel(LATER, tick=False):
        run_sweep(batch_size=4)
    assert state() == crashed_and_rerun


@pytest.mark.django_db
def test_two_sweeps_cannot_run_at_once():
    with time_machine.travel(T0, tick=False):
        SweepRun.objects.create(started_at=T0, heartbeat_at=T0, preset="default", as_of=T0)
    with time_machine.travel(T0 + datetime.timedelta(minutes=5), tick=False):
        with pytest.raises(SweepLocked, match="Another retention sweep is running"):
            run_sweep()
        with pytest.raises(CommandError, match="Another retention sweep is running"):
            call_command("privacy_sweep")
        # A dry run only reads, so it may run beside a real one.
        assert run_sweep(dry_run=True).status == SweepRun.Status.FINISHED


@pytest.mark.django_db
def test_a_sweep_that_died_is_taken_over():
    dead = SweepRun.objects.create(started_at=T0, heartbeat_at=T0, preset="default", as_of=T0)
    with time_machine.travel(T0 + datetime.timedelta(hours=1), tick=False):
        run = run_sweep()
    dead.refresh_from_db()
    assert dead.status == SweepRun.Status.INTERRUPTED
    assert run.status == SweepRun.Status.FINISHED


@pytest.mark.django_db
def test_sweep_command_json(capsys):
    population(2)
    call_command("privacy_sweep", "--json", "--now", LATER.date().isoformat())
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(figures) >= {"run_id", "dry_run", "now", "rules"}
    assert figures["dry_run"] is False
    assert figures["now"].startswith(LATER.date().isoformat())
    assert figures["rules"]["STX-1"]["action"] == "anonymise"
    assert figures["rules"]["STX-1"]["count"] >= 2
    assert SweepRun.objects.get(pk=figures["run_id"]).status == SweepRun.Status.FINISHED


@pytest.mark.django_db
def test_sweep_command_dry_run_prints_counts_per_rule(capsys):
    population(2)
    call_command("privacy_sweep", "--dry-run", "--now", LATER.isoformat())
    out = capsys.readouterr().out
    assert "STX-1" in out
    assert "would change" in out
    assert User.objects.filter(anonymised_at__isnull=True).count() == 2


@pytest.mark.django_db
def test_sweep_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="not an ISO date"):
        call_command("privacy_sweep", "--now", "yesterday")


@pytest.mark.django_db
def test_sweep_runs_as_a_celery_task():
    from privacy.tasks import retention_sweep

    population(1)
    with time_machine.travel(LATER, tick=False):
        result = retention_sweep.delay().get()
    assert result["rules"]["STX-1"]["count"] >= 1


def _queries_for_sweep() -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(LATER, tick=False), CaptureQueriesContext(connection) as ctx:
        run_sweep(batch_size=1000)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_sweep_queries_do_not_grow_with_rows():
    """Set-based: ten times the rows within one batch costs the same number of statements."""
    population(5)
    small = _queries_for_sweep()
    User.objects.all().delete()
    population(50)
    assert _queries_for_sweep() == small


@pytest.mark.django_db
def test_batches_page_by_key_past_rows_not_due_and_change_every_due_row():
    """Inactive accounts among active ones, in batches of 3 (keyset paging): every due one is anonymised."""
    inactive = population(8)
    with time_machine.travel(LATER - relativedelta(years=1), tick=False):
        active = [UserFactory(last_activity=LATER - relativedelta(years=1)) for _ in range(5)]
    with time_machine.travel(LATER, tick=False):
        run_sweep(batch_size=3)
    assert User.objects.filter(pk__in=[u.pk for u in inactive], anonymised_at__isnull=False).count() == 8
    assert not Address.objects.filter(user__in=inactive).exists()
    assert not User.objects.filter(pk__in=[u.pk for u in active], anonymised_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_row_no_longer_due_when_its_batch_comes_is_left_alone(monkeypatch):
    # The sweep finds the due rows once and works through them in batches; a customer who
    # comes back between the finding and their batch is checked again and kept.
    population(10)
    original, came_back = sweep._heartbeat, []

    def customers_come_back(run, counts):
        if counts["STX-1"].models.get("accounts.User") and not came_back:
            came_back.append(User.objects.filter(anonymised_at__isnull=True).update(last_activity=LATER))
        original(run, counts)

    monkeypatch.setattr(sweep, "_heartbeat", customers_come_back)
    with time_machine.travel(LATER, tick=False):
        run_sweep(batch_size=4)
    assert came_back == [6]
    assert User.objects.filter(anonymised_at__isnull=False).count() == 4
    assert User.objects.filter(anonymised_at__isnull=True, last_activity=LATER).count() == 6
