"""Personal data of orders placed on a microsite, declared for the privacy engine (STX-2, STX-3).

The orders app declares every order; these declarations add the rows a
microsite rule addresses: the orders placed through a microsite, anonymised
6 months after their order date (STX-2, as the orders' own declaration
anonymises them), and the photos of such orders, archived 3 months after it
(STX-3, the ``microsite`` scope and the ``order_date`` clock added to the
photos' declaration through the registry's extension API).
"""

from __future__ import annotations

import dataclasses

from django.db.models import DateTimeField, Exists, F, Max, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from privacy.registry import Anonymise, Category, PersonalData, Strategy, register, registry

MICROSITE = Q(channel="microsite")


def _as_microsite_order(entry: PersonalData, prefix: str) -> PersonalData:
    """The orders app's declaration of ``entry``, limited to microsite orders, under STX-2's category.

    Anonymised, never deleted: the order and its lines stay as the sponsor's figures (what was
    ordered, when, where to) without the person.
    """
    return dataclasses.replace(
        entry,
        category=Category.MICROSITE_ORDER,
        anonymise_by_deleting=False,
        anonymised_marker="anonymised_at",
        scope=(entry.scope or Q()) & Q(**{f"{prefix}channel": "microsite"}),
        triggers={"order_date": F(f"{prefix}placed_at")},
        scopes={},
    )


for _label, _prefix in (("orders.order", ""), ("orders.orderline", "order__")):
    (_entry,) = [e for e in registry.for_model(_label) if e.category == Category.ORDER]
    register(_as_microsite_order(_entry, _prefix))

# The code used on such an order: it loses its customer with the order (the sponsor's counts
# stay); the details the code asked for (STX-8) and the advert decision (STX-12) go.
(_entry,) = [e for e in registry.for_model("promotions.redemption") if e.category == Category.ORDER]
register(
    dataclasses.replace(
        _as_microsite_order(_entry, "order__"),
        fields=(Anonymise("user", Strategy.NULL), *_entry.fields),
        triggers={"order_date": F("order__placed_at")},
    )
)
for _label, _prefix in (
    ("promotions.redemptiondetail", "redemption__order__"),
    ("promotions.advertdecision", "order__"),
):
    (_entry,) = [e for e in registry.for_model(_label) if e.category == Category.ORDER]
    register(
        dataclasses.replace(
            _as_microsite_order(_entry, _prefix),
            anonymise_by_deleting=True,
            anonymised_marker=None,
            triggers={"order_date": F(f"{_prefix}placed_at")},
        )
    )


def _microsite_lines():
    from orders.models import OrderLine

    return OrderLine.objects.filter(photo=OuterRef("pk"), order__channel="microsite")


def _photo_microsite_order_date():
    # STX-3: the photo's newest microsite order counts (a photo ordered again is kept for that order).
    return Subquery(
        _microsite_lines().order_by().values("photo").annotate(last=Max("order__placed_at")).values("last")[:1],
        output_field=DateTimeField(),
    )


registry.add_trigger("photos.Photo", Category.IMAGE, "order_date", _photo_microsite_order_date)
registry.add_scope(
    "photos.Photo",
    Category.IMAGE,
    "microsite",
    Q(Exists(_microsite_lines())),
    _("that are part of an order placed through a sponsor's microsite"),
)

registry.not_personal("microsites.Microsite", "sponsors' sites: a company's name, logo and words")
registry.not_personal("microsites.Microsite_campaigns", "which campaigns a microsite accepts")
registry.not_personal("microsites.Microsite_products", "which products a microsite sells")
