import datetime
import json
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from tqdm import tqdm

from privacy.schedule import PRESETS
from privacy.sweep import SweepLocked, run_sweep


def _parse_now(value: str) -> datetime.datetime:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(
                f"--now {value!r} is not an ISO date or date-time (e.g. 2026-11-23 or 2026-11-23T03:00)"
            )
        moment = datetime.datetime.combine(day, datetime.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Apply the retention schedule: delete, anonymise, archive or restrict what has fallen due."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count per rule what would happen; change nothing.")
        parser.add_argument("--now", help="Apply the rules as of this ISO date or date-time instead of now.")
        parser.add_argument("--preset", choices=sorted(PRESETS), help="Use this preset instead of the active one.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object with the run's figures.")
        parser.add_argument("--batch-size", type=int, default=50_000, help="Rows per UPDATE/DELETE (default 50,000).")

    def handle(self, *args, **options) -> None:
        now = _parse_now(options["now"]) if options["now"] else None
        show_bar = not options["json"] and sys.stderr.isatty()
        bar = tqdm(desc="retention sweep", unit="rows", file=sys.stderr) if show_bar else None

        def progress(rule_id: str, rows: int) -> None:
            if bar is not None:
                bar.set_postfix_str(rule_id)
                bar.update(rows)

        try:
            run = run_sweep(
                now=now,
                preset=options["preset"],
                dry_run=options["dry_run"],
                batch_size=options["batch_size"],
                progress=progress,
            )
        except (SweepLocked, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        if options["json"]:
            figures = {
                "run_id": str(run.id),
                "dry_run": run.dry_run,
                "now": run.as_of.isoformat(),
                "preset": run.preset,
                "rules": run.counts,
            }
            self.stdout.write(json.dumps(figures))
            return
        verb = "would change" if run.dry_run else "changed"
        self.stdout.write(self.style.SUCCESS(f"Sweep {run.id} as of {run.as_of:%Y-%m-%d %H:%M} ({run.preset}):"))
        for rule_id, outcome in run.counts.items():
            held = (
                f", {outcome['restricted_by_hold']} restricted by a legal hold"
                if outcome["restricted_by_hold"]
                else ""
            )
            self.stdout.write(f"  {rule_id:<22} {outcome['action']:<9} {verb} {outcome['count']} records{held}")
