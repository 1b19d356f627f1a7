"""Suggested products (ALB-5): ask for a suggestion, open, edit, order or dismiss it.

Every page and action is the signed-in customer's own: another customer's
creation is a 404.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from orders.models import Creation, Product
from orders.selectors.creations import creation_for, creations_for, printable_photos_for
from orders.services.creations import (
    SUGGESTIBLE_KINDS,
    cart_add_creation,
    creation_dismiss,
    creation_page_move,
    creation_page_swap,
    creation_suggest,
)

# The photos offered to swap in: the customer's best ones for the format.
SWAP_CHOICES = 60


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _own(request: HttpRequest, pk) -> Creation:
    creation = creation_for(user=request.user, pk=pk)
    if creation is None:
        raise Http404("No such creation.")
    return creation


@never_cache
@login_required
def creation_list(request: HttpRequest) -> HttpResponse:
    creations = list(creations_for(user=request.user))
    products = Product.objects.filter(is_active=True, kind__in=SUGGESTIBLE_KINDS).order_by("position", "slug")
    return render(request, "orders/creations/list.html", {"creations": creations, "products": products})


@require_POST
@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    product = Product.objects.filter(slug=request.POST.get("product", ""), is_active=True).first()
    if product is None:
        messages.error(request, _("Choose a photo book or a calendar to get a suggestion."))
        return redirect("orders:creation_list")
    try:
        creation = creation_suggest(user=request.user, product=product)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(product.get_absolute_url())
    messages.success(request, _("Here is a suggestion from your best photos. Change what you like."))
    return redirect("orders:creation_detail", pk=creation.pk)


@never_cache
@login_required
def creation_detail(request: HttpRequest, pk) -> HttpResponse:
    creation = _own(request, pk)
    pages = list(creation.pages.all())
    used = {page.photo_id for page in pages}
    choices = [
        photo
        for photo in printable_photos_for(user=request.user, fmt=creation.format)[:SWAP_CHOICES]
        if photo.pk not in used
    ]
    context = {"creation": creation, "pages": pages, "choices": choices, "product": creation.format.product}
    return render(request, "orders/creations/detail.html", context)


def _act(request: HttpRequest, creation: Creation, action, success: str) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if success:
            messages.success(request, success)
    return redirect("orders:creation_detail", pk=creation.pk)


@require_POST
@login_required
def page_move(request: HttpRequest, pk, position: int) -> HttpResponse:
    creation = _own(request, pk)
    offset = {"earlier": -1, "later": 1}.get(request.POST.get("direction", ""), 0)
    return _act(request, creation, lambda: creation_page_move(creation=creation, position=position, offset=offset), "")


@require_POST
@login_required
def page_swap(request: HttpRequest, pk, position: int) -> HttpResponse:
    creation = _own(request, pk)
    try:
        photo_id = uuid.UUID(request.POST.get("photo", ""))
    except ValueError:
        # A malformed id is no photo of theirs: the same clear message.
        photo_id = None

    def swap() -> None:
        if photo_id is None:
            raise ValidationError(_("Choose one of your photos that prints well in this size."))
        creation_page_swap(creation=creation, position=position, photo_id=photo_id)

    return _act(request, creation, swap, _("Photo replaced."))


def _cart_url() -> str:
    """Return the cart page, once the cart part of the shop provides it."""
    try:
        return reverse("orders:cart")
    except NoReverseMatch:
        return reverse("orders:creation_list")


@require_POST
@login_required
def add_to_cart(request: HttpRequest, pk) -> HttpResponse:
    creation = _own(request, pk)
    try:
        cart_add_creation(user=request.user, creation=creation)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("orders:creation_detail", pk=creation.pk)
    messages.success(request, _("%(title)s is in your cart.") % {"title": creation.title or creation.format.name})
    return redirect(_cart_url())


@require_POST
@login_required
def dismiss(request: HttpRequest, pk) -> HttpResponse:
    creation = _own(request, pk)
    creation_dismiss(creation=creation)
    messages.success(request, _("Suggestion dismissed. Its list of photos is deleted."))
    return redirect("orders:creation_list")


urlpatterns = [
    path("creations/", creation_list, name="creation_list"),
    path("creations/suggest/", suggest, name="creation_suggest"),
    path("creations/<uuid:pk>/", creation_detail, name="creation_detail"),
    path("creations/<uuid:pk>/pages/<int:position>/move/", page_move, name="creation_page_move"),
    path("creations/<uuid:pk>/pages/<int:position>/swap/", page_swap, name="creation_page_swap"),
    path("creations/<uuid:pk>/cart/", add_to_cart, name="creation_add_to_cart"),
    path("creations/<uuid:pk>/dismiss/", dismiss, name="creation_dismiss"),
]
