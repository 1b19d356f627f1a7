from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver

from photos.selectors import VISITOR_KEY


@receiver(user_logged_in)
def claim_visitor_cart(sender, request, user, **kwargs) -> None:
    """A visitor's cart moves to the account at sign-in, after their photos (photos app's receiver runs first)."""
    from orders.services.cart import cart_claim_for_user

    if request is not None and hasattr(request, "session"):
        cart_claim_for_user(session_key=request.session.get(VISITOR_KEY, ""), user=user)


# Sent by ``order_transition`` in its transaction, after the new status is saved:
# other apps act on an order's moves without the orders app importing them
# (promotions gives a cancelled order's code back). Arguments: order, from_status, to_status.
order_status_changed = Signal()
