"""The sponsor portal's figures: counts only, never a customer, and no figure for fewer than 5 people.

Each figure is one aggregate query; a group (a day, a province) of fewer
than ``MIN_GROUP`` customers is shown as "fewer than 5", never as its number,
so that no one can be singled out from the figures (k-anonymity, k = 5).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from orders.models import Order, OrderLine
from promotions.models import Campaign, Code, Redemption

MIN_GROUP = 5
ORDERED = ("paid", "in_production", "shipped", "delivered")
SHIPPED = ("shipped", "delivered")

# Belgian provinces by postal code (bpost's ranges); the Netherlands and other countries by country.
_BE = (
    (1000, 1299, _("Brussels")),
    (1300, 1499, _("Walloon Brabant")),
    (1500, 1999, _("Flemish Brabant")),
    (2000, 2999, _("Antwerp")),
    (3000, 3499, _("Flemish Brabant")),
    (3500, 3999, _("Limburg")),
    (4000, 4999, _("Liège")),
    (5000, 5999, _("Namur")),
    (6000, 6599, _("Hainaut")),
    (6600, 6999, _("Luxembourg")),
    (7000, 7999, _("Hainaut")),
    (8000, 8999, _("West Flanders")),
    (9000, 9999, _("East Flanders")),
)


def _region_expression() -> Case:
    """The order's region in SQL: ``BE:<first postal code of the province's range>``, else the country code.

    Belgian postal codes are four digits, so comparing them as text compares them as numbers.
    """
    return Case(
        *[
            When(
                Q(ship_country="BE", ship_postal_code__gte=f"{low:04d}", ship_postal_code__lte=f"{high:04d}"),
                then=Value(f"BE:{low}"),
            )
            for low, high, _name in _BE
        ],
        default=F("ship_country"),
        output_field=CharField(),
    )


def _region_name(key: str) -> str:
    from django_countries import countries

    if key.startswith("BE:"):
        low = int(key[3:])
        return str(next(name for start, _high, name in _BE if start == low))
    return str(countries.name(key) or key)


@dataclass(frozen=True)
class Figure:
    """A count shown to a sponsor: ``value`` is None when the group is too small to show."""

    label: str
    value: int | None

    @property
    def raw(self) -> int | str:
        """For a spreadsheet: the plain number, or "< 5"."""
        return "< 5" if self.value is None else self.value

    @property
    def shown(self) -> str:
        return "< 5" if self.value is None else f"{self.value:,}".replace(",", ".")


def _k(count: int) -> int | None:
    return count if count >= MIN_GROUP else None


def _orders(campaign: Campaign):
    ids = Redemption.objects.filter(campaign=campaign, status=Redemption.Status.ACTIVE, order__isnull=False)
    return Order.objects.filter(pk__in=ids.values("order_id"), status__in=ORDERED)


@dataclass(frozen=True)
class CampaignFigures:
    campaign: Campaign
    codes_issued: int
    codes_redeemed: Figure
    codes_remaining: int
    orders: Figure
    products_shipped: Figure
    per_day: list[Figure]
    per_region: list[Figure]


def campaign_figures(campaign: Campaign) -> CampaignFigures:
    """Return a campaign's figures as its sponsor sees them (a handful of aggregate queries)."""
    codes = Code.objects.filter(campaign=campaign).aggregate(
        issued=Count("id"), used=Sum("used"), capacity=Sum("max_uses")
    )
    orders = _orders(campaign)
    people = orders.aggregate(n=Count("user", distinct=True) + Count("id", filter=Q(user__isnull=True)))["n"]
    shipped = OrderLine.objects.filter(order__in=orders.filter(status__in=SHIPPED)).aggregate(
        n=Sum("quantity"), people=Count("order__user", distinct=True)
    )
    days = (
        orders.annotate(day=TruncDate("placed_at"))
        .values("day")
        .annotate(n=Count("id"), people=Count("user", distinct=True))
        .order_by("day")
    )
    places = (
        orders.annotate(region=_region_expression())
        .values("region")
        .annotate(n=Count("id"), people=Count("user", distinct=True))
        .order_by("-n")
    )
    return CampaignFigures(
        campaign=campaign,
        codes_issued=codes["issued"] or 0,
        codes_redeemed=Figure(str(_("codes redeemed")), _k(campaign.redeemed)),
        codes_remaining=(codes["capacity"] or 0) - (codes["used"] or 0),
        orders=Figure(str(_("orders")), _k(people) and orders.count()),
        products_shipped=Figure(
            str(_("products shipped")), (shipped["n"] or 0) if (shipped["people"] or 0) >= MIN_GROUP else None
        ),
        per_day=[_group(row["day"].isoformat(), row) for row in days],
        per_region=[_group(_region_name(row["region"]), row) for row in places],
    )


def _group(label: str, row: dict) -> Figure:
    """A group's count of orders, shown only when it holds at least ``MIN_GROUP`` people."""
    return Figure(label, row["n"] if row["people"] >= MIN_GROUP else None)
