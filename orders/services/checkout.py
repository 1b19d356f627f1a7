"""Placing an order from a cart: snapshots of lines, addresses and prices, totals from ``orders.money``."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.locks import cart_qs_select_for_update, order_qs_select_for_update
from orders.models import Cart, Order, OrderChannel, OrderDiscount, OrderEvent, OrderLine, OrderStatus, ShippingMethod
from orders.selectors.cart import cart_view
from orders.selectors.catalogue import VatRateMissing, vat_rate_bp
from orders.services.lifecycle import order_event_record, order_transition

# Order numbers: no 0/O, 1/I/L look-alikes, read over the phone without doubt.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Delivery:
    """The addresses and contact of an order, as the checkout form cleaned them."""

    email: str
    ship_name: str
    ship_street: str
    ship_postal_code: str
    ship_city: str
    ship_country: str
    ship_company: str = ""
    ship_line2: str = ""
    ship_phone: str = ""
    bill_name: str = ""
    bill_company: str = ""
    bill_vat_number: str = ""
    bill_street: str = ""
    bill_line2: str = ""
    bill_postal_code: str = ""
    bill_city: str = ""
    bill_country: str = ""


@dataclass(frozen=True)
class Discount:
    """A discount to apply when placing an order (the seam promo codes plug into): negative cents, VAT included."""

    label: str
    source: str
    amount_cents: int

    def __post_init__(self) -> None:
        if self.amount_cents > 0:
            raise ValueError("A discount is zero or negative.")


def order_number() -> str:
    """Return a new order number such as ``PS-7KQ4-M2XD``."""
    code = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"PS-{code[:4]}-{code[4:]}"


def _lines_and_totals(cart: Cart, country: str, shipping: ShippingMethod, discounts: tuple[int, ...] = ()):
    view = cart_view(cart)
    if not view.lines:
        raise ValidationError(_("Your cart is empty."), code="empty")
    if view.refused:
        raise ValidationError(
            _("Some photos are too small or too blurred for their format: change them in your cart first."),
            code="refused",
        )
    try:
        totals = view.totals(country=country, shipping_cents=shipping.price_cents, discounts=discounts)
        rates = {item.line.pk: vat_rate_bp(item.line.format.product.kind, country) for item in view.lines}
        shipping_rate = vat_rate_bp("shipping", country)
    except VatRateMissing as exc:
        raise ValidationError(
            _("We cannot deliver this order to that country yet. Choose another delivery country."),
            code="vat_missing",
        ) from exc
    return view, totals, rates, shipping_rate


@transaction.atomic
def order_place(
    *,
    cart: Cart,
    user,
    delivery: Delivery,
    shipping: ShippingMethod,
    language: str,
    discounts: Sequence[Discount] = (),
    microsite_id: int | None = None,
) -> Order:
    """Place (or refresh) the order of ``cart``: one order per cart, however often checkout is submitted.

    Runs under the cart's lock, so two checkouts of one cart make one order. A
    cart whose order is placed and not yet paid refreshes that order (lines,
    addresses, totals); the payment page then starts a new attempt if the
    amount changed. An order fully covered by its discounts is paid at once,
    without the payment provider.
    """
    cart = cart_qs_select_for_update().get(pk=cart.pk)
    if not shipping.is_active or shipping.country.code != delivery.ship_country:
        raise ValidationError(_("Choose a shipping method for the delivery country."), code="shipping")
    view, totals, rates, shipping_rate = _lines_and_totals(
        cart, delivery.ship_country, shipping, tuple(d.amount_cents for d in discounts)
    )
    existing = Order.objects.filter(cart=cart).first()
    if existing is not None:
        order = order_qs_select_for_update().get(pk=existing.pk)
        if order.status != OrderStatus.PLACED:
            raise ValidationError(_("This cart was ordered already."), code="ordered")
        order.lines.all().delete()
        order.discounts.all().delete()
        refreshed = True
    else:
        order = Order(cart=cart, number=order_number())
        refreshed = False
    order.user = user if getattr(user, "is_authenticated", False) else None
    order.language = language[:2]
    order.microsite_id = microsite_id  # the sponsor's microsite it was placed on (STX-2, STX-3)
    order.channel = OrderChannel.MICROSITE if microsite_id else OrderChannel.WEB
    for name, value in vars(delivery).items():
        setattr(order, name, value)
    order.shipping_method = shipping
    order.shipping_name = shipping.name
    order.shipping_cents = totals.shipping_cents
    order.shipping_vat_bp = shipping_rate
    order.items_cents = totals.items_cents
    order.discount_cents = totals.discount_cents
    order.total_cents = totals.total_cents
    order.vat_cents = totals.vat_cents
    order.placed_at = timezone.now()
    order.full_clean(exclude=["cart", "user"])
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:  # a number drawn twice: draw again
        order.number = order_number()
        order.save()
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=position,
            format=item.line.format,
            product_kind=item.line.format.product.kind,
            product_name=item.line.format.product.name,
            format_code=item.line.format.code,
            format_name=item.line.format.name,
            width_mm=item.line.format.width_mm,
            height_mm=item.line.format.height_mm,
            finish_code=item.line.finish.code if item.line.finish else "",
            finish_name=item.line.finish.name if item.line.finish else "",
            photos_per_item=item.line.format.product.photos_per_item,
            photo=item.line.photo,
            quantity=item.line.quantity,
            unit_price_cents=item.unit_cents,
            total_cents=item.total_cents,
            vat_rate_bp=rates[item.line.pk],
            fit=item.line.fit,
            crop_left=item.line.crop_left,
            crop_top=item.line.crop_top,
            crop_right=item.line.crop_right,
            crop_bottom=item.line.crop_bottom,
        )
        for position, item in enumerate(view.lines, start=1)
    )
    # The discounts as applied: capped so that the order never costs less than nothing.
    remaining = totals.discount_cents
    for discount in discounts:
        amount = max(discount.amount_cents, remaining)
        remaining -= amount
        if amount:
            OrderDiscount.objects.create(
                order=order, label=discount.label, source=discount.source, amount_cents=amount
            )
    order_event_record(
        order=order,
        kind=OrderEvent.Kind.PLACED,
        actor=user,
        total_cents=order.total_cents,
        refreshed=refreshed,
    )
    if order.total_cents == 0:
        order_paid_without_payment(order=order, actor=user)
    return order


def cart_close(*, order: Order) -> None:
    """Empty the cart an order was placed from, once the order is paid, and let the cart be reused."""
    if order.cart_id:
        cart = cart_qs_select_for_update().filter(pk=order.cart_id).first()
        if cart is not None:
            cart.lines.all().delete()
        Order.objects.filter(pk=order.pk).update(cart=None)
        order.cart = None


def order_paid_without_payment(*, order: Order, actor=None) -> Order:
    """Complete an order that costs nothing (fully discounted): paid without the payment provider."""
    order = order_transition(order=order, to=OrderStatus.PAID, actor=actor, allow_same=True, free=True)
    cart_close(order=order)
    return order
