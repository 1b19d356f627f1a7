"""The shop's e-mails to customers: transactional ones (always sent, STX-7) and service reminders.

Each e-mail is rendered in the customer's language from a text and an HTML
template under ``orders/email/``, sent by a Celery task queued after the
commit of the change it reports, and leaves an ``OrderEvent`` of kind e-mail.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import TextChoices
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import MessageLog
from orders.models import Order, OrderEvent, OrderStatus
from photoshop.emails import absolute_url, send_email
from photoshop.emails import render_email as render_shop_email


class EmailKind(TextChoices):
    """The e-mails about an order; all but the payment reminder are transactional and always sent (STX-7)."""

    CONFIRMATION = "confirmation", _("order confirmation")
    IN_PRODUCTION = "in_production", _("printing started")
    SHIPPED = "shipped", _("order shipped")
    REFUND = "refund", _("refund")
    PAYMENT_REMINDER = "payment_reminder", _("payment reminder")
    UNPAID_CANCELLED = "unpaid_cancelled", _("order cancelled, not paid")
    IDENTITY_CHECK = "identity_check", _("identity check before printing")


# Which e-mail a status change sends (order_transition queues it after commit).
EMAIL_FOR_STATUS: dict[str, str] = {
    OrderStatus.PAID: EmailKind.CONFIRMATION,
    OrderStatus.IN_PRODUCTION: EmailKind.IN_PRODUCTION,
    OrderStatus.SHIPPED: EmailKind.SHIPPED,
    OrderStatus.REFUNDED: EmailKind.REFUND,
}

# A guest's link to the order page in their e-mails stays valid this long
# after the e-mail that carries it (each e-mail signs a fresh one).
GUEST_LINK_MAX_AGE = timedelta(days=90)
GUEST_LINK_SALT = "orders.guest-order-link"


def guest_order_token(order: Order) -> str:
    """Return a signed token that opens this order's page without an account."""
    return signing.dumps({"order": str(order.pk)}, salt=GUEST_LINK_SALT, compress=True)


