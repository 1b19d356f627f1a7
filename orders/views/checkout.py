"""Checkout: addresses and shipping, the order summary, the payment page and the return page.

The order is marked paid only by the provider's verified webhook; the return
page waits for it and never trusts the browser's redirect.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from orders.emails import guest_order_from_token, guest_order_token
from orders.forms import CheckoutAddressForm, CheckoutForm, check_shipping, delivery_from
from orders.models import Order, OrderStatus
from orders.payments import PaymentsUnavailable, gateway
from orders.selectors.cart import cart_for_request, cart_view
from orders.selectors.catalogue import VatRateMissing, kind_label
from orders.services.checkout import Discount, order_place
from orders.services.holds import order_hold
from orders.services.payments import payment_start

PLACED_KEY = "orders_placed"  # the orders a guest placed in this visit


def _summary(view, country: str, shipping_cents: int | None):
    try:
        totals = view.totals(country=country, shipping_cents=shipping_cents)
    except VatRateMissing:
        return None
    return {
        "totals": totals,
        "rates": [(rate / 100, gross, vat) for rate, (gross, vat) in sorted(totals.vat_by_rate.items())],
    }


def code_discounts(*, cart, view, shipping) -> list[Discount]:
    """Return the discount of the code applied to the cart, if any (promotions plugs in here)."""
    from promotions.selectors import active_redemption, redemption_discount_cents, redemption_label

    redemption = active_redemption(cart=cart)
    if redemption is None:
        return []
    amount = redemption_discount_cents(redemption=redemption, view=view, shipping_cents=shipping.price_cents)
    return [Discount(label=redemption_label(redemption), source=f"promo:{redemption.code.code}", amount_cents=amount)]


@never_cache
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    cart = cart_for_request(request)
    view = cart_view(cart)
    if not view.lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    if view.refused:
        return redirect("orders:cart")
    user = request.user if request.user.is_authenticated else None
    initial = {"email": user.email if user else ""}
    default = user.addresses.filter(kind="delivery", is_default=True).first() if user else None
    if default:
        initial["saved_address"] = default.pk
    data = request.POST if request.method == "POST" else None
    form = CheckoutForm(data, user=user, initial=initial)
    ship = CheckoutAddressForm(data, prefix="ship", initial={"country": "BE"})
    bill = CheckoutAddressForm(data, prefix="bill", initial={"country": "BE"})
    country = default.country.code if default else "BE"
    if request.method == "POST" and form.is_valid():
        use_saved = bool(form.cleaned_data.get("saved_address"))
        ship_ok = use_saved or ship.is_valid()
        separate = form.cleaned_data.get("separate_billing")
        bill_ok = (not separate) or bill.is_valid()
        if ship_ok:
            country = (
                form.cleaned_data["saved_address"].country.code if use_saved else str(ship.cleaned_data["country"])
            )
            check_shipping(form, country)
        if ship_ok and bill_ok and not form.errors:
            delivery = delivery_from(form, None if use_saved else ship, bill if separate else None)
            from promotions.device import device_of
            from promotions.services import redemption_attach, redemption_claim_delivery

            try:
                with transaction.atomic():  # the order and its code's link to it, together
                    # The code's limits per address and phone (STX-9), before anything is placed.
                    hold = redemption_claim_delivery(cart=cart, delivery=delivery, device=device_of(request))
                    order = order_place(
                        cart=cart,
                        user=user,
                        delivery=delivery,
                        shipping=form.cleaned_data["shipping"],
                        language=get_language() or "nl",
                        discounts=code_discounts(cart=cart, view=view, shipping=form.cleaned_data["shipping"]),
                        microsite_id=site.id if (site := getattr(request, "microsite", None)) else None,
                    )
                    redemption_attach(cart=cart, order=order)
                    if hold:
                        order_hold(order=order, reason=hold)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                placed = request.session.get(PLACED_KEY, [])
                request.session[PLACED_KEY] = [*placed[-9:], str(order.pk)]
                if order.status == OrderStatus.PAID:
                    messages.success(request, _("Thank you! Your order is confirmed."))
                    return redirect(_order_page(order))
                return redirect("orders:order_pay", pk=order.pk)
    methods = list(form.fields["shipping"].queryset)
    chosen = form.cleaned_data.get("shipping") if form.is_bound and hasattr(form, "cleaned_data") else None
    chosen = chosen or next((m for m in methods if m.country.code == country), None)
    context = {
        "form": form,
        "ship": ship,
        "bill": bill,
        "cart": view,
        "country": country,
        "shipping": chosen,
        "summary": _summary(view, country, chosen.price_cents if chosen else None),
        "kind_label": kind_label,
    }
    return render(request, "orders/checkout/checkout.html", context)


def _order_page(order: Order) -> str:
    if order.user_id:
        return reverse("orders:order_detail", kwargs={"pk": order.pk})
    return reverse("orders:order_guest", kwargs={"token": guest_order_token(order)})


def _order_for(request: HttpRequest, pk) -> Order:
    """Return the order if this request may pay or follow it: its owner, the guest who placed it, or a signed link."""
    order = Order.objects.select_related("shipping_method").filter(pk=pk).first()
    if order is None:
        raise Http404
    if order.user_id:
        if request.user.is_authenticated and request.user.pk == order.user_id:
            return order
        raise Http404
    if str(order.pk) in request.session.get(PLACED_KEY, []):
        return order
    token = request.GET.get("t", "")
    if token and guest_order_from_token(token) == str(order.pk):
        return order
    raise Http404


@never_cache
@require_http_methods(["GET"])
def order_pay(request: HttpRequest, pk) -> HttpResponse:
    order = _order_for(request, pk)
    if order.status != OrderStatus.PLACED:
        return redirect(_order_page(order))
    provider = gateway()
    context = {"order": order, "lines": order.lines.all(), "unavailable": False}
    if not provider.available():
        context["unavailable"] = True
        return render(request, "orders/checkout/pay.html", context, status=503)
    try:
        intent = payment_start(order=order)
    except ValidationError:
        return redirect(_order_page(order))
    except PaymentsUnavailable:
        context["unavailable"] = True
        return render(request, "orders/checkout/pay.html", context, status=503)
    return_url = request.build_absolute_uri(reverse("orders:order_return", kwargs={"pk": order.pk}))
    if not order.user_id:
        return_url += "?t=" + guest_order_token(order)
    context.update(
        client_secret=intent.client_secret,
        publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
        stripe_js=settings.STRIPE_JS_URL,
        return_url=return_url,
    )
    return render(request, "orders/checkout/pay.html", context)


@never_cache
@require_http_methods(["GET"])
def order_return(request: HttpRequest, pk) -> HttpResponse:
    """Where the payment provider sends the shopper back: it shows what the webhook has decided so far."""
    order = _order_for(request, pk)
    payment = order.payments.order_by("-created_at").first()
    waiting = order.status == OrderStatus.PLACED and (payment is None or payment.status == "pending")
    failed = order.status == OrderStatus.PLACED and payment is not None and payment.status in ("failed", "cancelled")
    context = {
        "order": order,
        "waiting": waiting,
        "failed": failed,
        "payment": payment,
        "order_url": _order_page(order),
        "pay_url": reverse("orders:order_pay", kwargs={"pk": order.pk})
        + ("" if order.user_id else "?t=" + guest_order_token(order)),
    }
    return render(request, "orders/checkout/return.html", context)


urlpatterns = [
    path("checkout/", checkout, name="checkout"),
    path("orders/<uuid:pk>/pay/", order_pay, name="order_pay"),
    path("orders/<uuid:pk>/return/", order_return, name="order_return"),
]
