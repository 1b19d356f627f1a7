"""The retention schedule: rules, the policy presets, and the effective schedule.

A rule says: records of a category are deleted / anonymised / archived /
restricted a period after a trigger. ``PRIVACY_RETENTION_PRESET`` selects a
preset; ``PRIVACY_RETENTION_OVERRIDES`` (rule id -> changed fields) and
``PRIVACY_RETENTION_EXTRA_RULES`` (list of rule dicts) let an operator adjust it.
The effective schedule feeds both the sweep and the privacy policy page.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

from privacy.registry import Category, Trigger, registry

__all__ = ["Action", "Period", "Rule", "Trigger", "effective_schedule", "preset_name"]


class Action(models.TextChoices):
    DELETE = "delete", _("deleted")
    ANONYMISE = "anonymise", _("anonymised")
    ARCHIVE = "archive", _("archived")
    RESTRICT = "restrict", _("restricted")


# Strictest first: when two rules fall due for one record, the stricter wins.
STRICTNESS = [Action.DELETE, Action.ANONYMISE, Action.ARCHIVE, Action.RESTRICT]


@dataclass(frozen=True)
class Period:
    """A calendar period: months and years follow the calendar, days are days."""

    years: int = 0
    months: int = 0
    days: int = 0
    hours: int = 0

    def delta(self) -> relativedelta:
        return relativedelta(years=self.years, months=self.months, days=self.days, hours=self.hours)

    def cutoff(self, now: datetime.datetime) -> datetime.datetime:
        """Return the moment before which a trigger makes the rule due at ``now``."""
        return now - self.delta()

    @property
    def days_approx(self) -> int:
        """Return the period in days (a year counts 365 days, a month 30)."""
        return self.years * 365 + self.months * 30 + self.days + math.ceil(self.hours / 24)


@dataclass(frozen=True)
class Rule:
    """One retention rule; ``id`` cites the policy rule it enforces (e.g. ``SMP-5``).

    ``scope`` names a row set declared by the registry entries (e.g.
    ``microsite``). ``legal_hold`` marks a statutory retention: until it ends,
    a delete or anonymise of the same records by another rule, or by an
    explicit erasure, becomes a restrict. ``platform_choice`` marks a rule the
    platform adds where the chosen policy is silent (shown as such on the
    policy page); ``models`` then limits it to the declarations it fills in.
    """

    id: str
    category: Category
    trigger: Trigger
    period: Period
    action: Action
    scope: str = ""
    legal_hold: bool = False
    note: str = ""
    platform_choice: bool = False
    models: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "category": str(self.category),
            "trigger": str(self.trigger),
            "period_days": self.period.days_approx,
            "period": {k: v for k, v in asdict(self.period).items() if v},
            "action": str(self.action),
            "scope": self.scope,
            "legal_hold": self.legal_hold,
            "note": self.note,
            "platform_choice": self.platform_choice,
            "models": list(self.models),
        }


def _r(rule_id, category, trigger, action, *, scope="", legal_hold=False, note="", **period) -> Rule:
    return Rule(rule_id, category, trigger, Period(**period), action, scope, legal_hold, note)


C, T, A = Category, Trigger, Action

# Stampix (stampix.nl.txt): sponsors, codes and microsites; the business closest to ours.
STAMPIX = [
    _r(
        "STX-1",
        C.ACCOUNT,
        T.LAST_ACTIVITY,
        A.ANONYMISE,
        years=10,
        note="A user's personal data is anonymised 10 years after the last activity on any channel.",
    ),
    _r(
        "STX-1:orders",
        C.ORDER,
        T.LAST_ACTIVITY,
        A.DELETE,
        years=10,
        note="At that moment all orders linked to the account are permanently deleted.",
    ),
    _r(
        "STX-1:communication",
        C.COMMUNICATION,
        T.LAST_ACTIVITY,
        A.DELETE,
        years=10,
        note="Communication preferences go with the anonymised account.",
    ),
    _r(
        "STX-1:images",
        C.IMAGE,
        T.LAST_ACTIVITY,
        A.DELETE,
        years=10,
        note="Images and their metadata (location included) are personal data of the user (STX-1 lists "
        "'afbeeldingen'): they go with the account, 10 years after the last activity.",
    ),
    _r(
        "STX-2",
        C.MICROSITE_ORDER,
        T.ORDER_DATE,
        A.ANONYMISE,
        months=6,
        note="Every order received through a sponsor's microsite is anonymised 6 months after its order date.",
    ),
    _r(
        "STX-3",
        C.IMAGE,
        T.ORDER_DATE,
        A.ARCHIVE,
        months=3,
        scope="microsite",
        note="Photos of an order placed through a microsite are archived 3 months after the order date.",
    ),
    _r(
        "STX-4",
        C.ACCOUNT,
        T.ACCOUNT_CLOSED,
        A.ANONYMISE,
        hours=48,
        note="A deleted account is carried out (anonymised) within 48 hours.",
    ),
    _r(
        "STX-4:images",
        C.IMAGE,
        T.ACCOUNT_CLOSED,
        A.DELETE,
        hours=48,
        note="A deleted account takes its uploads (photos, their files and albums) with it within 48 hours.",
    ),
    _r(
        "STX-4:communication",
        C.COMMUNICATION,
        T.ACCOUNT_CLOSED,
        A.DELETE,
        hours=48,
        note="With the account, its communication preferences go.",
    ),
    _r(
        "STX-5",
        C.PHONE_VERIFICATION,
        T.LAST_ACTIVITY,
        A.DELETE,
        years=10,
        note="The phone number kept for re-activation is deleted 10 years after the last activity.",
    ),
]

# bpost MyStamp (mystamp-bpost.nl.txt).
MYSTAMP = [
    _r(
        "MYS-1",
        C.ACCOUNT,
        T.LAST_ORDER,
        A.DELETE,
        years=3,
        note="Customer data is erased 3 years after the last order.",
    ),
    _r("MYS-1:orders", C.ORDER, T.LAST_ORDER, A.DELETE, years=3),
    _r("MYS-1:communication", C.COMMUNICATION, T.LAST_ORDER, A.DELETE, years=3),
    _r(
        "MYS-1:images",
        C.IMAGE,
        T.LAST_ORDER,
        A.DELETE,
        years=3,
        note="Photos and the data of the people shown on them are erased 3 years after the last order.",
    ),
]

# smartphoto (smartphoto.nl.txt): six categories.
SMARTPHOTO = [
    _r(
        "SMP-1",
        C.VISITOR,
        T.SESSION_END,
        A.DELETE,
        hours=24,
        note="Visitor data without an account: the visit plus at most 24 hours.",
    ),
    _r(
        "SMP-2",
        C.ACCOUNT,
        T.ACCOUNT_CLOSED,
        A.DELETE,
        years=2,
        note="Account data is deleted 2 years after the customer relationship ends.",
    ),
    _r(
        "SMP-3",
        C.ORDER,
        T.LAST_ORDER,
        A.DELETE,
        years=2,
        note="Order and delivery data is deleted 2 years after the last order.",
    ),
    _r(
        "SMP-4",
        C.COMMUNICATION,
        T.LAST_COMMUNICATION,
        A.DELETE,
        years=2,
        note="Newsletter and communication data is deleted 2 years after the last communication.",
    ),
    _r(
        "SMP-4:contact",
        C.CONTACT,
        T.LAST_COMMUNICATION,
        A.DELETE,
        years=2,
        note="Questions to customer service are communication data: deleted 2 years after the last message.",
    ),
    _r(
        "SMP-5",
        C.IMAGE,
        T.ORDER_DATE,
        A.DELETE,
        days=60,
        scope="ordered",
        note="Images of an ordered product: 60 days after that order.",
    ),
    _r(
        "SMP-6",
        C.IMAGE,
        T.UPLOAD_OR_LAST_ORDER,
        A.DELETE,
        years=2,
        scope="account_not_ordered",
        note="Uploaded, not ordered, in an account: 2 years, extended by 2 years at each new order.",
    ),
    _r(
        "SMP-7",
        C.IMAGE,
        T.UPLOAD_DATE,
        A.DELETE,
        days=90,
        scope="without_account",
        note="Uploaded without an account: 90 days.",
    ),
    _r(
        "SMP-8",
        C.COOKIE_CONSENT,
        T.CONSENT_GIVEN,
        A.DELETE,
        months=13,
        note="Cookie choices are asked again and their record deleted after 13 months (cookie policy).",
    ),
]

# internetbureau Pix (internetbureau-pix.nl.txt). PIX-3 (subscriptions) does
# not apply: the platform sells no subscriptions.
PIX = [
    _r(
        "PIX-1",
        C.ORDER,
        T.ORDER_COMPLETED,
        A.RESTRICT,
        months=6,
        note="Order data is kept 6 months after completion, then only for the statutory retention.",
    ),
    _r(
        "PIX-1:tax",
        C.INVOICE,
        T.ORDER_COMPLETED,
        A.DELETE,
        years=7,
        months=6,
        legal_hold=True,
        note="Invoices are kept 7 more years for the tax authorities.",
    ),
    _r(
        "PIX-4",
        C.CONTACT,
        T.TICKET_RESOLVED,
        A.DELETE,
        months=3,
        note="Contact-form data: until the question is resolved, then 3 months.",
    ),
    _r(
        "PIX-5",
        C.COMMUNICATION,
        T.UNSUBSCRIBED,
        A.DELETE,
        days=0,
        note="Newsletter data is kept until you unsubscribe.",
    ),
    _r(
        "PIX-6",
        C.ACCOUNT,
        T.ACCOUNT_CLOSED,
        A.DELETE,
        months=3,
        note="Account data: until 3 months after the account is closed.",
    ),
]

# The platform's default (policy-rules.md, "The platform default"): Stampix's
# rules, smartphoto's stricter category rules where Stampix is silent, PIX-1's
# tax retention as a legal hold, and housekeeping of privacy requests and logs.
DEFAULT = [
    *STAMPIX,
    *[r for r in SMARTPHOTO if r.id in {"SMP-1", "SMP-5", "SMP-6", "SMP-7", "SMP-8"}],
    _r(
        "PIX-1",
        C.INVOICE,
        T.ORDER_COMPLETED,
        A.DELETE,
        years=7,
        legal_hold=True,
        note="Invoices are kept 7 years for the tax authorities; an erasure request restricts them.",
    ),
    *[r for r in PIX if r.id == "PIX-4"],
    _r(
        "PIX-9",
        C.ACCESS_LOG,
        T.RECORDED,
        A.DELETE,
        years=2,
        note="Access logs of personal data are kept 2 years as evidence, then deleted.",
    ),
    _r(
        "MYS-2",
        C.PRIVACY_REQUEST,
        T.REQUEST_CLOSED,
        A.DELETE,
        years=1,
        note="Privacy requests and their identity proof are deleted 1 year after they are handled.",
    ),
]

PRESETS: dict[str, list[Rule]] = {
    "default": DEFAULT,
    "stampix": STAMPIX,
    "mystamp": MYSTAMP,
    "smartphoto": SMARTPHOTO,
    "pix": PIX,
}
# albelli gives no periods (ALB-1: data goes once no longer needed), so it
# cannot be a preset of its own; the system check enforces its principle.
NOT_A_PRESET = {"albelli": "albelli's policy states no retention periods (ALB-1); the system check enforces it."}


def _rule_from_dict(data: dict[str, Any]) -> Rule:
    period = data.get("period") or {"days": data.get("period_days", 0)}
    try:
        return Rule(
            id=data["id"],
            category=Category(data["category"]),
            trigger=Trigger(data["trigger"]),
            period=Period(**period),
            action=Action(data["action"]),
            scope=data.get("scope", ""),
            legal_hold=bool(data.get("legal_hold", False)),
            note=data.get("note", ""),
            platform_choice=bool(data.get("platform_choice", False)),
            models=tuple(data.get("models", ())),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"PRIVACY_RETENTION_EXTRA_RULES has an invalid rule {data!r}: {exc}") from exc


# Presets whose policy promises no profiling and no automated decisions at all: matching
# sponsors' adverts to people (STX-12) is off under them.
NO_PROFILING: dict[str, str] = {"mystamp": "MYS-4"}


def profiling_permitted(preset: str | None = None) -> bool:
    """Whether the preset in force allows profiling (sponsor matching); False under mystamp (MYS-4)."""
    return preset_name(preset) not in NO_PROFILING


def preset_name(preset: str | None = None) -> str:
    name = preset or getattr(settings, "PRIVACY_RETENTION_PRESET", "default")
    if name not in PRESETS:
        hint = NOT_A_PRESET.get(name, f"choose one of {', '.join(PRESETS)}")
        raise ImproperlyConfigured(f"Unknown retention preset {name!r}: {hint}")
    return name


def effective_schedule(preset: str | None = None) -> list[Rule]:
    """Return the rules in force: the preset, the operator's changes, and the platform's fill-ins.

    Where the chosen policy is silent about data the platform holds (no rule
    of the schedule reaches a declaration), the platform default's rules for
    that data are added, marked as the platform's own choice (ALB-1: no
    personal data is kept without an end).
    """
    rules = list(PRESETS[preset_name(preset)])
    overrides: dict[str, dict[str, Any]] = getattr(settings, "PRIVACY_RETENTION_OVERRIDES", {})
    unknown = set(overrides) - {r.id for r in rules}
    if unknown:
        raise ImproperlyConfigured(f"PRIVACY_RETENTION_OVERRIDES names rules not in the preset: {sorted(unknown)}")
    result = []
    for rule in rules:
        if rule.id in overrides:
            rule = _rule_from_dict({**rule.as_dict(), **overrides[rule.id]} | _period_override(rule, overrides))
        result.append(rule)
    result += [_rule_from_dict(d) for d in getattr(settings, "PRIVACY_RETENTION_EXTRA_RULES", [])]
    result += _fill_ins(result)
    ids = [r.id for r in result]
    if len(ids) != len(set(ids)):
        raise ImproperlyConfigured(f"Retention rule ids must be unique: {ids}")
    return result


def _fill_ins(rules: list[Rule]) -> list[Rule]:
    """Return the default's rules for data no rule of ``rules`` reaches, marked as the platform's choice.

    A declaration is reached when a rule applies to it; a scope declared with
    ``needs_rule`` (rows without an account, whose clock no account rule
    runs) only when a rule names that scope.
    """
    from privacy.sweep import applicable

    added: dict[str, Rule] = {}

    def fill(entry, candidates) -> None:
        for rule in candidates:
            fill_rule = added.get(rule.id) or replace(rule, id=f"{rule.id}:platform", platform_choice=True, models=())
            if entry.label not in fill_rule.models:
                added[rule.id] = replace(fill_rule, models=(*fill_rule.models, entry.label))

    for entry in registry.entries():

        def reached(rule: Rule, scope: str = "", entry=entry) -> bool:
            return rule.category == entry.category and applicable(rule, entry) and (not scope or rule.scope == scope)

        if not any(reached(rule) for rule in rules):
            fill(entry, [rule for rule in DEFAULT if reached(rule)])
        for name, scope in entry.scopes.items():
            if scope.needs_rule and not any(reached(rule, name) for rule in rules):
                fill(entry, [rule for rule in DEFAULT if reached(rule, name)])
    return list(added.values())


def _period_override(rule: Rule, overrides: dict[str, dict[str, Any]]) -> dict[str, Any]:
    change = overrides[rule.id]
    if "period" in change:
        return {"period": change["period"]}
    if "period_days" in change:
        return {"period": {"days": change["period_days"]}}
    return {"period": {k: v for k, v in asdict(rule.period).items() if v}}
