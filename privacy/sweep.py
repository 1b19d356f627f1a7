"""The retention sweep: apply the effective schedule to every registered model.

Set-based and batched: each rule becomes, per registered model, bounded
UPDATE/DELETE statements, each over at most ``batch_size`` due rows chosen by
primary key in the database; no row is loaded into Python except where Django
must cascade a delete, and then one batch at a time.
Idempotent: anonymised, restricted and archived rows carry a marker and
are not touched twice; files are recorded before their rows change
(``privacy.files``). Two sweeps cannot run at once: a partial unique
constraint on ``SweepRun`` allows one running sweep, and a run without a sign
of life for ``STALE_AFTER`` is taken over as interrupted.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, models, transaction
from django.db.models import Q, signals
from django.db.models.deletion import Collector, get_candidate_relations_to_delete
from django.db.models.expressions import RawSQL
from django.utils import timezone

from privacy import files
from privacy.models import SweepRun
from privacy.registry import PersonalData, registry
from privacy.schedule import STRICTNESS, Action, Rule, effective_schedule, preset_name

logger = logging.getLogger(__name__)

BATCH_SIZE = 50_000
# Rows whose change orphans stored files: fewer per transaction, as their names
# are read into memory and recorded (1,000 a record: one S3 DeleteObjects call).
FILE_BATCH_SIZE = 5_000
STALE_AFTER = datetime.timedelta(minutes=15)
# The sweep runs every few minutes; runs that changed nothing are kept this long.
KEEP_QUIET_RUNS = datetime.timedelta(days=7)
HEARTBEAT_EVERY = datetime.timedelta(seconds=5)

Progress = Callable[[str, int], None]


class SweepLocked(RuntimeError):
    """Another sweep is running."""


@dataclass
class RuleOutcome:
    action: str
    count: int = 0
    restricted_by_hold: int = 0
    models: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0  # time spent applying the rule, for staff and the benchmark

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "count": self.count,
            "restricted_by_hold": self.restricted_by_hold,
            "models": self.models,
            "seconds": round(self.seconds, 3),
        }


def _effective_action(rule: Rule, entry: PersonalData) -> Action | None:
    """Return what the rule does to this model's rows, or None when the model cannot take it."""
    if rule.action == Action.ANONYMISE and entry.anonymise_by_deleting:
        return Action.DELETE
    if rule.action == Action.ANONYMISE and not entry.anonymised_marker:
        return None
    if rule.action == Action.RESTRICT and not entry.restricted_marker:
        return None
    if rule.action == Action.ARCHIVE and not entry.archived_marker:
        return None
    return rule.action


def applicable(rule: Rule, entry: PersonalData) -> bool:
    """Whether the rule reaches this model: its trigger, scope and action all exist for it."""
    if entry.trigger(rule.trigger) is None:
        return False
    if rule.models and entry.label not in rule.models:
        return False
    if rule.scope and rule.scope not in entry.scopes:
        return False
    return _effective_action(rule, entry) is not None


def sweep_interval() -> datetime.timedelta:
    """Return how often the sweep runs (``PRIVACY_SWEEP_INTERVAL_MINUTES``, from the beat schedule)."""
    return datetime.timedelta(minutes=settings.PRIVACY_SWEEP_INTERVAL_MINUTES)


def deadline_cutoff(rule: Rule, now: datetime.datetime) -> datetime.datetime:
    """Return the moment before which a trigger makes the rule due at the sweep of ``now``.

    A promise ("within 48 hours") must hold at any time of day, so each sweep
    also handles what falls due before the next one: a record is handled at
    the last sweep before its deadline, never after it. Legal holds count
    exactly: a statutory retention is a minimum, and none ends early.
    """
    if rule.legal_hold:
        return rule.period.cutoff(now)
    return rule.period.cutoff(now) + sweep_interval()


def due_queryset(rule: Rule, entry: PersonalData, now: datetime.datetime) -> models.QuerySet:
    """Return the rows of ``entry`` that the rule has fallen due for and not yet handled."""
    qs = entry.base_queryset()
    if rule.scope:
        qs = qs.filter(entry.scopes[rule.scope].condition)
    action = _effective_action(rule, entry)
    if entry.objection is not None and action in (Action.DELETE, Action.ANONYMISE):
        qs = qs.exclude(entry.objection)  # an opt-out outlives its record's period (see PersonalData)
    qs = qs.alias(_since=entry.trigger(rule.trigger)).filter(_since__lt=deadline_cutoff(rule, now))
    marker = {
        Action.ANONYMISE: entry.anonymised_marker,
        Action.RESTRICT: entry.restricted_marker,
        Action.ARCHIVE: entry.archived_marker,
    }.get(action)
    if marker:
        qs = qs.filter(**{f"{marker}__isnull": True})
    return qs


