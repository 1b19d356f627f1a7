"""Reads of the cart: whose cart a request has, and its lines with prices and print checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest

from orders.models import Cart, CartLine, ProductKind
from orders.money import Amount, Totals, compute_totals
from photos.processing import Fit, print_fit
from photos.selectors import VISITOR_KEY


def cart_for_request(request: HttpRequest) -> Cart | None:
    """Return the request's cart, or None: the account's when signed in, else the visitor's session cart."""
    if request.user.is_authenticated:
        return Cart.objects.filter(user=request.user).first()
    key = request.session.get(VISITOR_KEY)
    if not key:
        return None
    return Cart.objects.filter(user__isnull=True, session_key=key).first()


@dataclass
class LineView:
    """A cart line as the cart and checkout pages show it."""

    line: CartLine
    unit_cents: int
    total_cents: int
    dpi: int | None = None
    verdict: str = Fit.FINE

    @property
    def refused(self) -> bool:
        return self.verdict in (Fit.TOO_SMALL, Fit.UNSHARP)

    @property
    def crop_path(self) -> str:
        """Return an SVG path (unit square) that shades what the crop cuts off, or "" without a crop box."""
        line = self.line
        if line.fit != "crop" or line.crop_left is None:
            return ""
        left, top, right, bottom = (
            f"{v:.4f}" for v in (line.crop_left, line.crop_top, line.crop_right, line.crop_bottom)
        )
        return f"M0 0H1V1H0Z M{left} {top}V{bottom}H{right}V{top}Z"

    @property
    def warned(self) -> bool:
        return self.verdict == Fit.LOW


@dataclass
class CartView:
    lines: list[LineView] = field(default_factory=list)
    items_cents: int = 0

    @property
    def count(self) -> int:
        return sum(view.line.quantity for view in self.lines)

    @property
    def refused(self) -> list[LineView]:
        return [view for view in self.lines if view.refused]

    def totals(self, *, country: str, shipping_cents: int | None = None, discounts: tuple[int, ...] = ()) -> Totals:
        """Return the totals for delivery to ``country`` (VAT per rate of that country)."""
        from orders.selectors.catalogue import vat_rate_bp

        items = [Amount(view.total_cents, vat_rate_bp(view.line.format.product.kind, country)) for view in self.lines]
        shipping = Amount(shipping_cents, vat_rate_bp("shipping", country)) if shipping_cents is not None else None
        return compute_totals(items=items, shipping=shipping, discounts=discounts)


SINGLE_PHOTO_KINDS = (ProductKind.PRINT, ProductKind.SQUARE_PRINT, ProductKind.POSTER, ProductKind.STAMP)


def orderable_formats():
    """Return the formats a single photo can be ordered in, in catalogue order (the gallery's and cart's choice)."""
    from orders.models import Format
    from orders.selectors.catalogue import catalogue_cached

    def build() -> list[Format]:
        return list(
            Format.objects.filter(is_active=True, product__is_active=True, product__kind__in=SINGLE_PHOTO_KINDS)
            .select_related("product")
            .order_by("product__position", "product__slug", "position", "id")
        )

    # Shared by every request of the process until the catalogue changes: read-only.
    return catalogue_cached("orderable-formats", build)


def _verdict(line: CartLine) -> tuple[int | None, str]:
    """Return the DPI the line's photo reaches in its format and the verdict (fine, low, too small, unsharp)."""
    photo = line.photo
    if photo is None or not photo.width or not photo.height:
        return None, Fit.FINE
    fmt = line.format
    box_w = (line.crop_right - line.crop_left) if line.crop_left is not None else 1.0
    box_h = (line.crop_bottom - line.crop_top) if line.crop_top is not None else 1.0
    width, height = int(photo.width * box_w), int(photo.height * box_h)
    from orders.selectors.catalogue import PrintFormat

    size = PrintFormat(fmt.code, fmt.long_cm, fmt.short_cm)
    result = print_fit(width, height, photo.sharpness, formats=[size])[fmt.code]
    return result["dpi"], result["fit"]


def cart_view(cart: Cart | None) -> CartView:
    """Return the cart's lines with unit prices, totals and the print check of each photo."""
    view = CartView()
    if cart is None:
        return view
    lines = cart.lines.select_related("format__product", "finish", "photo", "creation").order_by("added_at", "id")
    for line in lines:
        unit = line.format.price_cents + (line.finish.surcharge_cents if line.finish else 0)
        dpi, verdict = _verdict(line)
        view.lines.append(LineView(line, unit, unit * line.quantity, dpi, verdict))
        view.items_cents += unit * line.quantity
    return view
