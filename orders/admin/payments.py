"""Admin actions of payments: re-check with Stripe (the webhook's own function) and refunds."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.admin.catalogue import EuroField
from orders.models import Order, OrderLine
from orders.payments import PaymentsUnavailable
from orders.services.payments import payment_recheck, refund_create

MAX_REFUND_ORDERS = 20


@admin.action(description=_("Re-check payment with Stripe"), permissions=["change"])
def recheck_with_stripe(modeladmin, request: HttpRequest, queryset: QuerySet[Order]) -> None:
    """Ask Stripe for each order's payment and apply it, exactly as the webhook would (safe to repeat)."""
    for order in queryset.order_by("placed_at")[:MAX_REFUND_ORDERS]:
        try:
            result = payment_recheck(order=order, actor=request.user)
        except PaymentsUnavailable:
            modeladmin.message_user(
                request, gettext("%(order)s: Stripe could not be reached.") % {"order": order.number}, messages.ERROR
            )
        else:
            modeladmin.message_user(request, f"{order.number}: {result}", messages.INFO)


class RefundForm(forms.Form):
    order = forms.UUIDField(widget=forms.HiddenInput)
    line = forms.ModelChoiceField(
        queryset=OrderLine.objects.none(), required=False, empty_label=_("the whole order"), label=_("refund")
    )
    amount = EuroField(label=_("amount"), required=False)
    reason = forms.CharField(label=_("reason"), max_length=255, required=False)

    def __init__(self, *args, order: Order, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = order.lines.order_by("position")
        self.fields["line"].label_from_instance = lambda line: (
            f"#{line.position} {line.quantity} x {line.product_name} {line.format_name}"
        )


@admin.action(description=_("Refund…"), permissions=["change"])
def refund_orders(modeladmin, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
    """Refund a chosen amount of each selected order, or of one of its lines, with a reason."""
    orders = list(queryset.order_by("placed_at")[: MAX_REFUND_ORDERS + 1])
    if len(orders) > MAX_REFUND_ORDERS:
        modeladmin.message_user(
            request,
            gettext("Select at most %(count)d orders at a time.") % {"count": MAX_REFUND_ORDERS},
            messages.WARNING,
        )
        return None
    posted = request.POST.get("post") == "yes"
    rows = [
        (
            order,
            RefundForm(
                request.POST if posted else None,
                prefix=f"r{index}",
                order=order,
                initial={"order": order.pk},
            ),
        )
        for index, order in enumerate(orders)
    ]
    if posted and all(form.is_valid() for _order, form in rows):
        for order, form in rows:
            amount = form.cleaned_data["amount"]
            if not amount:
                continue
            try:
                refund = refund_create(
                    order=order,
                    amount_cents=amount,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                    line=form.cleaned_data["line"],
                )
            except ValidationError as exc:
                modeladmin.message_user(request, f"{order.number}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                level = messages.SUCCESS if refund.status == "succeeded" else messages.ERROR
                modeladmin.message_user(
                    request,
                    gettext("%(order)s: refund %(status)s.")
                    % {"order": order.number, "status": refund.get_status_display()},
                    level,
                )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": gettext("Refund orders"),
        "opts": modeladmin.model._meta,
        "rows": rows,
        "orders": orders,
        "action_name": "refund_orders",
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/orders/order/refund_action.html", context)


payment_actions = [recheck_with_stripe, refund_orders]
