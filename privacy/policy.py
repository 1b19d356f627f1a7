"""The privacy policy and the records of processing, generated from the registry and schedule.

``build_document()`` turns the registry, the effective schedule and the
controller settings into one language-independent document (English message
ids, translated when rendered). Its digest identifies a policy version: any
change to what is held or how long makes a new ``PolicyVersion``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from privacy.checks import rule_has_data
from privacy.models import PolicyVersion
from privacy.registry import Category, LegalBasis, registry
from privacy.schedule import Action, Trigger, effective_schedule, preset_name

# Who the data is about, per category (records of processing, art. 30(1)(c)).
SUBJECTS = {
    Category.VISITOR: gettext_lazy("visitors of the web shop and microsites"),
    Category.ACCESS_LOG: gettext_lazy("staff members and the customers whose data they open"),
}
DEFAULT_SUBJECTS = gettext_lazy("customers")

# The policies a preset follows, named as their publishers do.
PRESET_SOURCES = {
    "stampix": "Stampix",
    "mystamp": "bpost MyStamp",
    "smartphoto": "smartphoto",
    "pix": "internetbureau Pix",
}

SECURITY_MEASURES = gettext_lazy(
    "HTTPS only; private storage served through short-lived signed links; staff access by role with "
    "two-factor authentication; retention enforced by an automated sweep every %(minutes)d minutes, "
    "so that each period holds at any time of day."
)


def build_document() -> dict[str, Any]:
    """Return the policy as plain data: categories, purposes, bases, retention, processors."""
    rules = effective_schedule()
    categories = []
    for category in Category:
        entries = registry.for_category(category)
        cat_rules = [_rule_dict(r) for r in rules if r.category == category and rule_has_data(r)]
        if not entries:
            continue
        categories.append(
            {
                "key": category.value,
                "title": _msgid(category.label),
                "models": sorted({e.model for e in entries}),
                "purposes": _unique(_msgid(e.purpose) for e in entries),
                "legal_bases": _unique(e.legal_basis.value for e in entries),
                "examples": _unique(_msgid(e.examples) for e in entries if e.examples),
                "fields": sorted({f"{e.model}.{name}" for e in entries for name in e.field_names()}),
                "retention": cat_rules,
            }
        )
    return {
        "preset": preset_name(),
        "controller": dict(settings.PRIVACY_CONTROLLER),
        "authority": dict(settings.PRIVACY_SUPERVISORY_AUTHORITY),
        "processors": [dict(p) for p in settings.PRIVACY_PROCESSORS],
        "categories": categories,
        "sweep_interval_minutes": settings.PRIVACY_SWEEP_INTERVAL_MINUTES,
    }


def _rule_dict(rule) -> dict[str, Any]:
    """Return a rule as the document keeps it, with its scope's wording as declared in the registry."""
    data = rule.as_dict()
    if rule.scope:
        data["scope_wording"] = _msgid(registry.scope_wording(rule.scope) or rule.scope)
    return data


def _msgid(text: Any) -> str:
    """Return the untranslated message id of a lazy string (the document is language-independent)."""
    args = getattr(text, "_args", None)
    return str(args[0]) if args else str(text)


def _unique(items) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def current_version() -> PolicyVersion:
    """Return the policy version matching the registry and schedule in force, publishing it if new."""
    document = build_document()
    key = digest(document)
    version = PolicyVersion.objects.filter(digest=key).first()
    if version is not None:
        return version
    try:
        with transaction.atomic():
            latest = PolicyVersion.objects.select_for_update().order_by("-number").first()
            return PolicyVersion.objects.create(
                number=(latest.number + 1) if latest else 1,
                published_at=timezone.now(),
                digest=key,
                document=document,
            )
    except IntegrityError:
        # Another process published the same version at the same moment.
        return PolicyVersion.objects.get(digest=key)


def period_text(period: dict[str, int]) -> str:
    parts = []
    if period.get("years"):
        parts.append(ngettext("%(n)d year", "%(n)d years", period["years"]) % {"n": period["years"]})
    if period.get("months"):
        parts.append(ngettext("%(n)d month", "%(n)d months", period["months"]) % {"n": period["months"]})
    if period.get("days"):
        parts.append(ngettext("%(n)d day", "%(n)d days", period["days"]) % {"n": period["days"]})
    if period.get("hours"):
        parts.append(ngettext("%(n)d hour", "%(n)d hours", period["hours"]) % {"n": period["hours"]})
    return _(" and ").join(parts)


def retention_text(rule: dict[str, Any], *, preset: str = "") -> str:
    """Say a rule in plain words, e.g. "deleted 2 years after your last order"."""
    action = Action(rule["action"]).label
    trigger = Trigger(rule["trigger"]).label
    period = period_text(rule.get("period") or {})
    if period:
        text = _("%(action)s %(period)s after %(trigger)s") % {"action": action, "period": period, "trigger": trigger}
    else:
        text = _("%(action)s when %(trigger)s") % {"action": action, "trigger": trigger}
    wording = rule.get("scope_wording") or (registry.scope_wording(rule["scope"]) if rule.get("scope") else None)
    if wording:
        text = _("%(what)s: %(text)s") % {"what": _(str(wording)), "text": text}
    if rule.get("legal_hold"):
        text = _("%(text)s (kept that long by law, and restricted even if you ask us to erase it)") % {"text": text}
    if rule.get("platform_choice"):
        source = PRESET_SOURCES.get(preset, preset)
        text = _("%(text)s (our own choice: the %(source)s policy we follow sets no period for this)") % {
            "text": text,
            "source": source,
        }
    return text


def records_of_processing(document: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """Return the GDPR article 30 records: one row per category of personal data held."""
    document = document or build_document()
    controller = document["controller"]
    recipients = "; ".join(f"{p['name']} ({p['purpose']}, {p['location']})" for p in document["processors"])
    transfers = "; ".join(
        f"{p['name']}: {p['location']} ({p.get('safeguard') or 'no safeguard stated'})"
        for p in document["processors"]
        if p.get("outside_eea")
    )
    rows = []
    for cat in document["categories"]:
        rows.append(
            {
                "controller": f"{controller['name']}, {controller['address']} ({controller['email']})",
                "processing": cat["title"],
                "purposes": " / ".join(cat["purposes"]),
                "legal_bases": " / ".join(str(LegalBasis(b).label) for b in cat["legal_bases"]),
                "data_subjects": str(SUBJECTS.get(cat["key"], DEFAULT_SUBJECTS)),
                "personal_data": ", ".join(cat["fields"]),
                "recipients": recipients,
                "transfers_outside_eea": transfers,
                "retention": "; ".join(
                    f"{r['id']}: {retention_text(r, preset=document.get('preset', ''))}" for r in cat["retention"]
                ),
                "security_measures": str(SECURITY_MEASURES)
                % {"minutes": document.get("sweep_interval_minutes", settings.PRIVACY_SWEEP_INTERVAL_MINUTES)},
            }
        )
    return rows


def records_as_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["processing"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
