from __future__ import annotations

import json
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from privacy.models import PolicyVersion, SweepRun
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
