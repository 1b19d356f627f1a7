"""Money in integer cents: every total, VAT amount and rounding of the shop is computed here.

Prices are stored including VAT (consumer prices in BE and NL). The VAT in a
gross amount is extracted per rate, on the sum of the lines at that rate,
rounded half up to the cent, so an invoice's VAT per rate equals the VAT on
its total at that rate (no sum of per-line roundings).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

CURRENCY = "EUR"


def vat_in_gross(gross_cents: int, rate_bp: int) -> int:
    """Return the VAT contained in a gross amount at a rate in basis points (2100 = 21%), rounded half up."""
    if gross_cents < 0:
        return -vat_in_gross(-gross_cents, rate_bp)
    numerator = gross_cents * rate_bp
    denominator = 10_000 + rate_bp
    return (2 * numerator + denominator) // (2 * denominator)


def format_cents(cents: int, currency: str = CURRENCY) -> str:
    """Return an amount as shown to a customer, e.g. "€ 12,50" (comma decimals, as in BE and NL)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    symbol = "€" if currency == "EUR" else currency
    return f"{sign}{symbol} {euros:,}".replace(",", ".") + f",{rest:02d}"


@dataclass(frozen=True)
class Amount:
    """A gross amount at one VAT rate: a line, a shipping charge or a discount (negative)."""

    gross_cents: int
    rate_bp: int


@dataclass
class Totals:
    """The totals of an order or cart: what the summary, the order row and the invoice show."""

    items_cents: int = 0
    shipping_cents: int = 0
    discount_cents: int = 0  # negative or zero
    total_cents: int = 0
    vat_cents: int = 0
    vat_by_rate: dict[int, tuple[int, int]] = field(default_factory=dict)  # rate_bp -> (gross, vat)

    @property
    def net_cents(self) -> int:
        return self.total_cents - self.vat_cents


def _spread(amount: int, weights: dict[int, int]) -> dict[int, int]:
    """Split ``amount`` over the keys in proportion to their weights, to the cent (largest remainder)."""
    total = sum(weights.values())
    if not total:
        return {}
    shares = {key: amount * weight // total for key, weight in weights.items()}
    rest = amount - sum(shares.values())
    by_remainder = sorted(weights, key=lambda key: (-(amount * weights[key] % total), key))
    for key in by_remainder[:rest]:
        shares[key] += 1
    return shares


def compute_totals(
    *, items: Iterable[Amount], shipping: Amount | None = None, discounts: Iterable[int] = ()
) -> Totals:
    """Return the totals of items, shipping and discounts (in cents, zero or negative), with VAT per rate.

    A discount is spread over the VAT rates in proportion to what is charged
    at each (as Belgian and Dutch VAT rules want for a mixed order), and it
    never makes the total negative: a fully covered order totals zero, VAT zero.
    """
    totals = Totals()
    by_rate: dict[int, int] = {}
    for item in items:
        totals.items_cents += item.gross_cents
        by_rate[item.rate_bp] = by_rate.get(item.rate_bp, 0) + item.gross_cents
    if shipping is not None:
        totals.shipping_cents = shipping.gross_cents
        by_rate[shipping.rate_bp] = by_rate.get(shipping.rate_bp, 0) + shipping.gross_cents
    charged = totals.items_cents + totals.shipping_cents
    discount = max(sum(discounts), -charged)
    if discount:
        totals.discount_cents = discount
        for rate, share in _spread(-discount, by_rate).items():
            by_rate[rate] -= share
    totals.total_cents = charged + totals.discount_cents
    for rate, gross in sorted(by_rate.items()):
        if gross:
            vat = vat_in_gross(gross, rate)
            totals.vat_by_rate[rate] = (gross, vat)
            totals.vat_cents += vat
    return totals
