"""The sponsor portal's figures: counts only, never a customer, and no figure for fewer than 5 people.

Each figure is one aggregate query; a group (a day, a province) of fewer
than ``MIN_GROUP`` customers is shown as "fewer than 5", never as its number,
so that no one can be singled out from the figures (k-anonymity, k = 5).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from orders.models import Order, OrderLine
from promotions.models import Campaign, Code, Redemption
from promotions.regions import region_label, with_region

MIN_GROUP = 5
ORDERED = ("paid", "in_production", "shipped", "delivered")
SHIPPED = ("shipped", "delivered")


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
        with_region(orders)
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
        per_region=[_group(region_label(row["region"]), row) for row in places],
    )


def _group(label: str, row: dict) -> Figure:
    """A group's count of orders, shown only when it holds at least ``MIN_GROUP`` people."""
    return Figure(label, row["n"] if row["people"] >= MIN_GROUP else None)
