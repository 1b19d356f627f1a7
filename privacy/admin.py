from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from privacy import breaches, dsar
from privacy.access import LogsAccess, access_record
from privacy.models import (
    AccessLogEntry,
    Breach,
    CookieConsent,
    PolicyVersion,
    PrivacyRequest,
    PrivacyRequestEvent,
    SweepRun,
)
from privacy.policy import retention_text
from privacy.registry import registry
from privacy.schedule import Action, effective_schedule, preset_name
from privacy.services import delete_with_files


class DeletesStoredFiles:
    """ModelAdmin mixin: deleting rows in the admin removes their stored files too.

    Also the files of rows the deletion cascades to (a user's photos), so that
    no file outlives its row whoever deletes it.
    """

    def delete_model(self, request: HttpRequest, obj) -> None:
        delete_with_files(type(obj)._base_manager.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        delete_with_files(queryset)


def holds_personal_data(model: type[models.Model]) -> bool:
    """Whether the privacy registry declares personal data for the model (or the model a proxy stands for)."""
    return bool(registry.for_model(model._meta.label) or registry.for_model(model._meta.concrete_model._meta.label))


def admin_log_repr(obj: models.Model) -> str:
    """Return how the admin log names a record: by its kind and key where it holds personal data.

    ``str()`` of a user, an address or a photo shows an e-mail address, a
    name or a file name; the log entry would keep it long after the record
    itself was erased. The key says which record it was, and nothing more.
    """
    if not holds_personal_data(type(obj)):
        return str(obj)
    with translation.override(None):  # stored in English, as Django stores change messages
        return f"{obj._meta.verbose_name} #{obj.pk}"


class _LogName:
    """Stand-in for a record in a change message: its log name, and the same _meta."""

    def __init__(self, obj: models.Model) -> None:
        self._obj = obj
        self._meta = obj._meta

    def __str__(self) -> str:
        return admin_log_repr(self._obj)


def _formset_for_log(formset: Any) -> SimpleNamespace:
    """Return the parts of a saved formset that Django's change message reads, records named for the log."""
    return SimpleNamespace(
        forms=formset.forms,
        new_objects=[_LogName(obj) for obj in formset.new_objects],
        changed_objects=[(_LogName(obj), fields) for obj, fields in formset.changed_objects],
        deleted_objects=[_LogName(obj) for obj in formset.deleted_objects],
    )


class AdminLogWithoutPersonalData:
    """ModelAdmin mixin: admin log entries name records by kind and key, never by their personal data.

    Django writes ``str(obj)`` into ``LogEntry.object_repr`` and into the
    change message of inline records; for models the privacy registry
    declares, that is a customer's e-mail, name, address or file name, kept
    under the staff member's log where no erasure reaches it. The change
    message otherwise lists field labels only, never values.
    Every admin of a declared model uses this (accounts/tests/test_admin_log.py checks).
    """

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> LogEntry:
        return _log(request, [obj], ADDITION, message)[0]

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> LogEntry:
        return _log(request, [obj], CHANGE, message)[0]

    def log_deletions(self, request: HttpRequest, queryset: Iterable[models.Model]) -> list[LogEntry]:
        return _log(request, queryset, DELETION, "")

    def construct_change_message(self, request: HttpRequest, form, formsets, add: bool = False):
        if formsets:
            formsets = [_formset_for_log(formset) for formset in formsets]
        return super().construct_change_message(request, form, formsets, add)


def _log(request: HttpRequest, objects: Iterable[models.Model], action_flag: int, message: Any) -> list[LogEntry]:
    """Write one log entry per record, as LogEntryManager.log_actions does, each named by admin_log_repr."""
    if isinstance(message, list):
        message = json.dumps(message)
    entries = [
        LogEntry(
            user_id=request.user.pk,
            content_type_id=ContentType.objects.get_for_model(obj, for_concrete_model=False).pk,
            object_id=str(obj.pk),
            object_repr=admin_log_repr(obj)[:200],
            action_flag=action_flag,
            change_message=message,
        )
        for obj in objects
    ]
    if len(entries) == 1:
        entries[0].save()
        return entries
    return LogEntry.objects.bulk_create(entries)


class ReadOnlyInline(admin.TabularInline):
    """An inline of records written by services only: shown, never added, changed or deleted here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "kind", "preset", "as_of", "records"]
    list_filter = ["status", "dry_run", "preset"]
    readonly_fields = [
        "id",
        "started_at",
        "finished_at",
        "heartbeat_at",
        "status",
        "preset",
        "dry_run",
        "as_of",
        "counts_table",
        "errors",
    ]
    exclude = ["counts"]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        from privacy.checks import waiting_rules

        descriptions = _rule_descriptions(preset_name())
        waiting = [(rule_id, descriptions.get(rule_id, "")) for rule_id in waiting_rules()]
        return super().changelist_view(request, {**(extra_context or {}), "waiting_rules": waiting})

    @admin.display(description=_("status"), ordering="status")
    def kind(self, run: SweepRun) -> str:
        """A dry run changed nothing: say so where a real run shows its status."""
        if run.dry_run:
            return format_html("<strong>{}</strong>", _("dry run, nothing changed"))
        return run.get_status_display()

    @admin.display(description=_("records changed"))
    def records(self, run: SweepRun) -> str | int:
        total = sum(outcome.get("count", 0) for outcome in run.counts.values())
        return _("%(n)d would change") % {"n": total} if run.dry_run else total

    @admin.display(description=_("records per rule"))
    def counts_table(self, run: SweepRun) -> str:
        descriptions = _rule_descriptions(run.preset)
        rows = format_html_join(
            "",
            "<tr><td><strong>{}</strong><br>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    rule_id,
                    descriptions.get(rule_id, ""),
                    Action(outcome["action"]).label if outcome.get("action") in Action.values else "",
                    outcome.get("count"),
                    outcome.get("restricted_by_hold"),
                )
                for rule_id, outcome in run.counts.items()
            ),
        )
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("rule"),
            _("action"),
            _("records that would change") if run.dry_run else _("records"),
            _("restricted by a legal hold"),
        )
        return format_html("<table>{}{}</table>", header, rows) if rows else "-"


def _rule_descriptions(preset: str) -> dict[str, str]:
    """Return each rule of a preset's schedule said in words (third person), by rule id."""
    try:
        rules = effective_schedule(preset)
    except ImproperlyConfigured:
        return {}
    return {rule.id: retention_text(rule.as_dict(), preset=preset, third_person=True) for rule in rules}


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ["number", "published_at", "view_link"]
    exclude = ["document"]
    readonly_fields = ["number", "published_at", "digest", "view_link", "downloads"]

    @admin.display(description=_("published page"))
    def view_link(self, version: PolicyVersion) -> str:
        return format_html('<a href="{}">{}</a>', reverse("privacy:policy_version", args=[version.number]), _("view"))

    @admin.display(description=_("records of processing (GDPR art. 30)"))
    def downloads(self, version: PolicyVersion) -> str:
        """Links per language: the officer picks the one language of the whole file."""
        return format_html_join(
            " · ",
            '{}: <a href="{}?lang={}">CSV</a> <a href="{}?lang={}">JSON</a>',
            (
                (
                    name,
                    reverse("privacy_records_of_processing", args=["csv"]),
                    code,
                    reverse("privacy_records_of_processing", args=["json"]),
                    code,
                )
                for code, name in settings.LANGUAGES
            ),
        )


@admin.register(CookieConsent)
class CookieConsentAdmin(AdminLogWithoutPersonalData, ReadOnlyAdmin):
    """Proof of cookie choices (PIX-8, SMP-8), for the privacy officer: search by consent id."""

    list_display = ["given_at", "consent_id", "accepted", "policy_version", "ip_network"]
    list_filter = ["policy_version"]
    search_fields = ["=consent_id"]
    date_hierarchy = "given_at"
    show_full_result_count = False
    readonly_fields = ["consent_id", "user", "categories", "policy_version", "given_at", "ip_network"]
    raw_id_fields = ["user"]

    @admin.display(description=_("accepted categories"))
    def accepted(self, obj: CookieConsent) -> str:
        return ", ".join(obj.categories) or "—"


class PrivacyRequestEventInline(admin.TabularInline):
    model = PrivacyRequestEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("overdue")), ("week", _("due within a week"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        open_ = queryset.filter(status__in=PrivacyRequest.OPEN)
        if self.value() == "overdue":
            return open_.filter(due_on__lt=today)
        if self.value() == "week":
            return open_.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=7))
        return queryset


