from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver

from photos.selectors import VISITOR_KEY


@receiver(user_logged_in)
def claim_visitor_cart(sender, request, user, **kwargs) -> None:
    """A visitor's cart moves to the account at sign-in, after their photos.

    The photos are claimed here first (the photos app's own receiver then finds
    none left): receivers run in the order their modules were imported, which
    this must not depend on.
    """
    from orders.services.cart import cart_claim_for_user
    from photos.services import photos_claim_for_user

    if request is not None and hasattr(request, "session"):
        session_key = request.session.get(VISITOR_KEY, "")
        photos_claim_for_user(session_key=session_key, user=user)
        cart_claim_for_user(session_key=session_key, user=user)


# Sent by ``order_transition`` in its transaction, after the new status is saved:
# other apps act on an order's moves without the orders app importing them
# (promotions gives a cancelled order's code back). Arguments: order, from_status, to_status.
order_status_changed = Signal()


# Sent by ``lab_export_create`` with the orders being exported; a receiver returns
# ``{order_pk: {"advert": (name in the ZIP, storage, stored name), "advert_placement": str}}``
# for orders that carry something more (promotions: the sponsor's advert, STX-12).
lab_export_extras = Signal()