def _held(category: str, entry: PersonalData, holds: list[Rule], now: datetime.datetime, skip: str = "") -> Q | None:
    """Return the filter of rows still under a legal hold of their category, if any (``skip``: a hold's own rule)."""
    condition = None
    for index, hold in enumerate(holds):
        if hold.id == skip or hold.category != category:
            continue
        expr = entry.trigger(hold.trigger)
        if expr is None:
            continue
        name = f"_hold{index}"
        condition = (condition or Q()) | Q(**{f"{name}__gte": hold.period.cutoff(now)})
    return condition


def _with_hold_aliases(qs: models.QuerySet, entry: PersonalData, holds: list[Rule]) -> models.QuerySet:
    aliases = {f"_hold{i}": entry.trigger(h.trigger) for i, h in enumerate(holds) if entry.trigger(h.trigger)}
    return qs.alias(**aliases) if aliases else qs


def _batches(qs: models.QuerySet, batch_size: int) -> Iterator[tuple[models.QuerySet, bool]]:
    """Yield the due rows in key order as querysets of at most ``batch_size`` rows, each with "is it the last".

    Each batch starts after the last key of the one before (keyset paging):
    one statement finds the batch's last key (``ORDER BY pk LIMIT 1 OFFSET
    n-1`` on the rows after the previous one) and the change covers the due
    rows up to it. No statement reads again the rows a batch passed over, so
    the work grows with the table, not with its square (``bench/retention.py``).
    """
    after = None
    while True:
        rest = qs if after is None else qs.filter(pk__gt=after)
        boundary = rest.order_by("pk").values_list("pk", flat=True)[batch_size - 1 : batch_size].first()
        if boundary is None:
            yield qs.model._base_manager.filter(pk__in=rest.values("pk")), True
            return
        yield qs.model._base_manager.filter(pk__in=rest.filter(pk__lte=boundary).values("pk")), False
        after = boundary


def _orphaned_files(action: Action, entry: PersonalData) -> list[str]:
    """Return the file fields whose files the action leaves without a row."""
    if action in (Action.DELETE, Action.ARCHIVE):
        return list(entry.files)
    if action == Action.ANONYMISE:
        return [f.name for f in entry.fields if f.name in entry.files]
    return []


def _file_fields(model: type[models.Model]) -> list[str]:
    """Return the file fields the registry declares for a model: their files go with its rows."""
    names: list[str] = []
    for entry in registry.for_model(model._meta.label):
        names += [name for name in entry.files if name not in names]
    return names


def _holds_files(model: type[models.Model], seen: frozenset = frozenset()) -> bool:
    """Whether rows of this model, or rows a cascade takes with them at any depth, hold stored files."""
    if _file_fields(model):
        return True
    seen = seen | {model}
    return any(
        rel.on_delete is models.CASCADE and rel.related_model not in seen and _holds_files(rel.related_model, seen)
        for rel in get_candidate_relations_to_delete(model._meta)
    )


def _file_dependents(model: type[models.Model]) -> list[tuple[str, str, type[models.Model]]]:
    """Return (foreign key, the field it points at, model) of rows deleted with this model's that hold files.

    At any depth: an order's lines hold no file, but their print files do, so
    the lines go first by key and take their print files' files along.
    """
    return [
        (rel.field.name, rel.field.target_field.attname, rel.related_model)
        for rel in get_candidate_relations_to_delete(model._meta)
        if rel.on_delete is models.CASCADE and rel.related_model is not model and _holds_files(rel.related_model)
    ]


def _delete(chunk: models.QuerySet, *, rule_id: str, removals: list[files.Removal]) -> int:
    """Delete a batch of rows in the caller's transaction; return how many.

    Rows that a cascade would take with them and that hold stored files
    (an album's photos) go first, by key, with their files recorded in
    ``removals``: Django's cascade alone would leave the files behind.
    """
    model = chunk.model
    for fk, target, dependent in _file_dependents(model):
        rows = dependent._base_manager.filter(**{f"{fk}__in": chunk.values(target)})
        delete_by_key(rows, rule_id=rule_id, removals=removals)
    if not (signals.pre_delete.has_listeners(model) or signals.post_delete.has_listeners(model)):
        chunk = chunk.only("pk")  # cascades need the keys only
    _total, per_model = chunk.delete()
    return per_model.get(model._meta.label, 0)


