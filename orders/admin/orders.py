"""The order admin: a list that stays fast on a million orders, read-only snapshots, status actions.

Every status change goes through ``order_transition`` (one event row per
order, the staff member recorded as actor). The list never counts the whole
table: the paginator counts at most ``CappedCountPaginator.CAP`` rows, and
``show_full_result_count`` is off; searches use the indexes (exact order
number first, an e-mail address through the lower-case index).
"""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from functools import cached_property

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

# Other parts of the shop add their actions to the order list (payments: re-check
# with Stripe, refunds; print lab: export); imported once their modules exist.
from orders.admin.status import StatusActions
from orders.models import Order, OrderEvent, OrderLine, OrderStatus, Payment, Refund
from orders.money import format_cents
from orders.services.holds import order_hold_release, order_identity_request
from orders.services.lifecycle import order_event_record
from privacy.access import HidesRestricted, LogsAccess
from privacy.admin import AdminLogWithoutPersonalData

payment_actions: list = []
lab_actions: list = []
if importlib.util.find_spec("orders.admin.payments"):
    from orders.admin.payments import payment_actions
if importlib.util.find_spec("orders.admin.lab"):
    from orders.admin.lab import lab_actions


class CappedCountPaginator(Paginator):
    """A paginator that counts at most CAP rows: ``COUNT(*)`` over a LIMIT, not over the whole table.

    Beyond the cap the list shows CAP results and the last pages are out of
    reach; staff narrow the list with the status filter, the date filter or
    a search instead.
    """

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if isinstance(object_list, QuerySet):
            return object_list.order_by().values("pk")[: self.CAP].count()
        return min(len(object_list), self.CAP)


class PlacedWithinFilter(admin.SimpleListFilter):
    """Recent orders, served by the index on placed_at (no date hierarchy: it aggregates the whole table)."""

    title = _("placed")
    parameter_name = "placed_within"
    DAYS = {"1": 1, "7": 7, "30": 30, "90": 90}

    def lookups(self, request, model_admin):
        return [
            ("1", _("in the last 24 hours")),
            ("7", _("in the last 7 days")),
            ("30", _("in the last 30 days")),
            ("90", _("in the last 90 days")),
        ]

    def queryset(self, request, queryset):
        days = self.DAYS.get(self.value() or "")
        if days is None:
            return queryset
        return queryset.filter(placed_at__gte=timezone.now() - timedelta(days=days))


