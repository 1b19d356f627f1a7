"""The print lab's admin: paid orders to produce, their print files only, and batch exports.

The lab works on ``LabOrder`` (a view of Order): it sees the shipping label
(name, address, phone) and the lines, never the e-mail address, the amounts
or the customer's other photos.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.admin.status import StatusActions
from orders.models import LabExport, LabOrder, Order, OrderLine, OrderStatus, PrintFile
from orders.services.lab import PRODUCIBLE, lab_export_create, line_defect_decide
from orders.services.lifecycle import order_transition
from privacy.access import LogsAccess, access_record
from privacy.admin import AdminLogWithoutPersonalData


@admin.action(description=_("Export to the print lab (ZIP with job ticket)"), permissions=["view"])
def export_for_lab(modeladmin, request: HttpRequest, queryset: QuerySet[Order]) -> None:
    try:
        export = lab_export_create(orders=list(queryset[:500]), actor=request.user)
    except ValidationError as exc:
        modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
        return
    url = reverse("admin:orders_labexport_change", args=[export.pk])
    modeladmin.message_user(
        request, format_html(gettext('Export ready: <a href="{}">download it</a>.'), url), messages.SUCCESS
    )


lab_actions = [export_for_lab]


class DefectForm(forms.ModelForm):
    class Meta:
        model = OrderLine
        fields = ("lab_decision", "lab_note")


class LabLineInline(admin.TabularInline):
    model = OrderLine
    form = DefectForm
    extra = 0
    can_delete = False
    fields = ("position", "product_name", "format_code", "quantity", "finish_code", "fit", "files", "lab_decision",
              "lab_note")  # fmt: skip
    readonly_fields = ("position", "product_name", "format_code", "quantity", "finish_code", "fit", "files")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("print files"))
    def files(self, line: OrderLine) -> str:
        return (
            format_html_join(
                " ",
                '<a href="{}">{}</a> <small>({})</small>',
                (
                    (reverse("admin:orders_laborder_file", args=[pf.pk]), pf.position, pf.get_status_display())
                    for pf in line.print_files.all()
                ),
            )
            or "-"
        )


@admin.register(LabOrder)
class LabOrderAdmin(StatusActions, LogsAccess, AdminLogWithoutPersonalData, admin.ModelAdmin):
    list_display = ("number", "placed_at", "status", "line_count", "files_ready")
    list_filter = ("status",)
    search_fields = ("number",)
    ordering = ("placed_at",)
    show_full_result_count = False
    list_per_page = 50
    actions = [export_for_lab, "mark_in_production", "mark_shipped"]  # shipped: StatusActions, as support
    fields = ("number", "status", "placed_at", "ship_name", "ship_company", "ship_street", "ship_line2",
              "ship_postal_code", "ship_city", "ship_country", "ship_phone", "shipping_name")  # fmt: skip
    readonly_fields = fields
    inlines = [LabLineInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(status__in=PRODUCIBLE, held_at__isnull=True)  # held for review (STX-9): not yet
            .annotate(
                n_lines=Count("lines", distinct=True),
                n_ready=Count("lines__print_files", filter=Q(lines__print_files__status="ready"), distinct=True),
                n_files=Count("lines__print_files", distinct=True),
            )
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("lines"))
    def line_count(self, order) -> int:
        return order.n_lines

    @admin.display(description=_("print files ready"))
    def files_ready(self, order) -> str:
        return f"{order.n_ready}/{order.n_files}"

    def save_formset(self, request, form, formset, change) -> None:
        """A defect decision goes through the lab service (event row, reprint or refund), never a plain save."""
        for line_form in formset.forms:
            if not line_form.has_changed():
                continue
            line = line_form.instance
            try:
                line_defect_decide(
                    line=line,
                    decision=line_form.cleaned_data.get("lab_decision", ""),
                    note=line_form.cleaned_data.get("lab_note", ""),
                    actor=request.user,
                )
            except ValidationError as exc:
                self.message_user(request, f"#{line.position}: {' '.join(exc.messages)}", messages.ERROR)

    def save_model(self, request, obj, form, change) -> None:
        """The order itself is read-only here."""

    @admin.action(description=_("Mark as in production"), permissions=["change"])
    def mark_in_production(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        moved = 0
        for order in queryset.filter(status=OrderStatus.PAID)[:500]:
            order_transition(order=order, to=OrderStatus.IN_PRODUCTION, actor=request.user)
            moved += 1
        self.message_user(request, gettext("%(count)d orders are now in production.") % {"count": moved})

    def get_urls(self):
        return [
            path("file/<int:pk>/", self.admin_site.admin_view(self.print_file), name="orders_laborder_file"),
            *super().get_urls(),
        ]

    def print_file(self, request: HttpRequest, pk: int) -> FileResponse:
        """Serve one print file of an order to produce: the lab never opens a customer's originals."""
        if not self.has_view_permission(request):
            raise Http404
        print_file = (
            PrintFile.objects.select_related("line__order")
            .filter(
                pk=pk,
                line__order__status__in=PRODUCIBLE,
                line__order__held_at__isnull=True,
                status=PrintFile.Status.READY,
            )
            .first()
        )
        if print_file is None or not print_file.file:
            raise Http404
        access_record(staff=request.user, records=[(print_file, print_file.line.order.user_id)], action="download")
        return FileResponse(print_file.file.open("rb"), content_type="image/jpeg")


@admin.register(LabExport)
class LabExportAdmin(AdminLogWithoutPersonalData, admin.ModelAdmin):
    list_display = ("created_at", "created_by", "order_count", "download")
    fields = ("created_at", "created_by", "download")
    readonly_fields = fields
    ordering = ("-created_at",)
    list_select_related = ("created_by",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_orders=Count("orders"))

    @admin.display(description=_("orders"))
    def order_count(self, export) -> int:
        return export.n_orders

    @admin.display(description=_("archive"))
    def download(self, export) -> str:
        if not export.archive:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("admin:orders_labexport_download", args=[export.pk]),
                           gettext("Download ZIP"))  # fmt: skip

    def get_urls(self):
        return [
            path(
                "<uuid:pk>/download/",
                self.admin_site.admin_view(self.archive_download),
                name="orders_labexport_download",
            ),
            *super().get_urls(),
        ]

    def archive_download(self, request: HttpRequest, pk) -> FileResponse:
        export = LabExport.objects.filter(pk=pk).first()
        if export is None or not export.archive or not self.has_view_permission(request, export):
            raise Http404
        # PIX-9: each order in the archive is an export of its customer's data.
        orders = export.orders.only("pk", "user_id")
        access_record(staff=request.user, records=[(o, o.user_id) for o in orders], action="export")
        return FileResponse(export.archive.open("rb"), as_attachment=True, filename=f"lab-export-{pk}.zip")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