def delete_by_key(qs: models.QuerySet, *, rule_id: str, removals: list[files.Removal]) -> int:
    """Delete every row of ``qs`` in the caller's transaction, 1,000 at a time, recording their files.

    The caller removes the files of ``removals`` once its transaction has
    committed. Return how many rows of ``qs`` were deleted.
    """
    model, fields = qs.model, _file_fields(qs.model)
    deleted = 0
    while rows := list(qs.select_for_update(of=("self",)).values_list("pk", *fields)[: files.S3_DELETE_LIMIT]):
        removals += files.record_removals((name for row in rows for name in row[1:]), rule_id=rule_id)
        keys = [row[0] for row in rows]
        batch = _delete(model._base_manager.filter(pk__in=keys), rule_id=rule_id, removals=removals)
        deleted += batch
        if batch < len(rows):
            break  # something kept rows back (a signal handler): do not select them again forever
    return deleted


def _apply(
    action: Action,
    entry: PersonalData,
    chunk: models.QuerySet,
    now: datetime.datetime,
    *,
    rule_id: str,
    removals: list[files.Removal],
) -> int:
    """Apply one action to a batch of rows; return the number of rows it changed.

    The declaration's audit hook records the change first, in the same transaction.
    """
    if entry.audit is not None:
        entry.audit(rows=chunk, action=str(action), rule_id=rule_id, at=now)
    if action == Action.DELETE:
        return _delete(chunk, rule_id=rule_id, removals=removals)
    if action == Action.ANONYMISE:
        return chunk.update(**entry.anonymise_values(), **{entry.anonymised_marker: now})
    if action == Action.RESTRICT:
        return chunk.update(**{entry.restricted_marker: now})
    if action == Action.ARCHIVE:
        return chunk.update(**{entry.archived_marker: now})
    raise ValueError(action)


def _apply_by_key(
    action: Action,
    entry: PersonalData,
    due: models.QuerySet,
    fields: list[str],
    *,
    limit: int,
    now: datetime.datetime,
    rule_id: str,
) -> tuple[int, int, Any]:
    """Apply one action to at most ``limit`` due rows whose change orphans stored files, then remove them.

    The rows are the first ``limit`` due rows in key order. Return how many
    rows changed, how many were selected, and the last selected key (the
    next call starts after it).

    The rows are locked and read with their file names, the names recorded
    and the rows changed in one transaction; the files go after the commit
    (``privacy.files``). Archived originals are copied first, outside the
    transaction, so that the slow part holds no lock.
    """
    model = entry.get_model()
    due = due.order_by("pk")
    if action == Action.ARCHIVE:
        rows = list(due.values_list("pk", *fields)[:limit])
        for row in rows:
            for name in row[1:]:
                if name:
                    files.archive_copy(name)
        due = due.filter(pk__in=[row[0] for row in rows])
    with transaction.atomic():
        rows = list(due.select_for_update(of=("self",)).values_list("pk", *fields)[:limit])
        if not rows:
            return 0, 0, None
        removals = files.record_removals((name for row in rows for name in row[1:]), rule_id=rule_id)
        chunk = model._base_manager.filter(pk__in=[row[0] for row in rows])
        changed = _apply(action, entry, chunk, now, rule_id=rule_id, removals=removals)
    # Only after the outermost commit: run inside a larger transaction (an
    # erasure) that rolls back, the rows come back and so must their files.
    # Outside any transaction this runs at once.
    transaction.on_commit(lambda: files.remove(removals))
    return changed, len(rows), rows[-1][0]


def _start(*, now: datetime.datetime, preset: str, dry_run: bool) -> SweepRun:
    started = timezone.now()
    if not dry_run:
        SweepRun.objects.filter(
            status=SweepRun.Status.RUNNING, dry_run=False, heartbeat_at__lt=started - STALE_AFTER
        ).update(status=SweepRun.Status.INTERRUPTED, finished_at=started, errors="No sign of life: the run stopped.")
    try:
        with transaction.atomic():
            return SweepRun.objects.create(
                started_at=started, heartbeat_at=started, preset=preset, dry_run=dry_run, as_of=now
            )
    except IntegrityError:
        running = SweepRun.objects.filter(status=SweepRun.Status.RUNNING, dry_run=False).first()
        since = f" since {running.started_at:%Y-%m-%d %H:%M:%S %Z}" if running else ""
        raise SweepLocked(f"Another retention sweep is running{since}; try again when it has finished.") from None