class OnHoldFilter(admin.SimpleListFilter):
    """Orders waiting for a staff review before production (fair use, STX-9)."""

    title = _("review")
    parameter_name = "on_hold"

    def lookups(self, request, model_admin):
        return [("yes", _("on hold for review"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(held_at__isnull=False)
        return queryset


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    """The lines as sold: snapshots, never edited."""

    model = OrderLine
    fields = readonly_fields = [
        "position",
        "product_name",
        "format_name",
        "finish_name",
        "fit",
        "quantity",
        "unit_price",
        "line_total",
        "vat_rate",
        "refunded",
        "lab_decision",
    ]

    @admin.display(description=_("unit price"))
    def unit_price(self, line: OrderLine) -> str:
        return format_cents(line.unit_price_cents)

    @admin.display(description=_("line total"))
    def line_total(self, line: OrderLine) -> str:
        return format_cents(line.total_cents)

    @admin.display(description=_("VAT"))
    def vat_rate(self, line: OrderLine) -> str:
        return f"{line.vat_rate_bp / 100:g}%"

    @admin.display(description=_("refunded"))
    def refunded(self, line: OrderLine) -> str:
        return format_cents(line.refunded_cents) if line.refunded_cents else "-"


class OrderEventInline(ReadOnlyInline):
    """The audit trail: who did what and when."""

    model = OrderEvent
    fields = readonly_fields = ["at", "kind", "from_status", "to_status", "actor", "detail"]
    ordering = ["at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = readonly_fields = ["intent_id", "amount", "status", "failure_code", "created_at", "updated_at"]

    @admin.display(description=_("amount"))
    def amount(self, payment: Payment) -> str:
        return format_cents(payment.amount_cents, payment.currency)


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = readonly_fields = ["created_at", "line", "amount", "reason", "status", "stripe_refund_id", "actor"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "line")

    @admin.display(description=_("amount"))
    def amount(self, refund: Refund) -> str:
        return format_cents(refund.amount_cents)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("reason (the customer reads it)"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


STATUS_ORDER_FIELDS = ["number", "status", "status_reason", "placed_at", "paid_at", "shipped_at", "completed_at"]


@admin.register(Order)
class OrderAdmin(StatusActions, HidesRestricted, LogsAccess, AdminLogWithoutPersonalData, admin.ModelAdmin):
    list_display = ["number", "placed_at", "status_label", "on_hold", "email", "total", "shipping_method"]
    list_display_links = ["number"]
    list_filter = ["status", OnHoldFilter, PlacedWithinFilter]
    list_select_related = ["shipping_method"]
    list_per_page = 50
    list_max_show_all = 200
    show_full_result_count = False
    # Facet counts would count every status over the whole table on each page.
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    ordering = ["-placed_at"]
    search_fields = ["number"]  # the box; get_search_results decides how (by index)
    search_help_text = _("An order number (or its beginning), or a customer's exact e-mail address.")
    raw_id_fields = ["user", "cart", "shipping_method"]
    inlines = [OrderLineInline, PaymentInline, RefundInline, OrderEventInline]
    fieldsets = [
        (
            None,
            {"fields": ["number", "status", "status_reason", "held_at", "hold_reason", "user", "email", "language"]},
        ),
        (
            _("Amounts"),
            {"fields": ["items", "shipping", "discount", "total_amount", "vat", "refunded", "payment_intent_id"]},
        ),
        (
            _("Delivery"),
            {
                "fields": [
                    "ship_name",
                    "ship_company",
                    "ship_street",
                    "ship_line2",
                    "ship_postal_code",
                    "ship_city",
                    "ship_country",
                    "ship_phone",
                    "shipping_method",
                    "shipping_name",
                    "carrier",
                    "tracking_number",
                ]
            },
        ),
        (
            _("Billing"),
            {
                "fields": [
                    "bill_name",
                    "bill_company",
                    "bill_vat_number",
                    "bill_street",
                    "bill_line2",
                    "bill_postal_code",
                    "bill_city",
                    "bill_country",
                ]
            },
        ),
        (
            _("Dates"),
            {"fields": ["placed_at", "paid_at", "shipped_at", "completed_at", "cancelled_at", "reminded_at"]},
        ),
    ]
    # Support may correct a delivery or billing address before shipping; the
    # rest is the record of what was sold and changes only through services.
    EDITABLE = {
        "ship_name",
        "ship_company",
        "ship_street",
        "ship_line2",
        "ship_postal_code",
        "ship_city",
        "ship_country",
        "ship_phone",
        "bill_name",
        "bill_company",
        "bill_vat_number",
        "bill_street",
        "bill_line2",
        "bill_postal_code",
        "bill_city",
        "bill_country",
    }
    actions = [
        "mark_in_production", "mark_shipped", "mark_delivered", "cancel_orders", "release_hold", "ask_identity",
        *payment_actions, *lab_actions,
    ]  # fmt: skip

    # --- Access ---------------------------------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders come from the checkout

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # an accounting record: cancelled or refunded, never deleted here

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> list[str]:
        names = [name for _title, options in self.fieldsets for name in options["fields"]]
        editable = self.EDITABLE if obj is not None and obj.status not in _SHIPPED_OR_LATER else set()
        return [name for name in names if name not in editable]

    # --- List -----------------------------------------------------------------------------------

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Order], search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            return queryset.alias(email_lower=Lower("email")).filter(email_lower=term.lower()), False
        number = term.upper()
        exact = queryset.filter(number__in={term, number})
        if exact.exists():
            return exact, False
        return queryset.filter(number__startswith=number), False

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, order: Order) -> str:
        return order.get_status_display()

    @admin.display(description=_("total"), ordering="total_cents")
    def total(self, order: Order) -> str:
        return format_cents(order.total_cents, order.currency)

    # --- Detail ---------------------------------------------------------------------------------

    @admin.display(description=_("items"))
    def items(self, order: Order) -> str:
        return format_cents(order.items_cents, order.currency)

    @admin.display(description=_("shipping"))
    def shipping(self, order: Order) -> str:
        return format_cents(order.shipping_cents, order.currency)

    @admin.display(description=_("discount"))
    def discount(self, order: Order) -> str:
        return format_cents(order.discount_cents, order.currency)

    @admin.display(description=_("total"))
    def total_amount(self, order: Order) -> str:
        return format_cents(order.total_cents, order.currency)

    @admin.display(description=_("VAT"))
    def vat(self, order: Order) -> str:
        return format_cents(order.vat_cents, order.currency)

    @admin.display(description=_("refunded"))
    def refunded(self, order: Order) -> str:
        return format_cents(order.refunded_cents, order.currency)

    def save_model(self, request: HttpRequest, obj: Order, form, change: bool) -> None:
        """Save a corrected address with an event naming the fields changed (the admin view is one transaction)."""
        changed = [name for name in form.changed_data if name in self.EDITABLE]
        if not changed:
            return
        obj.full_clean()
        obj.save(update_fields=[*changed, "updated_at"])
        order_event_record(order=obj, kind=OrderEvent.Kind.NOTE, actor=request.user, changed=changed)

    # --- Status actions -------------------------------------------------------------------------

    @admin.display(description=_("review"), boolean=True)
    def on_hold(self, order: Order) -> bool | None:
        return True if order.held_at else None

    @admin.action(description=_("Release the hold: reviewed, may be produced"), permissions=["change"])
    def release_hold(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        orders = self._selected(request, queryset)
        if orders is None:
            return
        released = sum(order_hold_release(order=order, actor=request.user) for order in orders if order.held_at)
        self.message_user(
            request,
            ngettext("%(count)d order released for production.", "%(count)d orders released for production.", released)
            % {"count": released},
            messages.SUCCESS if released else messages.WARNING,
        )

    @admin.action(description=_("Ask the customer to confirm who they are (order on hold)"), permissions=["change"])
    def ask_identity(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        orders = self._selected(request, queryset)
        if orders is None:
            return
        asked = 0
        for order in orders:
            try:
                order_identity_request(order=order, actor=request.user)
            except ValidationError as exc:
                self.message_user(
                    request, gettext("Left unchanged: %(why)s") % {"why": f"{order.number}: {exc.messages[0]}"},
                    messages.WARNING,
                )  # fmt: skip
            else:
                asked += 1
        if asked:
            self.message_user(
                request,
                ngettext("%(count)d customer asked to confirm.", "%(count)d customers asked to confirm.", asked)
                % {"count": asked},
                messages.SUCCESS,
            )

    @admin.action(description=_("Mark as in production"), permissions=["change"])
    def mark_in_production(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        orders = self._selected(request, queryset)
        if orders is not None:
            self._move(request, orders, OrderStatus.IN_PRODUCTION)

    @admin.action(description=_("Mark as delivered"), permissions=["change"])
    def mark_delivered(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        orders = self._selected(request, queryset)
        if orders is not None:
            self._move(request, orders, OrderStatus.DELIVERED)

    @admin.action(description=_("Cancel (with a reason)…"), permissions=["change"])
    def cancel_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        orders = self._selected(request, queryset)
        if orders is None:
            return None
        form = CancelForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            self._move(request, orders, OrderStatus.CANCELLED, reason=form.cleaned_data["reason"])
            return None
        return self._action_page(
            request,
            orders,
            action="cancel_orders",
            title=gettext("Cancel orders"),
            button=gettext("Cancel these orders"),
            form=form,
        )


_SHIPPED_OR_LATER = {OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.REFUNDED}
