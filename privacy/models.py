"""Records of the privacy engine: sweep runs, pending file removals, policy versions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


class RetentionState(models.Model):
    """Markers for rows the sweep anonymises or restricts; they make each action idempotent."""

    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    restricted_at = models.DateTimeField(_("restricted at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class SweepRun(models.Model):
    """One run of the retention sweep, shown read-only to the privacy officer."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")
        INTERRUPTED = "interrupted", _("interrupted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    preset = models.CharField(_("preset"), max_length=32)
    dry_run = models.BooleanField(_("dry run"), default=False)
    as_of = models.DateTimeField(_("as of"), help_text=_("The moment the rules were applied for."))
    counts = models.JSONField(_("records per rule"), default=dict, blank=True)
    changed = models.PositiveIntegerField(_("records changed"), default=0)
    errors = models.TextField(_("errors"), blank=True)

    class Meta:
        verbose_name = _("retention sweep run")
        verbose_name_plural = _("retention sweep runs")
        ordering = ["-started_at"]
        constraints = [
            # The database lock: at most one running (non-dry) sweep.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="running", dry_run=False),
                name="privacy_sweeprun_one_running",
            ),
        ]

    def __str__(self) -> str:
        # Local time, as the admin shows the fields.
        started = date_format(timezone.localtime(self.started_at), "DATETIME_FORMAT")
        kind = _("dry run, nothing changed") if self.dry_run else self.get_status_display()
        return f"{started} · {self.preset} ({kind})"


class PendingFileRemoval(models.Model):
    """Stored files to delete (at most 1,000 names), recorded in the transaction that orphans them.

    A sweep killed half-way leaves these behind; the next run finishes them,
    so no row points at a missing file and no file outlives its row. One
    record holds a batch of names: one S3 ``DeleteObjects`` request's worth.
    """

    storage = models.CharField(max_length=32, default="default")
    names = models.JSONField(default=list)
    rule_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.storage}: {len(self.names)} file(s)"


class PolicyVersion(models.Model):
    """A published version of the privacy policy, made when the schedule or registry changes."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    published_at = models.DateTimeField(_("published at"))
    # Not unique: a change that is reverted publishes the earlier text again, as a new version.
    digest = models.CharField(max_length=64, db_index=True)
    document = models.JSONField(_("document"))

    class Meta:
        verbose_name = _("privacy policy version")
        verbose_name_plural = _("privacy policy versions")
        ordering = ["-number"]
        permissions = [("export_records_of_processing", _("Can download the records of processing"))]

    def __str__(self) -> str:
        return f"v{self.number} ({self.published_at:%Y-%m-%d})"


def export_path(instance: DataExport, filename: str) -> str:
    return f"exports/{instance.pk}.zip"


class DataExport(models.Model):
    """A copy of everything we hold about a person, asked for by them (access and portability, SMP-13, ALB-3).

    Built by a task into one ZIP in private storage: a machine-readable JSON
    of every registered record, the files themselves and a readable summary.
    The file is removed ``EXPORT_KEPT`` after it is ready; the record of the
    request follows the privacy requests' retention (MYS-2).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready to download")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired (removed)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports", verbose_name=_("customer")
    )
    requested_at = models.DateTimeField(_("asked for at"), default=timezone.now)
    finished_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to=export_path, max_length=200, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    files_included = models.PositiveIntegerField(_("files included"), default=0)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-requested_at"]
        constraints = [
            # One export in preparation per person: asking again while it is built adds nothing.
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="privacy_dataexport_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.pk}"


class RetentionNotice(models.Model):
    """One e-mail telling a person that the schedule will soon end some of their data, and when.

    Unique per person, category and deadline: never a second notice for the
    same ending. Goes with the account's data.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="retention_notices",
        verbose_name=_("customer"),
    )
    category = models.CharField(_("kind of data"), max_length=32)
    due_on = models.DateField(_("ends on"))
    count = models.PositiveIntegerField(_("records"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("retention notice")
        verbose_name_plural = _("retention notices")
        constraints = [
            models.UniqueConstraint(fields=["user", "category", "due_on"], name="privacy_notice_once_per_deadline")
        ]

    def __str__(self) -> str:
        return f"notice {self.pk}"