def _heartbeat(run: SweepRun, counts: dict[str, RuleOutcome]) -> None:
    """Show the run is alive, with its counts so far (at most every HEARTBEAT_EVERY)."""
    moment = timezone.now()
    if moment - run.heartbeat_at < HEARTBEAT_EVERY:
        return
    run.heartbeat_at = moment
    SweepRun.objects.filter(pk=run.pk).update(heartbeat_at=moment, counts={k: v.as_dict() for k, v in counts.items()})


def run_sweep(
    *,
    now: datetime.datetime | None = None,
    preset: str | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> SweepRun:
    """Apply the retention schedule as of ``now``; return the recorded run.

    Rules are applied strictest action first, so where two rules fall due for
    one record the stricter wins; a row under a legal hold of its category is
    restricted instead of deleted or anonymised until the hold ends.
    """
    now = now or timezone.now()
    name = preset_name(preset)
    schedule = effective_schedule(name)
    rules = sorted(schedule, key=lambda r: STRICTNESS.index(r.action))
    holds = [r for r in rules if r.legal_hold]
    run = _start(now=now, preset=name, dry_run=dry_run)
    counts = {rule.id: RuleOutcome(action=str(rule.action)) for rule in schedule}
    try:
        if not dry_run:
            files.process_pending()
        for rule in rules:
            started = time.perf_counter()
            for entry in registry.for_category(rule.category):
                if applicable(rule, entry):
                    _sweep_entry(rule, entry, holds, counts, now, run, dry_run, batch_size, progress)
            counts[rule.id].seconds += time.perf_counter() - started
            if progress:
                progress(rule.id, 0)
    except Exception:
        SweepRun.objects.filter(pk=run.pk).update(
            status=SweepRun.Status.FAILED,
            finished_at=timezone.now(),
            errors=traceback.format_exc(),
            counts={k: v.as_dict() for k, v in counts.items()},
        )
        raise
    run.counts = {k: v.as_dict() for k, v in counts.items()}
    run.changed = sum(v.count + v.restricted_by_hold for v in counts.values())
    run.status = SweepRun.Status.FINISHED
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "changed", "status", "finished_at"])
    SweepRun.objects.filter(
        status=SweepRun.Status.FINISHED, changed=0, finished_at__lt=run.finished_at - KEEP_QUIET_RUNS
    ).delete()
    return run


def split_by_holds(
    action: Action,
    entry: PersonalData,
    qs: models.QuerySet,
    holds: list[Rule],
    now: datetime.datetime,
    *,
    category: str,
    skip: str = "",
) -> list[tuple[Action, models.QuerySet]]:
    """Return what to do to which rows: a legal hold turns a delete or anonymise into a restrict.

    Held rows that cannot be restricted (no marker) are left as they are
    until the hold ends.
    """
    qs = _with_hold_aliases(qs, entry, holds)
    held = _held(category, entry, holds, now, skip) if action in (Action.DELETE, Action.ANONYMISE) else None
    parts = [(action, qs if held is None else qs.exclude(held))]
    if held is not None and entry.restricted_marker:
        parts.append((Action.RESTRICT, qs.filter(held).filter(**{f"{entry.restricted_marker}__isnull": True})))
    return parts


