"""The customer's order pages: history, detail (also for guests through a signed link), re-order, unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import CommunicationKind, CommunicationPreference
from accounts.selectors import communication_preferences_for
from accounts.services import communication_preferences_set
from orders.emails import guest_order_from_token, payment_page_url, tracking_link
from orders.models import Order, OrderStatus
from orders.selectors.account import invoice_of, order_detail_for, orders_for, steps_of
from orders.services.reminders import unsubscribe_user_from_token
from orders.services.reorder import order_reorder
from photoshop.pagecache import cached_per_account
from photoshop.partials import render_partial

ORDERS_PER_PAGE = 20


def _items_label(count: int) -> str:
    return ngettext("%(counter)s item", "%(counter)s items", count) % {"counter": count}


@never_cache
@login_required
@cached_per_account
def order_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(orders_for(user=request.user), ORDERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    orders = list(page.object_list)
    rows = render_partial(
        "orders/order_rows.html",
        {
            "orders": orders,
            "statuses": {value: capfirst(str(label)) for value, label in OrderStatus.choices},
            "items": {
                o.pk: ngettext("%(counter)s item", "%(counter)s items", o.item_count or 0)
                % {"counter": o.item_count or 0}
                for o in orders
            },
        },
    )
    return render(request, "orders/account/order_list.html", {"page": page, "orders": orders, "rows": rows})


def _invoice_url(order: Order, invoice) -> str:
    """Return the invoice download link, once the invoices part of the shop provides it."""
    if invoice is None:
        return ""
    for kwargs in ({"pk": order.pk}, {"order_id": order.pk}, {"number": invoice.number}):
        try:
            return reverse("orders:invoice_download", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


def _render_detail(request: HttpRequest, order: Order, *, guest_token: str = "") -> HttpResponse:
    invoice = invoice_of(order)
    context = {
        "order": order,
        "lines": order.line_list,
        "events": order.customer_events,
        "steps": steps_of(order),
        "tracking_url": tracking_link(order),
        "invoice_url": _invoice_url(order, invoice),
        "pay_url": payment_page_url(order) if order.status == OrderStatus.PLACED else "",
        "can_reorder": bool(order.user_id) and order.user_id == request.user.pk,
        "guest_token": guest_token,
        # A guest has no account pages around the order.
        "base_template": "base.html" if guest_token else "accounts/base_account.html",
    }
    return render(request, "orders/account/order_detail.html", context)


@never_cache
@login_required
def order_detail(request: HttpRequest, pk) -> HttpResponse:
    order = order_detail_for(order_id=pk)
    # Someone else's order does not exist, as far as this user can tell.
    if order is None or order.user_id != request.user.pk:
        raise Http404
    return _render_detail(request, order)


@never_cache
def order_guest(request: HttpRequest, token: str) -> HttpResponse:
    """The order page of a link in an order e-mail: signed, expiring, no account needed."""
    order_id = guest_order_from_token(token)
    order = order_detail_for(order_id=order_id) if order_id else None
    if order is None:
        return render(request, "orders/account/link_expired.html", status=404)
    return _render_detail(request, order, guest_token=token)


@login_required
@require_POST
def order_reorder_view(request: HttpRequest, pk) -> HttpResponse:
    order = Order.objects.filter(pk=pk, user=request.user).first()
    if order is None:
        raise Http404
    outcome = order_reorder(order=order, user=request.user)
    if outcome.added:
        messages.success(
            request,
            ngettext(
                "%(count)d line of order %(number)s is back in your cart.",
                "%(count)d lines of order %(number)s are back in your cart.",
                len(outcome.added),
            )
            % {"count": len(outcome.added), "number": order.number},
        )
    for line, reason in outcome.skipped:
        messages.warning(
            request,
            _("Not re-added: %(what)s (%(format)s): %(reason)s.")
            % {"what": line.product_name, "format": line.format_name, "reason": reason},
        )
    if not outcome.added:
        messages.error(request, _("Nothing from this order could be put back into your cart."))
        return redirect("orders:order_detail", pk=order.pk)
    try:
        return redirect(reverse("orders:cart"))
    except NoReverseMatch:
        return redirect("orders:order_detail", pk=order.pk)


def _masked(email: str) -> str:
    """Return an address recognisable to its owner only, e.g. "e***@example.com" (the link may be forwarded)."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


@csrf_exempt  # the signed token is the credential; mail clients' one-click POST (RFC 8058) has no CSRF cookie
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Turn off service messages from the link in one (STX-7); the page asks first, the button does it.

    A mail client's one-click unsubscribe (``List-Unsubscribe-Post``) posts
    to the same address.
    """
    user = unsubscribe_user_from_token(token)
    if user is None:
        return render(request, "orders/account/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        communication_preferences_set(
            user=user,
            choices={CommunicationKind.SERVICE: False},
            via=CommunicationPreference.Source.UNSUBSCRIBE_LINK,
        )
        done = True
    states = {state.kind: state.enabled for state in communication_preferences_for(user=user)}
    context = {"done": done or not states[CommunicationKind.SERVICE], "email": _masked(user.email)}
    return render(request, "orders/account/unsubscribe.html", context)


urlpatterns = [
    path("account/orders/", order_list, name="order_list"),
    path("account/orders/<uuid:pk>/", order_detail, name="order_detail"),
    path("account/orders/<uuid:pk>/reorder/", order_reorder_view, name="order_reorder"),
    path("order/<str:token>/", order_guest, name="order_guest"),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
]
