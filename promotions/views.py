"""The code field of the cart: apply a promo code, or remove it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders.selectors.cart import cart_for_request
from orders.services.cart import cart_for_request_create
from promotions import services
from promotions.device import device_remember
from promotions.forms import DetailsForm
from promotions.ratelimit import attempt_failed, too_many_attempts
from promotions.selectors import active_redemption, campaign_of, code_normalise, eligibility_fields_of

app_name = "promotions"


@require_POST
def code_apply(request: HttpRequest) -> HttpResponse:
    if too_many_attempts(request):
        messages.error(request, _("Too many codes tried. Wait a few minutes and try again."))
        return redirect("orders:cart")
    # The code may come first (a microsite's front page): the cart is made for it.
    cart = cart_for_request_create(request) if request.user.is_authenticated else cart_for_request(request)
    raw_code = request.POST.get("code", "")[:64]
    details = None
    if "with_details" in request.POST:  # the second step: the details the campaign asks for (STX-8)
        form = DetailsForm(eligibility_fields_of(raw_code), request.POST)
        if not form.is_valid():
            return _details_page(request, raw_code, form)
        details = form.details()
    try:
        redemption = services.code_redeem(
            cart=cart,
            user=request.user,
            raw_code=raw_code,
            site=getattr(request, "microsite", None),
            details=details,
        )
    except services.RedemptionError as exc:
        if exc.code == "needs_details" and details is None:
            return _details_page(request, raw_code, DetailsForm(eligibility_fields_of(raw_code)))
        attempt_failed(request)
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("Code %(code)s applied: %(quantity)s x %(format)s free.")
            % {
                "code": redemption.code.code,
                "quantity": redemption.campaign.quantity,
                "format": redemption.campaign.format.name,
            },
        )
        response = redirect("orders:cart")
        device_remember(request, response)  # the fair-use signal (STX-9), from the first code applied
        return response
    return redirect("orders:cart")


def _details_page(request: HttpRequest, raw_code: str, form: DetailsForm) -> HttpResponse:
    """Ask the details a code's campaign needs before the code is applied (STX-8)."""
    campaign = campaign_of(raw_code)
    return render(
        request,
        "promotions/code_details.html",
        {"form": form, "code": code_normalise(raw_code), "campaign": campaign},
        status=200 if not form.is_bound else 400,
    )


@require_POST
def code_remove(request: HttpRequest) -> HttpResponse:
    redemption = active_redemption(cart=cart_for_request(request))
    if redemption is not None and redemption.order_id is None:
        services.redemption_release(redemption=redemption, reason="removed from the cart")
        messages.success(request, _("The code was removed from your cart."))
    return redirect("orders:cart")


urlpatterns = [
    path("cart/code/", code_apply, name="code_apply"),
    path("cart/code/remove/", code_remove, name="code_remove"),
]