def guest_order_from_token(token: str) -> str | None:
    """Return the order id a guest token names, or None when it is forged or expired."""
    try:
        data = signing.loads(token, salt=GUEST_LINK_SALT, max_age=GUEST_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    return data.get("order") if isinstance(data, dict) else None


def order_page_url(order: Order) -> str:
    """Return the link to the order page in the active language: the account page, or a signed one for a guest."""
    if order.user_id:
        return absolute_url(reverse("orders:order_detail", kwargs={"pk": order.pk}))
    return absolute_url(reverse("orders:order_guest", kwargs={"token": guest_order_token(order)}))


def payment_page_url(order: Order) -> str:
    """Return the page where an unpaid order is paid (the checkout's ``orders:order_pay``), or "" without one."""
    try:
        return reverse("orders:order_pay", kwargs={"pk": order.pk})
    except NoReverseMatch:
        return ""


def tracking_link(order: Order) -> str:
    """Return the carrier's tracking page of the order's parcel, or "" without a number or a link pattern."""
    pattern = order.shipping_method.tracking_url if order.shipping_method_id else ""
    if not order.tracking_number or "{code}" not in pattern:
        return ""
    from urllib.parse import quote

    return pattern.replace("{code}", quote(order.tracking_number, safe=""))


def url_or_empty(name: str, **kwargs: Any) -> str:
    """Return the absolute URL of a view another part of the shop provides, or "" while it does not exist."""
    try:
        return absolute_url(reverse(name, kwargs=kwargs or None))
    except NoReverseMatch:
        return ""


def unsubscribe_headers(url: str) -> dict[str, str]:
    """Return the headers that give mail clients an unsubscribe button (RFC 2369) working in one click (RFC 8058)."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def render_email(
    *, template: str, context: dict[str, Any], language: str, to: str, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    """Render ``orders/email/<template>`` (subject, text and HTML) in ``language`` as a message to ``to``."""
    return render_shop_email(
        template=f"orders/email/{template}", context=context, language=language, to=to, headers=headers
    )


def microsite_brand(order: Order) -> dict[str, str]:
    """The look of an order placed on a sponsor's microsite, for its e-mails: the site's name, colour and logo."""
    if not order.microsite_id:
        return {}
    from microsites.selectors import sites_online

    site = next((s for s in sites_online().by_slug.values() if s.id == order.microsite_id), None)
    if site is None:  # the site went off line since: the shop's own look
        return {}
    return {
        "site_name": site.name,
        "brand_colour": site.colour if re.fullmatch(r"#[0-9a-f]{6}", site.colour) else "#1f6f5c",
        "brand_logo": absolute_url(site.logo_url) if site.logo_url else "",
    }


def order_email_send(*, order: Order, kind: str, amount_cents: int | None = None) -> None:
    """Queue the ``kind`` e-mail about ``order``, sent by a task once the current transaction commits.

    Call it inside the transaction that makes the change the e-mail reports
    (a refund of one line passes its ``amount_cents``); a rolled-back change
    sends nothing.
    """
    if kind not in EmailKind.values:
        raise ValueError(f"Unknown order e-mail: {kind!r}")
    from orders.tasks import send_order_email
    from photoshop.outbox import enqueue

    enqueue(send_order_email, str(order.pk), kind, amount_cents)


def order_email_deliver(*, order_id: str, kind: str, amount_cents: int | None = None) -> bool:
    """Render and send the ``kind`` e-mail of an order now, and record it as an order event.

    Return False when there is nothing to send: the order is gone, its
    personal data was anonymised or restricted, or a payment reminder finds
    the order paid or cancelled meanwhile.
    """
    order = (
        Order.objects.select_related("shipping_method").filter(pk=order_id).first()
    )  # gone: erased or never committed
    if order is None or not order.email or order.anonymised_at or order.restricted_at:
        # Erased or restricted by the retention sweep: nobody left to write to.
        return False
    if kind == EmailKind.PAYMENT_REMINDER and order.status != OrderStatus.PLACED:
        return False
    language = order.language if order.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        lines = list(order.lines.order_by("position"))
        context: dict[str, Any] = {
            "order": order,
            "lines": lines,
            "kind": kind,
            "order_url": order_page_url(order),
            "tracking_url": tracking_link(order),
            # A whole refund reports what was refunded (the total when the amount is not recorded yet).
            "amount_cents": amount_cents if amount_cents is not None else (order.refunded_cents or order.total_cents),
            "full_refund": amount_cents is None or amount_cents >= order.total_cents,
        }
        headers: dict[str, str] = {}
        if kind == EmailKind.PAYMENT_REMINDER:
            from orders.services.reminders import unsubscribe_url

            context["unsubscribe_url"] = unsubscribe_url(order.user) if order.user_id else ""
            path = payment_page_url(order)
            context["pay_url"] = absolute_url(path) if path else context["order_url"]
            if context["unsubscribe_url"]:
                headers.update(unsubscribe_headers(context["unsubscribe_url"]))
            from orders.services.expiry import unpaid_deadline

            context["deadline"] = unpaid_deadline(order)
        if kind == EmailKind.IDENTITY_CHECK:
            context["contact_url"] = absolute_url(reverse("contact"))
        if kind == EmailKind.UNPAID_CANCELLED:
            context["codes"] = [
                source.removeprefix("promo:")
                for source in order.discounts.values_list("source", flat=True)
                if source.startswith("promo:")
            ]
    context.update(microsite_brand(order))
    message = render_email(
        template=f"order_{kind}", context=context, language=language, to=order.email, headers=headers
    )
    kind_of_message = MessageLog.Kind.SERVICE if kind == EmailKind.PAYMENT_REMINDER else MessageLog.Kind.TRANSACTIONAL
    send_email(message, user=order.user if order.user_id else None, kind=kind_of_message)
    # Recorded once the mail is handed over: the row says it left.
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.EMAIL,
        detail={"email": kind, **({"amount_cents": amount_cents} if amount_cents is not None else {})},
    )
    return True
