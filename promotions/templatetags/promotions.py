from __future__ import annotations

from django import template

from orders.selectors.cart import cart_for_request
from promotions.selectors import active_redemption

register = template.Library()


@register.inclusion_tag("promotions/cart_code.html", takes_context=True)
def cart_code(context: template.Context) -> dict:
    """The cart's code field, or the code applied with a way to remove it."""
    request = context["request"]
    return {"redemption": active_redemption(cart=cart_for_request(request)), "csrf_token": context.get("csrf_token")}
