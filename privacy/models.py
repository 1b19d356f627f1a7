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


class CookieConsent(models.Model):
    """Proof of one cookie choice (PIX-8, SMP-8): which categories, under which policy version, when, from where.

    ``consent_id`` is the anonymous id in the visitor's cookie; a change of
    mind is a new row with the same id. The address is truncated to its
    network. Linked to the account when the visitor was signed in, so that it
    goes with the account's data; deleted 13 months after the choice (SMP-8).
    """

    consent_id = models.UUIDField(_("consent id"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cookie_consents",
        verbose_name=_("customer"),
    )
    categories = models.JSONField(_("accepted categories"), default=list, blank=True)
    policy_version = models.PositiveIntegerField(_("policy version shown"))
    given_at = models.DateTimeField(_("chosen at"), default=timezone.now, db_index=True)
    ip_network = models.CharField(_("network (truncated address)"), max_length=45, blank=True)

    class Meta:
        verbose_name = _("cookie choice")
        verbose_name_plural = _("cookie choices")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"consent {self.consent_id}"


def request_document_path(instance: PrivacyRequest, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"privacy-requests/{uuid.uuid4().hex}.{suffix}"


class PrivacyRequest(RetentionState):
    """A data-subject request (ALB-3): who asked for what, how we knew it was them, and every step until closed.

    Due one month after it is received; extendable by up to two more months
    with a reason sent to the requester; refused only with a reason (MYS-3).
    The identity document (MYS-2, SMP-10) is deleted as soon as the identity
    is accepted. Requests and their proof are deleted a year after they are
    closed (MYS-2); an erasure of the person keeps only a keyed hash of the
    e-mail address, as proof that the request was handled.
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("See the data you hold about me (access)")
        EXPORT = "export", _("Give me a copy of my data to take elsewhere (portability)")
        RECTIFICATION = "rectification", _("Correct data about me (rectification)")
        ERASURE = "erasure", _("Erase my data (erasure)")
        RESTRICTION = "restriction", _("Stop using my data while something is checked (restriction)")
        OBJECTION_MARKETING = "objection_marketing", _("Stop sending me marketing (objection)")
        OBJECTION_PROFILING = (
            "objection_profiling",
            _("Stop using my data for suggestions and sponsor adverts (objection to profiling)"),
        )
        WITHDRAW_CONSENT = "withdraw_consent", _("Withdraw a consent I gave")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        IDENTITY_PENDING = "identity_pending", _("identity to be confirmed")
        IN_PROGRESS = "in_progress", _("in progress")
        EXTENDED = "extended", _("extended")
        COMPLETED = "completed", _("completed")
        REFUSED = "refused", _("refused")

    class Identity(models.TextChoices):
        REAUTHENTICATION = "reauthentication", _("signed in and confirmed with their password")
        EMAIL_LINK = "email_link", _("confirmed a link sent to their e-mail address")
        DOCUMENT = "document", _("identity document checked")
        STAFF = "staff", _("checked by staff")

    OPEN = (Status.RECEIVED, Status.IDENTITY_PENDING, Status.IN_PROGRESS, Status.EXTENDED)

    kind = models.CharField(_("request"), max_length=24, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="privacy_requests",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    email_hash = models.CharField(_("keyed hash of the e-mail address"), max_length=64, editable=False)
    name = models.CharField(_("name"), max_length=150, blank=True)
    details = models.TextField(_("details"), blank=True, max_length=4000)
    language = models.CharField(_("language"), max_length=8, default="nl")
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    due_on = models.DateField(_("due on"), db_index=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    identity_verified_at = models.DateTimeField(_("identity confirmed at"), null=True, blank=True)
    identity_method = models.CharField(_("identity confirmed by"), max_length=20, choices=Identity.choices, blank=True)
    identity_document = models.FileField(
        _("identity document"), upload_to=request_document_path, max_length=200, blank=True
    )
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by (staff)"),
    )

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["due_on", "received_at"]
        permissions = [("handle_privacyrequest", "Can handle privacy requests (verify, extend, complete, refuse)")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["completed", "refused"], closed_at__isnull=False)
                | (~Q(status__in=["completed", "refused"]) & Q(closed_at__isnull=True)),
                name="privacy_request_closed_when_done",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"PR-{self.pk:06d}" if self.pk else "PR-new"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_overdue(self, today=None) -> bool:
        return self.is_open and (today or timezone.localdate()) > self.due_on


class PrivacyRequestEvent(RetentionState):
    """One step of a privacy request: who did what, when, and why (every step is recorded)."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("received")
        EMAIL_CONFIRMED = "email_confirmed", _("e-mail address confirmed")
        DOCUMENT_UPLOADED = "document_uploaded", _("identity document received")
        IDENTITY_VERIFIED = "identity_verified", _("identity confirmed")
        APPLIED = "applied", _("applied at once")
        EXTENDED = "extended", _("extended")
        COMPLETED = "completed", _("completed")
        REFUSED = "refused", _("refused")

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("step"), max_length=20, choices=Action.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("privacy request step")
        verbose_name_plural = _("privacy request steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class AccessLogEntry(RetentionState):
    """One staff view or export of a person's personal data (PIX-9): who, what, whose and when.

    Written when a staff member opens a customer's record, order, photo,
    question or privacy request in the admin, downloads a print-lab export or
    an identity document. Kept 2 years as evidence (PIX-9 in the default
    schedule). An erasure of the person removes the link to them; the entry
    of what staff did stays.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        DOWNLOAD = "download", _("downloaded a file")
        EXPORT = "export", _("exported")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("whose data"),
    )
    action = models.CharField(_("what was done"), max_length=10, choices=Action.choices)
    record_type = models.CharField(_("kind of record"), max_length=60)
    record_id = models.CharField(_("record"), max_length=64)

    class Meta:
        verbose_name = _("access to personal data")
        verbose_name_plural = _("access log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["subject", "at"]), models.Index(fields=["staff", "at"])]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id}"


class Breach(models.Model):
    """A personal-data breach (SMP-12, GDPR articles 33-34): what happened, whom it concerns, and their notice.

    The notice the affected people receive (likely impact and advice) is
    written in each language of the shop; each person gets it in theirs.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened (internal)"))
    discovered_at = models.DateTimeField(_("discovered at"), default=timezone.now)
    occurred_on = models.DateField(_("occurred on"), null=True, blank=True)
    reported_to_authority_at = models.DateTimeField(
        _("reported to the data protection authority at"), null=True, blank=True
    )
    impact_nl = models.TextField(_("likely impact (Dutch)"), blank=True)
    impact_fr = models.TextField(_("likely impact (French)"), blank=True)
    impact_en = models.TextField(_("likely impact (English)"), blank=True)
    advice_nl = models.TextField(_("advice (Dutch)"), blank=True)
    advice_fr = models.TextField(_("advice (French)"), blank=True)
    advice_en = models.TextField(_("advice (English)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    notify_started_at = models.DateTimeField(_("notification started at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data breach")
        verbose_name_plural = _("data breaches")
        ordering = ["-discovered_at"]

    def __str__(self) -> str:
        return self.title


class BreachNotice(models.Model):
    """One person a breach concerns, and when they were told (SMP-12)."""

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="notices", verbose_name=_("data breach"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="breach_notices", verbose_name=_("customer")
    )
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("person concerned by a breach")
        verbose_name_plural = _("people concerned by breaches")
        constraints = [models.UniqueConstraint(fields=["breach", "user"], name="privacy_breach_notice_once")]
        indexes = [models.Index(fields=["breach", "notified_at"])]

    def __str__(self) -> str:
        return f"breach {self.breach_id} notice {self.pk}"
