"""The cart: the page, adding photos from the gallery, changing and removing lines."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from orders.models import CartLine, Finish, Fit, Format
from orders.money import format_cents
from orders.selectors.cart import cart_for_request, cart_view
from orders.services import cart as services
from orders.templatetags.orders_options import finish_options, finish_options_by_product, format_options
from photoshop.pagecache import cached_per_account
from photoshop.partials import render_partial


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default


@require_safe
@cached_per_account
def cart(request: HttpRequest) -> HttpResponse:
    view = cart_view(cart_for_request(request))
    finishes = finish_options_by_product()  # markup, kept per catalogue version
    for line_view in view.lines:
        line_view.finishes = finishes.get(line_view.line.format.product_id, "")
    lines = render_partial(
        "orders/cart_lines.html",
        {
            "cart": view,
            "fits": Fit.choices,
            "format_options": format_options,
            "finish_options": finish_options,
        },
        request=request,
    )
    response = render(
        request,
        "orders/cart/cart.html",
        {
            "cart": view,
            "lines": lines,
            "items_total": format_cents(view.items_cents),
        },
    )
    add_never_cache_headers(response)
    return response


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    fmt = Format.objects.select_related("product").filter(pk=_int(request.POST.get("format"))).first()
    back = request.POST.get("back") == "gallery"
    if fmt is None:
        messages.error(request, _("Choose a format."))
        return redirect("photos:gallery" if back else "orders:cart")
    try:
        count = services.cart_add_photos(
            request=request,
            photo_ids=request.POST.getlist("photos"),
            fmt=fmt,
            quantity=_int(request.POST.get("quantity"), 1),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("photos:gallery" if back else "orders:cart")
    messages.success(
        request,
        _("%(count)s photo(s) added to your cart as %(format)s.") % {"count": count, "format": fmt.name},
    )
    return redirect("orders:cart")


def _line(request: HttpRequest, pk: int) -> CartLine:
    cart = cart_for_request(request)
    line = (
        CartLine.objects.select_related("cart", "photo", "format__product").filter(pk=pk, cart=cart).first()
        if cart
        else None
    )
    if line is None:
        raise Http404
    return line


@require_POST
def cart_line_update(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    fmt = Format.objects.select_related("product").filter(pk=_int(request.POST.get("format"), line.format_id)).first()
    finish_id = _int(request.POST.get("finish"))
    finish = Finish.objects.filter(pk=finish_id).first() if finish_id else None
    if fmt is None:
        messages.error(request, _("Choose a format."))
        return redirect("orders:cart")
    try:
        services.cart_line_update(
            line=line,
            quantity=_int(request.POST.get("quantity")),
            fmt=fmt,
            finish=finish,
            fit=request.POST.get("fit", Fit.CROP),
            anchor=request.POST.get("anchor", "center"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your cart is updated."))
    return redirect("orders:cart")


@require_POST
def cart_line_remove(request: HttpRequest, pk: int) -> HttpResponse:
    services.cart_line_remove(line=_line(request, pk))
    messages.success(request, _("The line is removed from your cart."))
    return redirect("orders:cart")


urlpatterns = [
    path("cart/", cart, name="cart"),
    path("cart/add/", cart_add, name="cart_add"),
    path("cart/lines/<int:pk>/", cart_line_update, name="cart_line_update"),
    path("cart/lines/<int:pk>/remove/", cart_line_remove, name="cart_line_remove"),
]
