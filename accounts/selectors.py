"""Reads for accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, Q, QuerySet

from accounts.models import COMMUNICATION_DEFAULTS, Address, CommunicationKind, CommunicationPreference, User


@dataclass(frozen=True)
class PreferenceState:
    kind: str
    label: str
    enabled: bool
    changed_at: datetime | None
    changed_via: str


def communication_preferences_for(*, user: User) -> list[PreferenceState]:
    """Return the user's choice for every optional kind of message, defaults filled in."""
    stored = {pref.kind: pref for pref in user.communication_preferences.all()}
    states = []
    for kind in CommunicationKind:
        pref = stored.get(kind.value)
        states.append(
            PreferenceState(
                kind=kind.value,
                label=str(kind.label),
                enabled=pref.enabled if pref else COMMUNICATION_DEFAULTS[kind.value],
                changed_at=pref.changed_at if pref else None,
                changed_via=pref.get_changed_via_display() if pref else "",
            )
        )
    return states


def addresses_for(*, user: User) -> QuerySet[Address]:
    """Return the user's addresses: delivery ones first, the default on top, then billing."""
    return user.addresses.order_by("-kind", "-is_default", "created_at")


def default_delivery_country(*, user: User) -> str | None:
    """Return the country code of the user's default delivery address, or None."""
    if user.pk is None:
        return None
    return user.addresses.filter(kind=Address.Kind.DELIVERY, is_default=True).values_list("country", flat=True).first()


def closing_consequences(*, language: str | None = None, preset: str | None = None) -> list[str]:
    """Say what happens to a closed account's data under the schedule in force, one line per rule.

    The rules that count from the closing (STX-4, PIX-6, SMP-2), then the
    statutory retentions that outlive an erasure (PIX-1: invoices).
    """
    from django.utils import translation
    from django.utils.translation import gettext as _

    from privacy.policy import retention_text
    from privacy.schedule import Trigger, effective_schedule, preset_name

    name = preset_name(preset)
    rules = effective_schedule(name)
    chosen = [r for r in rules if r.trigger == Trigger.ACCOUNT_CLOSED] + [r for r in rules if r.legal_hold]
    with translation.override(language or translation.get_language()):
        return [
            _("%(what)s: %(text)s") % {"what": r.category.label, "text": retention_text(r.as_dict(), preset=name)}
            for r in chosen
        ]


def _wants(user_ref: Any, kind: str) -> Q:
    opted = CommunicationPreference.objects.filter(user=user_ref, kind=kind)
    chosen = (
        ~Exists(opted.filter(enabled=False)) if COMMUNICATION_DEFAULTS[kind] else Exists(opted.filter(enabled=True))
    )
    # A restriction of processing (ALB-3) stops every optional message until it is lifted.
    return chosen & ~Exists(User.objects.filter(pk=user_ref, processing_restricted_at__isnull=False))


def wants_service_messages(user_ref: Any) -> Q:
    """Return a condition on users: reachable by service messages (opt-out by default, STX-7), not restricted."""
    return _wants(user_ref, CommunicationKind.SERVICE)


def wants_marketing(user_ref: Any) -> Q:
    """Return a condition on users: asked for news and offers (opt-in, STX-7, SMP-11), not restricted."""
    return _wants(user_ref, CommunicationKind.MARKETING)
