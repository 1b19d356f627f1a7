from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from privacy.models import PolicyVersion, SweepRun
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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "status", "preset", "dry_run", "as_of", "records"]
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

    @admin.display(description=_("records changed"))
    def records(self, run: SweepRun) -> int:
        return sum(outcome.get("count", 0) for outcome in run.counts.values())

    @admin.display(description=_("records per rule"))
    def counts_table(self, run: SweepRun) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (rule_id, outcome.get("action"), outcome.get("count"), outcome.get("restricted_by_hold"))
                for rule_id, outcome in run.counts.items()
            ),
        )
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("rule"),
            _("action"),
            _("records"),
            _("restricted by a legal hold"),
        )
        return format_html("<table>{}{}</table>", header, rows) if rows else "-"


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
        return format_html(
            '<a href="{}">CSV</a> · <a href="{}">JSON</a>',
            reverse("privacy_records_of_processing", args=["csv"]),
            reverse("privacy_records_of_processing", args=["json"]),
        )
