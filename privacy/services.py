"""Writes of the privacy engine that act on one data subject."""

from __future__ import annotations

import datetime
import uuid

from django.core import signing
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from photoshop.outbox import enqueue
from privacy import cookies, files
from privacy.models import CookieConsent, DataExport
from privacy.registry import PersonalData, registry
from privacy.schedule import Action, effective_schedule
from privacy.sweep import apply_in_batches, delete_by_key, split_by_holds

ERASURE = "ERASURE"  # recorded as the rule of the files an erasure removes


def _subject_filter(entry: PersonalData, user_id: int) -> Q:
    return Q(pk=user_id) if entry.subject == "" else Q(**{entry.subject: user_id})


def _erasure_action(entry: PersonalData) -> Action:
    """Erasing a record anonymises it where it must stay (the account row others point at), else deletes it."""
    if entry.anonymise_by_deleting or not entry.anonymised_marker:
        return Action.DELETE
    return Action.ANONYMISE


def erase_subject(user, *, now: datetime.datetime | None = None, preset: str | None = None) -> dict[str, dict]:
    """Erase everything the registry holds about one user, now (ALB-3, SMP-9: the right to erasure).

    Every registered record that reaches the user is deleted, or anonymised
    where the row must stay; files go with their rows. Data under a legal
    hold of its category (PIX-1: invoices, 7 years) is restricted instead,
    never deleted, until the hold ends; the retention sweep finishes it then.
    Staff accounts are closed by hand: their records are evidence (PIX-2, PIX-9).

    Return, per model, how many records were erased and how many restricted.
    """
    if user.is_staff or user.is_superuser:
        raise ValueError("Staff accounts are not erased automatically; close them by hand.")
    now = now or timezone.now()
    holds = [rule for rule in effective_schedule(preset) if rule.legal_hold]
    outcome: dict[str, dict] = {}
    # The account row last: the others find the user through it.
    entries = sorted((e for e in registry.entries() if e.subject is not None), key=lambda e: e.subject == "")
    for entry in entries:
        action = _erasure_action(entry)
        rows = entry.base_queryset().filter(_subject_filter(entry, user.pk))
        if action == Action.ANONYMISE:
            rows = rows.filter(**{f"{entry.anonymised_marker}__isnull": True})
        label = entry.get_model()._meta.label
        for part, qs in split_by_holds(action, entry, rows, holds, now, category=entry.category):
            changed = sum(apply_in_batches(part, entry, qs, now=now, rule_id=ERASURE))
            counts = outcome.setdefault(label, {"erased": 0, "restricted": 0})
            counts["restricted" if part == Action.RESTRICT else "erased"] += changed
        if entry.held_minimum is not None and action == Action.DELETE:
            # What is left of the person's rows is what a legal hold keeps: only the minimum it needs.
            entry.held_minimum(rows=entry.base_queryset().filter(_subject_filter(entry, user.pk)))
    return outcome


def delete_with_files(rows: models.QuerySet) -> int:
    """Delete rows and what cascades from them, stored files included; return how many rows of ``rows``.

    For deletions outside the sweep (a shopper's photos, staff in the admin):
    files of the rows, and of rows the cascade takes along, are recorded in
    the same transaction and removed once it commits, so none outlives its row.
    """
    removals: list[files.Removal] = []
    with transaction.atomic():
        deleted = delete_by_key(rows, rule_id="", removals=removals)
        transaction.on_commit(lambda: files.remove(removals))
    return deleted


# SMP-13, ALB-3: a copy of a person's data, kept for them to download for 7 days.
EXPORT_KEPT = datetime.timedelta(days=7)
EXPORT_LINK_SALT = "privacy.data-export"


def export_request(*, user) -> DataExport:
    """Ask for a copy of one's data: one export in preparation at a time; the task builds it after the commit."""
    from privacy.tasks import build_export

    with transaction.atomic():
        pending = DataExport.objects.filter(user=user, status=DataExport.Status.PENDING).first()
        if pending is not None:
            return pending
        export = DataExport.objects.create(user=user)
        enqueue(build_export, str(export.pk))
    return export


def export_build(*, export_id) -> bool:
    """Build a pending export into private storage and tell its owner it is ready; return False if not pending."""
    import tempfile

    from django.core.files import File

    from privacy.emails import send_export_ready_email
    from privacy.exports import write_export

    export = DataExport.objects.select_related("user").filter(pk=export_id, status=DataExport.Status.PENDING).first()
    if export is None:
        return False
    try:
        with tempfile.TemporaryFile() as scratch:
            result = write_export(export.user, scratch)
            scratch.seek(0, 2)
            size = scratch.tell()
            scratch.seek(0)
            export.file.save(f"{export.pk}.zip", File(scratch), save=False)
    except Exception:
        DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.FAILED, finished_at=timezone.now())
        raise
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.READY,
        file=export.file.name,
        size_bytes=size,
        files_included=result["files_included"],
        finished_at=timezone.now(),
    )
    export.refresh_from_db()
    send_export_ready_email(export=export)
    return True


def export_link_token(export: DataExport) -> str:
    return signing.dumps({"export": str(export.pk)}, salt=EXPORT_LINK_SALT)


def exports_remove_expired(*, now: datetime.datetime | None = None) -> int:
    """Remove the files of exports ready for longer than ``EXPORT_KEPT`` (set-based); return how many."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = DataExport.objects.filter(status=DataExport.Status.READY, finished_at__lt=now - EXPORT_KEPT)
        removals = files.record_removals(expired.exclude(file="").values_list("file", flat=True), rule_id="EXPORT")
        changed = expired.update(status=DataExport.Status.EXPIRED, file="")
    transaction.on_commit(lambda: files.remove(removals))
    return changed


def cookie_consent_record(
    *, categories: set[str], previous: cookies.Consent | None, user=None, ip: str = ""
) -> cookies.Consent:
    """Record a cookie choice as proof (PIX-8, SMP-8) and return it for the visitor's cookie.

    Unknown categories are dropped; necessary cookies need no choice. A change
    of mind keeps the visitor's consent id, so their choices read as one
    history. Recorded under the policy version in force (published here if new).
    """
    from privacy.policy import current_version

    accepted = frozenset(c for c in categories if c in cookies.OPTIONAL)
    consent_id = previous.id if previous is not None else uuid.uuid4()
    now = timezone.now().replace(microsecond=0)
    version = current_version().number
    CookieConsent.objects.create(
        consent_id=consent_id,
        user=user if user is not None and user.is_authenticated else None,
        categories=sorted(accepted),
        policy_version=version,
        given_at=now,
        ip_network=cookies.truncated_ip(ip),
    )
    return cookies.Consent(consent_id, accepted, version, now)
