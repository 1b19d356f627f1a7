"""Order status changes from an admin list (support's orders, the print lab's batches) via ``order_transition``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from orders.models import Order, OrderStatus
from orders.services.lifecycle import order_transition

MAX_ORDERS_PER_ACTION = 200


class ShipForm(forms.Form):
    order = forms.UUIDField(widget=forms.HiddenInput)
    carrier = forms.CharField(label=_("carrier"), max_length=40)
    tracking_number = forms.CharField(label=_("tracking number"), max_length=64)

    def clean_tracking_number(self) -> str:
        value = self.cleaned_data["tracking_number"].strip()
        if not value:
            raise ValidationError(_("Give the tracking number."))
        return value


ShipFormSet = forms.formset_factory(ShipForm, extra=0)


class StatusActions:
    """Order status changes from an admin list, each through ``order_transition`` (support and the print lab)."""

    def _selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> list[Order] | None:
        orders = list(queryset.select_related("shipping_method").order_by("placed_at")[: MAX_ORDERS_PER_ACTION + 1])
        if len(orders) > MAX_ORDERS_PER_ACTION:
            self.message_user(
                request,
                gettext("Select at most %(count)d orders at a time.") % {"count": MAX_ORDERS_PER_ACTION},
                messages.WARNING,
            )
            return None
        return orders

    def _move(self, request: HttpRequest, orders: list[Order], to: str, per_order: dict | None = None, **common):
        """Move each order through order_transition; report how many moved and each refusal with its reason."""
        moved, refused = 0, []
        for order in orders:
            try:
                order_transition(
                    order=order, to=to, actor=request.user, **common, **(per_order or {}).get(order.pk, {})
                )
            except ValidationError as exc:
                refused.append(f"{order.number}: {' '.join(exc.messages)}")
            else:
                moved += 1
        if moved:
            self.message_user(
                request,
                ngettext(
                    "%(count)d order is now %(status)s.",
                    "%(count)d orders are now %(status)s.",
                    moved,
                )
                % {"count": moved, "status": OrderStatus(to).label},
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(request, gettext("Left unchanged: %(why)s") % {"why": line}, messages.WARNING)

    @admin.action(description=_("Mark as shipped (carrier and tracking number)…"), permissions=["change"])
    def mark_shipped(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        orders = self._selected(request, queryset)
        if orders is None:
            return None
        if request.POST.get("post") == "yes":
            formset = ShipFormSet(request.POST, prefix="ship")
            if formset.is_valid():
                wanted = {form.cleaned_data["order"]: form.cleaned_data for form in formset.forms}
                chosen = [order for order in orders if order.pk in wanted]
                per_order = {
                    pk: {"carrier": data["carrier"].strip(), "tracking_number": data["tracking_number"]}
                    for pk, data in wanted.items()
                }
                self._move(request, chosen, OrderStatus.SHIPPED, per_order=per_order)
                return None
        else:
            formset = ShipFormSet(
                prefix="ship",
                initial=[
                    {
                        "order": order.pk,
                        "carrier": order.carrier or order.shipping_method.carrier,
                        "tracking_number": order.tracking_number,
                    }
                    for order in orders
                ],
            )
        rows = list(zip(orders, formset.forms, strict=False))
        return self._action_page(
            request,
            orders,
            action="mark_shipped",
            title=gettext("Mark as shipped"),
            button=gettext("Mark as shipped"),
            formset=formset,
            rows=rows,
        )

    def _action_page(self, request: HttpRequest, orders: list[Order], *, action: str, **extra) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "orders": orders,
            "action_name": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            **extra,
        }
        return TemplateResponse(request, "admin/orders/order/status_action.html", context)
