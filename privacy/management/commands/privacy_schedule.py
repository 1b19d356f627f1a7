import json

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from privacy.checks import rule_has_data
from privacy.schedule import PRESETS, effective_schedule, preset_name


class Command(BaseCommand):
    help = "Print the effective retention schedule (the active preset with the operator's overrides)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--preset", choices=sorted(PRESETS), help="Show this preset instead of the active one.")
        parser.add_argument("--json", action="store_true", help="Print a JSON list of rules.")

    def handle(self, *args, **options) -> None:
        try:
            name = preset_name(options["preset"])
            rules = effective_schedule(name)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        rows = [{**rule.as_dict(), "has_data": rule_has_data(rule)} for rule in rules]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        self.stdout.write(self.style.MIGRATE_HEADING(f"Retention schedule: preset {name!r}"))
        for row in rows:
            flag = "" if row["has_data"] else "  (no registered data yet)"
            scope = f" [{row['scope']}]" if row["scope"] else ""
            hold = " legal hold" if row["legal_hold"] else ""
            self.stdout.write(
                f"{row['id']:<22} {row['category']:<18}{scope} {row['action']:<9} "
                f"{row['period_days']:>5} days after {row['trigger']}{hold}{flag}"
            )