@contextmanager
def _due_keys(qs: models.QuerySet) -> Iterator[Callable[[int], Iterator[models.QuerySet]]]:
    """Write the keys of the due rows into a temporary table in one statement; give batches of them in that order.

    The due rows are found once, by whatever plan suits the database (often an
    index on a date of another table), then taken batch by batch from the
    keys. Paging the due query itself (``ORDER BY pk LIMIT n``) lets the
    planner either sort every due row again for each batch, or scan the table
    in key order past rows that are not due: time that grows with the square
    of what is due, or with the table for each batch (``bench/retention.py``).
    The keys stay in the database, so memory stays flat whatever is due, and
    each batch is ``qs`` limited to a range of them (checked again, so a row
    changed meanwhile is left alone).
    """
    connection = connections[qs.db]
    table = f"privacy_due_{secrets.token_hex(6)}"  # our own name (hex); the query is Django's, parameters bound
    sql, params = qs.order_by().values_list("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # Numbered so that a batch changes rows that lie together. An integer key is the
        # order they were stored in. Random keys (uuid4): on PostgreSQL in key order, so that
        # each batch walks one stretch of the key's index (and of the foreign-key indexes that
        # its deletes and updates look up) instead of the whole index, which outgrows the
        # buffer cache at millions of rows (bench/retention.py, 2,000,000 users: 15,265 ->
        # 18,396 rows/s); on SQLite in the order its scan produced them (a table's own order).
        by_key = isinstance(qs.model._meta.pk, models.AutoField) or connection.vendor == "postgresql"
        order = "ORDER BY k" if by_key else ""
        cursor.execute(
            f"CREATE TEMPORARY TABLE {table} AS WITH due(k) AS ({sql})"  # noqa: S608
            f" SELECT ROW_NUMBER() OVER ({order}) AS n, k FROM due",
            params,
        )
        cursor.execute(f"CREATE INDEX {table}_n ON {table} (n)")
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        (total,) = cursor.fetchone()

    def batches(size: int) -> Iterator[models.QuerySet]:
        for start in range(0, total, size):
            keys = RawSQL(f"SELECT k FROM {table} WHERE n > %s AND n <= %s", [start, start + size])  # noqa: S608, S611
            yield qs.filter(pk__in=keys)

    try:
        yield batches
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
        except DatabaseError:  # a failed transaction on PostgreSQL: its rollback drops the table
            logger.debug("temporary table %s left to the rollback", table)


def apply_in_batches(
    action: Action,
    entry: PersonalData,
    qs: models.QuerySet,
    *,
    now: datetime.datetime,
    rule_id: str,
    batch_size: int = BATCH_SIZE,
    materialise: bool = False,
) -> Iterator[int]:
    """Apply an action to every row of ``qs``, batch by batch; yield how many rows each batch changed.

    With ``materialise`` (the sweep, over whole tables) the due keys are
    written to a temporary table first (``_due_keys``) and each batch is a
    range of them, checked again against ``qs``; an erasure, over one person's
    few rows, pages the due query directly.
    """
    file_fields = _orphaned_files(action, entry)
    # Rows whose change orphans files go by key, their names recorded (privacy.files);
    # so do rows whose deletion takes rows with files along.
    model = entry.get_model()
    by_key = bool(file_fields) or (action == Action.DELETE and bool(_file_dependents(model)))
    # Django loads the rows it deletes when they have signals or cascades (its collector): a
    # smaller batch keeps that flat too (bench/retention.py: 50,000 e-mail addresses took 32 MB).
    collected = action == Action.DELETE and not Collector(using=qs.db).can_fast_delete(model._base_manager.none())
    limit = min(batch_size, FILE_BATCH_SIZE) if by_key or collected else batch_size
    if materialise:
        if not qs.exists():
            return  # most rules have nothing due most of the time: one cheap statement
        with _due_keys(qs) as batches:
            for part in batches(limit):
                if by_key:
                    changed, _selected, _last = _apply_by_key(
                        action, entry, part, file_fields, limit=limit, now=now, rule_id=rule_id
                    )
                else:
                    with transaction.atomic():
                        chunk = model._base_manager.filter(pk__in=part.values("pk"))
                        changed = _apply(action, entry, chunk, now, rule_id=rule_id, removals=[])
                yield changed
        return
    if by_key:
        after = None
        while True:
            rest = qs if after is None else qs.filter(pk__gt=after)
            changed, selected, after = _apply_by_key(
                action, entry, rest, file_fields, limit=limit, now=now, rule_id=rule_id
            )
            yield changed
            if selected < limit:
                return  # that was the last of what is due
    else:
        for chunk, last in _batches(qs, batch_size):
            with transaction.atomic():
                changed = _apply(action, entry, chunk, now, rule_id=rule_id, removals=[])
            yield changed
            if last:
                return


def _sweep_entry(
    rule: Rule,
    entry: PersonalData,
    holds: list[Rule],
    counts: dict[str, RuleOutcome],
    now: datetime.datetime,
    run: SweepRun,
    dry_run: bool,
    batch_size: int,
    progress: Progress | None,
) -> None:
    outcome = counts[rule.id]
    action = _effective_action(rule, entry)
    label = entry.get_model()._meta.label
    due = due_queryset(rule, entry, now)
    for part_action, qs in split_by_holds(action, entry, due, holds, now, category=rule.category, skip=rule.id):
        if dry_run:
            _count(outcome, label, part_action, action, qs.count())
            continue
        for changed in apply_in_batches(
            part_action, entry, qs, now=now, rule_id=rule.id, batch_size=batch_size, materialise=True
        ):
            _count(outcome, label, part_action, action, changed)
            _heartbeat(run, counts)
            if progress and changed:
                progress(rule.id, changed)


def _count(outcome: RuleOutcome, label: str, done: Action, planned: Action, changed: int) -> None:
    if done == planned:
        outcome.count += changed
        outcome.models[label] = outcome.models.get(label, 0) + changed
    else:
        outcome.restricted_by_hold += changed
