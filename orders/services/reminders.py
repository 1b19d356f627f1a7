"""Service messages (STX-7): a reminder of a cart left or an order left unpaid for 24 hours.

Only to account holders who did not opt out of service messages, once per
cart state and once per order, each with a signed unsubscribe link. Carts
and orders are selected and marked in sets, under ``skip_locked`` row locks
on PostgreSQL, so two beat runs at once never remind anyone twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import CommunicationKind, MessageLog, User
from accounts.selectors import wants_service_messages
from orders.models import Cart, CartLine, Order, OrderStatus
from photoshop.emails import send_email
from photoshop.outbox import enqueue_many

# How long a cart or an unpaid order waits before its reminder, and after
# how long it is too old to remind anyone of (a first run on old data).
REMIND_AFTER = timedelta(hours=24)
REMIND_UNTIL = timedelta(days=7)
BATCH = 500

UNSUBSCRIBE_SALT = "orders.unsubscribe-service-messages"
UNSUBSCRIBE_MAX_AGE = timedelta(days=180)


def unsubscribe_token(user: User) -> str:
    """Return a signed token that turns off ``user``'s service messages."""
    return signing.dumps({"user": user.pk, "kind": CommunicationKind.SERVICE.value}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_user_from_token(token: str) -> User | None:
    """Return the active account a token names, or None when it is forged, expired or the account is gone."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("kind") != CommunicationKind.SERVICE:
        return None
    return User.objects.filter(pk=data.get("user"), is_active=True, closed_at__isnull=True).first()


def unsubscribe_url(user: User) -> str:
    """Return the absolute unsubscribe link of ``user``, in the active language."""
    from orders.emails import absolute_url

    return absolute_url(reverse("orders:unsubscribe", kwargs={"token": unsubscribe_token(user)}))


def carts_due(*, now) -> QuerySet[Cart]:
    """Return the account carts with lines, untouched for 24 hours and not reminded since their last change.

    A cart whose order was placed after its last change was checked out and
    is left alone.
    """
    return (
        Cart.objects.filter(
            user__isnull=False,
            user__is_active=True,
            user__closed_at__isnull=True,
            updated_at__lte=now - REMIND_AFTER,
            updated_at__gt=now - REMIND_UNTIL,
        )
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("updated_at")))
        .filter(Exists(CartLine.objects.filter(cart=OuterRef("pk"))))
        .exclude(Exists(Order.objects.filter(cart=OuterRef("pk"), placed_at__gte=OuterRef("updated_at"))))
        .filter(wants_service_messages(OuterRef("user")))
        # Only to an address its owner confirmed: an unconfirmed sign-up may be someone else's address.
        .filter(Exists(EmailAddress.objects.filter(user=OuterRef("user"), verified=True, primary=True)))
    )


def orders_due(*, now) -> QuerySet[Order]:
    """Return the account orders still waiting for payment 24 hours after they were placed, not reminded yet."""
    return Order.objects.filter(
        status=OrderStatus.PLACED,
        user__isnull=False,
        user__is_active=True,
        user__closed_at__isnull=True,
        placed_at__lte=now - REMIND_AFTER,
        placed_at__gt=now - REMIND_UNTIL,
        reminded_at__isnull=True,
    ).filter(wants_service_messages(OuterRef("user")))


def _claim(queryset: QuerySet, *, now) -> list:
    """Lock up to BATCH due rows (skipping rows another run holds), mark them reminded; return their ids."""
    ids = list(
        queryset.select_for_update(skip_locked=True, of=("self",)).order_by("pk").values_list("pk", flat=True)[:BATCH]
    )
    if ids:
        queryset.model.objects.filter(pk__in=ids).update(reminded_at=now)
    return ids


@transaction.atomic
def reminders_send_due() -> dict[str, int]:
    """Mark the carts and orders due for a reminder and queue one message each after commit; return the counts."""
    from orders.tasks import send_cart_reminder, send_order_email

    now = timezone.now()
    cart_ids = [str(pk) for pk in _claim(carts_due(now=now), now=now)]
    order_ids = [str(pk) for pk in _claim(orders_due(now=now), now=now)]

    enqueue_many(send_cart_reminder, [[cart_id] for cart_id in cart_ids])
    enqueue_many(send_order_email, [[order_id, "payment_reminder"] for order_id in order_ids])
    return {"carts": len(cart_ids), "orders": len(order_ids)}


def cart_reminder_deliver(*, cart_id: str) -> bool:
    """Send the reminder of a cart in its owner's language; False when the cart or its lines are gone."""
    from orders.emails import absolute_url, url_or_empty

    cart = Cart.objects.select_related("user").filter(pk=cart_id, user__isnull=False).first()
    if cart is None:
        return False
    user = cart.user
    lines = list(cart.lines.select_related("format__product").order_by("added_at", "id")[:10])
    if not lines:
        return False
    count = cart.lines.count()
    service_message_send(
        user=user,
        template="orders/email/cart_reminder",
        context=lambda: {
            "lines": lines,
            "count": count,
            "cart_url": url_or_empty("orders:cart") or absolute_url(reverse("home")),
        },
    )
    return True


def service_message_send(*, user: User, template: str, context: Callable[[], dict]) -> None:
    """Send a service message (STX-7) to an account, in its language, with the one-click unsubscribe link.

    ``context`` is called in the account's language (its links come out in it);
    ``template`` names the subject, text and HTML templates (``photoshop.emails``).
    """
    from django.utils import translation

    from orders.emails import unsubscribe_headers
    from photoshop.emails import render_email

    language = user.language if user.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        link = unsubscribe_url(user)
        values = {"user": user, "unsubscribe_url": link, **context()}
    message = render_email(
        template=template, context=values, language=language, to=user.email, headers=unsubscribe_headers(link)
    )
    send_email(message, user=user, kind=MessageLog.Kind.SERVICE)