class PrivacyRequestAddForm(forms.ModelForm):
    class Meta:
        model = PrivacyRequest
        fields = ["kind", "email", "name", "details", "language"]
        widgets = {"language": forms.Select(choices=settings.LANGUAGES)}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(LogsAccess, AdminLogWithoutPersonalData, admin.ModelAdmin):
    """The privacy officer's queue of data-subject requests (ALB-3, ALB-4, MYS-2, MYS-3): due dates and every step."""

    list_display = ["reference_link", "short_kind", "status", "email", "received_at", "due_on", "overdue"]
    list_filter = [OverdueFilter, "status", "kind"]
    search_fields = ["=email", "=id"]
    list_select_related = False
    show_full_result_count = False
    list_per_page = 50
    inlines = [PrivacyRequestEventInline]
    change_form_template = "admin/privacy/privacyrequest/change_form.html"
    readonly_fields = [
        "reference",
        "kind",
        "status",
        "user",
        "email",
        "name",
        "details",
        "language",
        "received_at",
        "due_on",
        "extension_reason",
        "email_confirmed_at",
        "identity_verified_at",
        "identity_method",
        "document",
        "outcome",
        "closed_at",
        "entered_by",
    ]
    STEPS = ("verify", "extend", "complete", "refuse")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("details", "outcome", "extension_reason")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PrivacyRequestAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return PrivacyRequestAddForm._meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # every change is a step (below), recorded with who and why

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # deleted by the retention schedule a year after closing (MYS-2)

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        created = dsar.request_enter(
            actor=request.user,
            kind=data["kind"],
            email=data["email"],
            name=data["name"],
            details=data["details"],
            language=data["language"],
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.display(description=_("reference"), ordering="id")
    def reference_link(self, obj: PrivacyRequest) -> str:
        return obj.reference

    @admin.display(description=_("request"), ordering="kind")
    def short_kind(self, obj: PrivacyRequest) -> str:
        """The right asked for, as the label's closing words in brackets name it ("access", "erasure")."""
        label = str(obj.get_kind_display())
        return label.rsplit("(", 1)[-1].rstrip(")") if label.endswith(")") else label

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: PrivacyRequest) -> bool:
        return obj.is_overdue()

    @admin.display(description=_("identity document"))
    def document(self, obj: PrivacyRequest) -> str:
        if not obj.identity_document:
            return "—"
        url = reverse("admin:privacy_privacyrequest_document", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the document (deleted once the identity is confirmed)"))

    def get_urls(self):
        own = [
            path(
                "<int:object_id>/step/<str:step>/",
                self.admin_site.admin_view(self.step_view),
                name="privacy_privacyrequest_step",
            ),
            path(
                "<int:object_id>/document/",
                self.admin_site.admin_view(self.document_view),
                name="privacy_privacyrequest_document",
            ),
        ]
        return own + super().get_urls()

    def _handled(self, request: HttpRequest, object_id: int) -> PrivacyRequest:
        if not request.user.has_perm("privacy.handle_privacyrequest"):
            raise PermissionDenied
        found = self.get_queryset(request).filter(pk=object_id).first()
        if found is None:
            raise Http404
        return found

    def step_view(self, request: HttpRequest, object_id: int, step: str) -> HttpResponse:
        """One step on a request (confirm identity, extend, complete, refuse), from the buttons on its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        found = self._handled(request, object_id)
        post = request.POST
        try:
            if step == "verify":
                dsar.request_verify_identity(request=found, actor=request.user, note=post.get("note", ""))
                done = _("The identity is confirmed; the document, if any, is deleted.")
            elif step == "extend":
                months = int(post.get("months", "0")) if post.get("months", "").isdigit() else 0
                dsar.request_extend(request=found, actor=request.user, months=months, reason=post.get("reason", ""))
                done = _("The request is extended; the reason is sent to the requester.")
            elif step == "complete":
                dsar.request_complete(request=found, actor=request.user, outcome=post.get("outcome", ""))
                done = _("The request is completed; the requester is told what was done.")
            elif step == "refuse":
                dsar.request_refuse(request=found, actor=request.user, reason=post.get("reason", ""))
                done = _("The request is refused; the reason is sent to the requester.")
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
        return HttpResponseRedirect(reverse("admin:privacy_privacyrequest_change", args=[found.pk]))

    def document_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The identity document, for the privacy officer only, never cached."""
        found = self._handled(request, object_id)
        if not found.identity_document:
            raise Http404
        name = found.identity_document.name
        access_record(staff=request.user, records=[(found, found.user_id)], action="download")
        response = FileResponse(
            found.identity_document.open("rb"), as_attachment=False, filename=name.rsplit("/", 1)[-1]
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_handle"] = (
            obj is not None and obj.is_open and request.user.has_perm("privacy.handle_privacyrequest")
        )
        context["extension_months"] = dsar.EXTENSION_MONTHS
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(AdminLogWithoutPersonalData, ReadOnlyAdmin):
    """The access log (PIX-9) for the privacy officer: who opened or exported whose data, and when."""

    list_display = ["at", "staff", "action", "record_type", "record_id", "subject"]
    list_filter = ["action", "record_type"]
    search_fields = ["=staff__email", "=subject__email", "=record_id"]
    date_hierarchy = "at"
    list_select_related = ["staff", "subject"]
    show_full_result_count = False
    fields = ["at", "staff", "action", "record_type", "record_id", "subject"]
    readonly_fields = fields


@admin.register(Breach)
class BreachAdmin(AdminLogWithoutPersonalData, admin.ModelAdmin):
    """The breach register (SMP-12): describe a breach, link the people it concerns, and tell them."""

    list_display = ["title", "discovered_at", "reported_to_authority_at", "people", "told"]
    search_fields = ["title"]
    date_hierarchy = "discovered_at"
    change_form_template = "admin/privacy/breach/change_form.html"
    readonly_fields = ["created_by", "created_at", "notify_started_at", "people", "told"]
    fieldsets = [
        (None, {"fields": ["title", "description", "discovered_at", "occurred_on", "reported_to_authority_at"]}),
        (
            _("Notice to the people concerned"),
            {"fields": ["impact_nl", "advice_nl", "impact_fr", "advice_fr", "impact_en", "advice_en"]},
        ),
        (_("Progress"), {"fields": ["created_by", "created_at", "notify_started_at", "people", "told"]}),
    ]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_people=models.Count("notices"),
                n_told=models.Count("notices", filter=models.Q(notices__notified_at__isnull=False)),
            )
        )

    @admin.display(description=_("people concerned"))
    def people(self, obj: Breach) -> int:
        return getattr(obj, "n_people", 0)

    @admin.display(description=_("told"))
    def told(self, obj: Breach) -> int:
        return getattr(obj, "n_told", 0)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the register is evidence (GDPR article 33(5))

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        own = [
            path(
                "<int:object_id>/step/<str:step>/",
                self.admin_site.admin_view(self.step_view),
                name="privacy_breach_step",
            )
        ]
        return own + super().get_urls()

    def step_view(self, request: HttpRequest, object_id: int, step: str) -> HttpResponse:
        """Link people by e-mail address, or start telling them."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        breach = Breach.objects.filter(pk=object_id).first()
        if breach is None:
            raise Http404
        try:
            if step == "link":
                linked, unknown = breaches.breach_link_people(
                    breach=breach, emails=request.POST.get("emails", "").split()
                )
                messages.success(request, _("%(count)d people linked.") % {"count": linked})
                if unknown:
                    messages.warning(
                        request,
                        _("No customer account has these addresses: %(emails)s") % {"emails": ", ".join(unknown[:20])},
                    )
            elif step == "notify":
                count = breaches.breach_notify(breach=breach)
                messages.success(
                    request, _("%(count)d people are being told, each in their language.") % {"count": count}
                )
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("admin:privacy_breach_change", args=[breach.pk]))
