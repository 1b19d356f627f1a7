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
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_countries import countries

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
                "record_purposes": _unique(_msgid(e.record_purpose or e.purpose) for e in entries),
                "legal_bases": _unique(e.legal_basis.value for e in entries),
                "examples": _unique(_msgid(e.examples) for e in entries if e.examples),
                "fields": sorted({f"{e.model}.{name}" for e in entries for name in e.field_names()}),
                "retention": cat_rules,
            }
        )
    return {
        "preset": preset_name(),
        "controller": dict(settings.PRIVACY_CONTROLLER),
        "authorities": [dict(a) for a in settings.PRIVACY_SUPERVISORY_AUTHORITIES],
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


# The document in force, per process: it follows from code and settings only, so
# it is built again only when one of them changes (a test's settings, a registry
# declaration), not on every request. Keyed with what it is built from.
_document_memo: dict[str, Any] = {}


def _document_fingerprint() -> tuple:
    """Return what the document is built from, cheaply: the settings it reads and the registry's declarations."""
    names = (
        "PRIVACY_RETENTION_PRESET",
        "PRIVACY_RETENTION_OVERRIDES",
        "PRIVACY_RETENTION_EXTRA_RULES",
        "PRIVACY_CONTROLLER",
        "PRIVACY_SUPERVISORY_AUTHORITIES",
        "PRIVACY_PROCESSORS",
        "PRIVACY_SWEEP_INTERVAL_MINUTES",
    )
    return (
        repr([getattr(settings, name, None) for name in names]),
        tuple(map(id, registry._entries)),
        tuple(map(id, registry._extensions)),
        tuple(registry._not_personal),
    )


def document_in_force() -> tuple[dict[str, Any], str]:
    """Return the document of the registry and schedule in force, and its digest (built once per change)."""
    fingerprint = _document_fingerprint()
    if _document_memo.get("fingerprint") != fingerprint:
        document = build_document()
        _document_memo.update(fingerprint=fingerprint, document=document, digest=digest(document))
    return _document_memo["document"], _document_memo["digest"]


# The published versions' numbers, digests and times, in the shared cache: the
# policy page then needs no database at all while no version is published.
# Removed whenever a version is saved or deleted (at once and after commit);
# the timeout bounds how long a list read just before a publication can stay.
PUBLISHED_CACHE_KEY = "privacy:policy:published"
PUBLISHED_CACHE_TIMEOUT = 300
_PUBLISHED_FIELDS = ("id", "number", "published_at", "digest")


def published_versions() -> list[PolicyVersion]:
    """Return every published version, newest first, without their documents (loaded when read)."""
    rows = cache.get(PUBLISHED_CACHE_KEY)
    if rows is None:
        rows = list(PolicyVersion.objects.order_by("-number").values_list(*_PUBLISHED_FIELDS))
        cache.set(PUBLISHED_CACHE_KEY, rows, timeout=PUBLISHED_CACHE_TIMEOUT)
    return [PolicyVersion.from_db(DEFAULT_DB_ALIAS, _PUBLISHED_FIELDS, row) for row in rows]


@receiver([post_save, post_delete], sender=PolicyVersion, dispatch_uid="privacy.policy.published_changed")
def _published_changed(**kwargs: Any) -> None:
    cache.delete(PUBLISHED_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(PUBLISHED_CACHE_KEY))


def current_version(*, published: list[PolicyVersion] | None = None) -> PolicyVersion:
    """Return the policy version matching the registry and schedule in force, publishing it if new.

    Compared with the latest version only: a change that is later reverted
    publishes the earlier text again as a new version, since that is what is
    in force from then on. ``published`` is ``published_versions()`` when the
    caller has it already. The version's document is loaded when first read.
    """
    document, key = document_in_force()
    if published is None:
        published = published_versions()
    latest = published[0] if published else None
    if latest is not None and latest.digest == key:
        return latest
    try:
        with transaction.atomic():
            latest = PolicyVersion.objects.select_for_update().order_by("-number").first()
            if latest is not None and latest.digest == key:
                return latest  # another process published it meanwhile
            return PolicyVersion.objects.create(
                number=(latest.number + 1) if latest else 1,
                published_at=timezone.now(),
                digest=key,
                document=document,
            )
    except IntegrityError:
        # Another process published the same version at the same moment.
        return PolicyVersion.objects.order_by("-number").first()


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


# The records of processing speak of the data subject, not to them (third person).
THIRD_PERSON = {
    Trigger.LAST_ACTIVITY: gettext_lazy("the data subject's last activity"),
    Trigger.ORDER_DATE: gettext_lazy("the order date"),
    Trigger.ORDER_COMPLETED: gettext_lazy("the completion of the order"),
    Trigger.LAST_ORDER: gettext_lazy("the data subject's last order"),
    Trigger.UPLOAD_OR_LAST_ORDER: gettext_lazy("the upload or the data subject's last order, whichever is later"),
    Trigger.ACCOUNT_CLOSED: gettext_lazy("the closing of the account"),
    Trigger.LAST_COMMUNICATION: gettext_lazy("the last communication"),
    Trigger.UNSUBSCRIBED: gettext_lazy("the data subject unsubscribing"),
    Trigger.UPLOAD_DATE: gettext_lazy("the upload"),
    Trigger.SESSION_END: gettext_lazy("the end of the visit"),
    Trigger.CONSENT_GIVEN: gettext_lazy("the cookie choice"),
    Trigger.TICKET_RESOLVED: gettext_lazy("the resolution of the question"),
    Trigger.REQUEST_CLOSED: gettext_lazy("the handling of the request"),
    Trigger.RECORDED: gettext_lazy("the moment it was recorded"),
}
THIRD_PERSON_SCOPES = {
    "account_not_ordered": gettext_lazy("uploaded to an account and not ordered"),
}


def retention_text(rule: dict[str, Any], *, preset: str = "", third_person: bool = False) -> str:
    """Say a rule in plain words, e.g. "deleted 2 years after your last order".

    ``third_person`` speaks of the data subject, for the records of processing.
    """
    action = Action(rule["action"]).label
    trigger = THIRD_PERSON[rule["trigger"]] if third_person else Trigger(rule["trigger"]).label
    period = period_text(rule.get("period") or {})
    if period:
        text = _("%(action)s %(period)s after %(trigger)s") % {"action": action, "period": period, "trigger": trigger}
    else:
        text = _("%(action)s when %(trigger)s") % {"action": action, "trigger": trigger}
    wording = rule.get("scope_wording") or (registry.scope_wording(rule["scope"]) if rule.get("scope") else None)
    if third_person and rule.get("scope") in THIRD_PERSON_SCOPES:
        wording = THIRD_PERSON_SCOPES[rule["scope"]]
    if wording:
        text = _("%(what)s: %(text)s") % {"what": _(str(wording)), "text": text}
    if rule.get("legal_hold"):
        if third_person:
            text = _("%(text)s (a statutory retention: restricted, not erased, on an erasure request)") % {
                "text": text
            }
        else:
            text = _("%(text)s (kept that long by law, and restricted even if you ask us to erase it)") % {
                "text": text
            }
    if rule.get("platform_choice"):
        source = PRESET_SOURCES.get(preset, preset)
        if third_person:
            message = _("%(text)s (the platform's own choice: the %(source)s policy followed sets no period)")
        else:
            message = _("%(text)s (our own choice: the %(source)s policy we follow sets no period for this)")
        text = message % {"text": text, "source": source}
    return text


def country_names(codes) -> str:
    """Return country codes as names in the active language, e.g. "Ireland, United States"."""
    return ", ".join(str(countries.name(code) or code) for code in codes)


def localised(document: dict[str, Any]) -> dict[str, Any]:
    """Return the controller, processors and authorities of a document in the active language.

    Documents published before countries were codes keep their text as it was.
    """
    controller = dict(document["controller"])
    if controller.get("country"):
        controller["address"] = f"{controller['address']}, {country_names([controller['country']])}"
    processors = [
        {
            **p,
            "purpose": _(p["purpose"]) if p.get("purpose") else "",
            "safeguard": _(p["safeguard"]) if p.get("safeguard") else "",
            "location": country_names(p["countries"]) if "countries" in p else p.get("location", ""),
        }
        for p in document["processors"]
    ]
    authorities = document.get("authorities") or [document["authority"]]
    authorities = [
        {
            **a,
            "name": _(a["name"]),
            "address": ", ".join(
                filter(None, [_(a["address"]), country_names([a["country"]]) if a.get("country") else ""])
            ),
            "audience": _(a["audience"]) if a.get("audience") else "",
        }
        for a in authorities
    ]
    return {"controller": controller, "processors": processors, "authorities": authorities}


RECORD_COLUMNS = {
    "controller": gettext_lazy("Controller"),
    "processing": gettext_lazy("Processing"),
    "purposes": gettext_lazy("Purposes"),
    "legal_bases": gettext_lazy("Legal bases"),
    "data_subjects": gettext_lazy("Data subjects"),
    "personal_data": gettext_lazy("Personal data"),
    "recipients": gettext_lazy("Recipients"),
    "transfers_outside_eea": gettext_lazy("Transfers outside the EEA"),
    "retention": gettext_lazy("Retention"),
    "security_measures": gettext_lazy("Security measures"),
}
LEGAL_BASES_THIRD_PERSON = {
    LegalBasis.CONSENT: gettext_lazy("Consent of the data subject (GDPR art. 6(1)(a))"),
    LegalBasis.CONTRACT: gettext_lazy("Performance of a contract with the data subject (GDPR art. 6(1)(b))"),
    LegalBasis.LEGAL_OBLIGATION: gettext_lazy("A legal obligation of the controller (GDPR art. 6(1)(c))"),
    LegalBasis.LEGITIMATE_INTEREST: gettext_lazy("Legitimate interest of the controller (GDPR art. 6(1)(f))"),
}


def records_of_processing(
    document: dict[str, Any] | None = None, *, language: str | None = None
) -> list[dict[str, str]]:
    """Return the GDPR article 30 records, one row per category, in one language for the officer and authority."""
    document = document or build_document()
    with translation.override(language or settings.LANGUAGE_CODE):
        local = localised(document)
        controller = local["controller"]
        recipients = "; ".join(f"{p['name']} ({p['purpose']}, {p['location']})" for p in local["processors"])
        transfers = "; ".join(
            f"{p['name']}: {p['location']} ({p['safeguard'] or _('no safeguard stated')})"
            for p in local["processors"]
            if p.get("outside_eea")
        )
        preset = document.get("preset", "")
        minutes = document.get("sweep_interval_minutes", settings.PRIVACY_SWEEP_INTERVAL_MINUTES)
        rows = []
        for cat in document["categories"]:
            rows.append(
                {
                    "controller": f"{controller['name']}, {controller['address']} ({controller['email']})",
                    "processing": _(cat["title"]),
                    "purposes": " / ".join(_(p) for p in cat.get("record_purposes", cat["purposes"])),
                    "legal_bases": " / ".join(str(LEGAL_BASES_THIRD_PERSON[b]) for b in cat["legal_bases"]),
                    "data_subjects": str(SUBJECTS.get(cat["key"], DEFAULT_SUBJECTS)),
                    "personal_data": ", ".join(cat["fields"]),
                    "recipients": recipients,
                    "transfers_outside_eea": transfers,
                    "retention": "; ".join(
                        f"{r['id']}: {retention_text(r, preset=preset, third_person=True)}" for r in cat["retention"]
                    ),
                    "security_measures": str(SECURITY_MEASURES) % {"minutes": minutes},
                }
            )
        return rows


def records_as_csv(rows: list[dict[str, str]], *, language: str | None = None) -> str:
    """Return the records as CSV, the header row in the records' language."""
    out = io.StringIO()
    writer = csv.writer(out)
    with translation.override(language or settings.LANGUAGE_CODE):
        writer.writerow([str(label) for label in RECORD_COLUMNS.values()])
    writer.writerows([row[key] for key in RECORD_COLUMNS] for row in rows)
    return out.getvalue()
