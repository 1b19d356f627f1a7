"""Reads of the privacy engine about one person: what we hold, why, and when it goes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q

from privacy.registry import PersonalData, registry
from privacy.schedule import Action, Rule, effective_schedule, preset_name
from privacy.sweep import _effective_action, applicable


@dataclass(frozen=True)
class HeldData:
    """One kind of record we hold about a person: how many, why, and the next time the schedule ends some."""

    category: str
    what: str
    count: int
    purpose: str
    next_at: datetime.datetime | None
    next_action: str
    rule: dict | None


def _subject_q(entry: PersonalData, user_id: int) -> Q:
    return Q(pk=user_id) if entry.subject == "" else Q(**{entry.subject: user_id})


def held_data_for(user, *, preset: str | None = None) -> list[HeldData]:
    """Return, per registered kind of record, how many the person has and when the schedule next ends some.

    One query per kind of record (a count and, per rule reaching it, the
    earliest clock of the rows it has not handled yet): bounded by the
    registry, not by the person's data. "Next" is the earliest moment a rule
    falls due for one of their rows if nothing changes (no new order, no
    sign-in); a legal hold may turn a deletion into a restriction then.
    """
    name = preset_name(preset)
    schedule = effective_schedule(name)
    result = []
    for entry in registry.entries():
        if entry.subject is None:
            continue
        rules: list[Rule] = [r for r in schedule if r.category == entry.category and applicable(r, entry)]
        aggregates = {"count": Count("pk")}
        for index, rule in enumerate(rules):
            action = _effective_action(rule, entry)
            marker = {
                Action.ANONYMISE: entry.anonymised_marker,
                Action.RESTRICT: entry.restricted_marker,
                Action.ARCHIVE: entry.archived_marker,
            }.get(action)
            pending = Q(**{f"{marker}__isnull": True}) if marker else Q()
            if rule.scope:
                pending &= entry.scopes[rule.scope].condition
            aggregates[f"r{index}"] = Min(entry.trigger(rule.trigger), filter=pending)
        figures = entry.base_queryset().filter(_subject_q(entry, user.pk)).aggregate(**aggregates)
        if not figures["count"]:
            continue
        upcoming = [
            (figures[f"r{index}"] + rule.period.delta(), rule)
            for index, rule in enumerate(rules)
            if figures[f"r{index}"] is not None
        ]
        next_at, next_rule = min(upcoming, key=lambda item: item[0]) if upcoming else (None, None)
        model = entry.get_model()
        result.append(
            HeldData(
                category=str(entry.category.label),
                what=str(model._meta.verbose_name_plural),
                count=figures["count"],
                purpose=str(entry.purpose),
                next_at=next_at,
                next_action=str(Action(_effective_action(next_rule, entry)).label) if next_rule else "",
                # Said with what it does to these records (an anonymisation that deletes them says "deleted").
                rule={**next_rule.as_dict(), "action": str(_effective_action(next_rule, entry)), "preset": name}
                if next_rule
                else None,
            )
        )
    return result
