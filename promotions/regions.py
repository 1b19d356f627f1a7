"""Where a delivery address lies: for adverts' targets (STX-12) and the sponsor portal's figures by province.

Belgium: provinces by bpost's postal code ranges.

The Netherlands: provinces by the postcode's four digits (PC4). The table
was made from Statistics Netherlands' *Bevolking per geslacht per postcode*
(CBS StatLine 83503NED, 1 January 2021: for each of the 4,065 inhabited PC4
the province its inhabitants live in, so a code on a provincial border
follows most of its people), with the 17 PC4 issued since taken from
GeoNames' Dutch postal codes (2024, CC BY 4.0) where a neighbouring code
lies in the same province (four GeoNames entries that did not were
rejected as errors). Consecutive codes of one province became one range:
110 ranges, among them the enclaves where a code belongs to another
province than the codes around it (1394 Nederhorst den Berg is
Noord-Holland amid Utrecht). A number inside a range that CBS did not list
(an uninhabited or PO-box code) belongs to that range's province; a number
between two provinces' ranges is not guessed: such an address counts as the
Netherlands, province unknown.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from django.db import models
from django.db.models import Case, CharField, F, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    """A region a campaign may target: a province (ISO 3166-2 code), or the Netherlands as a whole."""

    BRUSSELS = "BE-BRU", _("Brussels")
    WALLOON_BRABANT = "BE-WBR", _("Walloon Brabant")
    FLEMISH_BRABANT = "BE-VBR", _("Flemish Brabant")
    ANTWERP = "BE-VAN", _("Antwerp")
    LIMBURG = "BE-VLI", _("Limburg (BE)")
    LIEGE = "BE-WLG", _("Liège")
    NAMUR = "BE-WNA", _("Namur")
    HAINAUT = "BE-WHT", _("Hainaut")
    LUXEMBOURG = "BE-WLX", _("Luxembourg (BE)")
    WEST_FLANDERS = "BE-VWV", _("West Flanders")
    EAST_FLANDERS = "BE-VOV", _("East Flanders")
    NETHERLANDS = "NL", _("the Netherlands (all provinces)")
    DRENTHE = "NL-DR", _("Drenthe")
    FLEVOLAND = "NL-FL", _("Flevoland")
    FRYSLAN = "NL-FR", _("Friesland")
    GELDERLAND = "NL-GE", _("Gelderland")
    GRONINGEN = "NL-GR", _("Groningen")
    LIMBURG_NL = "NL-LI", _("Limburg (NL)")
    NORTH_BRABANT = "NL-NB", _("North Brabant")
    NORTH_HOLLAND = "NL-NH", _("North Holland")
    OVERIJSSEL = "NL-OV", _("Overijssel")
    UTRECHT = "NL-UT", _("Utrecht")
    ZEELAND = "NL-ZE", _("Zeeland")
    SOUTH_HOLLAND = "NL-ZH", _("South Holland")


BE_PROVINCES = (
    (1000, 1299, "BE-BRU"), (1300, 1499, "BE-WBR"), (1500, 1999, "BE-VBR"), (2000, 2999, "BE-VAN"),
    (3000, 3499, "BE-VBR"), (3500, 3999, "BE-VLI"), (4000, 4999, "BE-WLG"), (5000, 5999, "BE-WNA"),
    (6000, 6599, "BE-WHT"), (6600, 6999, "BE-WLX"), (7000, 7999, "BE-WHT"), (8000, 8999, "BE-VWV"),
    (9000, 9999, "BE-VOV"),
)  # fmt: skip

NL_PROVINCES = (
    (1000, 1277, "NL-NH"), (1309, 1364, "NL-FL"), (1381, 1384, "NL-NH"), (1391, 1393, "NL-UT"), (1394, 1394, "NL-NH"),
    (1396, 1396, "NL-UT"), (1398, 1424, "NL-NH"), (1426, 1427, "NL-UT"), (1428, 1428, "NL-ZH"), (1431, 2158, "NL-NH"),
    (2159, 2163, "NL-ZH"), (2165, 2165, "NL-NH"), (2171, 3381, "NL-ZH"), (3401, 3464, "NL-UT"), (3465, 3466, "NL-ZH"),
    (3467, 3621, "NL-UT"), (3625, 3625, "NL-NH"), (3626, 3648, "NL-UT"), (3651, 3653, "NL-ZH"), (3701, 3769, "NL-UT"),
    (3771, 3785, "NL-GE"), (3791, 3791, "NL-UT"), (3792, 3794, "NL-GE"), (3811, 3836, "NL-UT"), (3841, 3888, "NL-GE"),
    (3891, 3899, "NL-FL"), (3901, 3922, "NL-UT"), (3925, 3925, "NL-GE"), (3927, 3999, "NL-UT"), (4001, 4119, "NL-GE"),
    (4121, 4145, "NL-UT"), (4147, 4161, "NL-GE"), (4163, 4163, "NL-UT"), (4171, 4197, "NL-GE"), (4200, 4209, "NL-ZH"),
    (4211, 4212, "NL-GE"), (4213, 4213, "NL-ZH"), (4214, 4214, "NL-GE"), (4221, 4225, "NL-ZH"), (4231, 4235, "NL-UT"),
    (4241, 4241, "NL-ZH"), (4243, 4247, "NL-UT"), (4251, 4288, "NL-NB"), (4301, 4589, "NL-ZE"), (4611, 4671, "NL-NB"),
    (4675, 4675, "NL-ZE"), (4681, 4681, "NL-NB"), (4691, 4698, "NL-ZE"), (4701, 5298, "NL-NB"), (5301, 5335, "NL-GE"),
    (5341, 5764, "NL-NB"), (5766, 5817, "NL-LI"), (5821, 5846, "NL-NB"), (5851, 6019, "NL-LI"), (6021, 6029, "NL-NB"),
    (6031, 6471, "NL-LI"), (6511, 6582, "NL-GE"), (6584, 6599, "NL-LI"), (6601, 7399, "NL-GE"), (7411, 7437, "NL-OV"),
    (7439, 7439, "NL-GE"), (7441, 7702, "NL-OV"), (7705, 7705, "NL-DR"), (7707, 7739, "NL-OV"), (7741, 7766, "NL-DR"),
    (7771, 7798, "NL-OV"), (7811, 7944, "NL-DR"), (7946, 7946, "NL-OV"), (7948, 7949, "NL-DR"), (7951, 7955, "NL-OV"),
    (7957, 7991, "NL-DR"), (8011, 8045, "NL-OV"), (8051, 8052, "NL-GE"), (8055, 8066, "NL-OV"), (8071, 8097, "NL-GE"),
    (8101, 8154, "NL-OV"), (8161, 8194, "NL-GE"), (8196, 8198, "NL-OV"), (8211, 8256, "NL-FL"), (8261, 8294, "NL-OV"),
    (8301, 8323, "NL-FL"), (8325, 8347, "NL-OV"), (8351, 8351, "NL-DR"), (8355, 8378, "NL-OV"), (8381, 8387, "NL-DR"),
    (8388, 8435, "NL-FR"), (8437, 8439, "NL-DR"), (8441, 9299, "NL-FR"), (9301, 9343, "NL-DR"), (9351, 9367, "NL-GR"),
    (9401, 9475, "NL-DR"), (9479, 9479, "NL-GR"), (9481, 9497, "NL-DR"), (9501, 9503, "NL-GR"), (9511, 9537, "NL-DR"),
    (9541, 9563, "NL-GR"), (9564, 9564, "NL-DR"), (9566, 9566, "NL-GR"), (9571, 9574, "NL-DR"), (9581, 9651, "NL-GR"),
    (9654, 9659, "NL-DR"), (9661, 9747, "NL-GR"), (9749, 9749, "NL-DR"), (9751, 9756, "NL-GR"), (9761, 9766, "NL-DR"),
    (9771, 9845, "NL-GR"), (9851, 9853, "NL-FR"), (9861, 9866, "NL-GR"), (9871, 9873, "NL-FR"), (9881, 9999, "NL-GR"),
)  # fmt: skip

RANGES = {"BE": BE_PROVINCES, "NL": NL_PROVINCES}
# A postal code that starts with exactly four digits (Belgian "9000", Dutch "1012 AB"); the same pattern in SQL.
FOUR_DIGITS = re.compile(r"[0-9]{4}(?![0-9])")
FOUR_DIGITS_SQL = r"^[0-9]{4}([^0-9]|$)"
_STARTS = {country: [low for low, _high, _code in ranges] for country, ranges in RANGES.items()}


def region_of(country: str, postal_code: str) -> str:
    """Return the region of a delivery address: its province's code, "NL" (province unknown) or "" (elsewhere)."""
    country = str(country or "").upper()
    if country not in RANGES:
        return ""
    digits = FOUR_DIGITS.match(postal_code or "")
    if digits is None:
        return "NL" if country == "NL" else ""
    number = int(digits.group())
    ranges = RANGES[country]
    at = bisect_right(_STARTS[country], number) - 1
    if at >= 0 and ranges[at][1] >= number:
        return ranges[at][2]
    return "NL" if country == "NL" else ""


def region_within(region: str, target: str) -> bool:
    """Whether an address's region meets a campaign's target: a province itself, or any province of the country."""
    return bool(region) and (region == target or region.startswith(f"{target}-"))


def with_region(queryset: QuerySet, country: str = "ship_country", postal_code: str = "ship_postal_code") -> QuerySet:
    """Annotate ``region``: ``region_of`` evaluated by the database (its province's code, else the country code)."""
    by_country = [
        When(
            **{country: land, f"{postal_code}__regex": FOUR_DIGITS_SQL},
            then=Case(
                *[
                    When(_pc4__gte=f"{low:04d}", _pc4__lte=f"{high:04d}", then=Value(code))
                    for low, high, code in ranges
                ],
                default=Value(land),
            ),
        )
        for land, ranges in RANGES.items()
    ]
    return queryset.alias(_pc4=Substr(postal_code, 1, 4)).annotate(
        region=Case(*by_country, default=F(country), output_field=CharField())
    )


def region_label(key: str) -> str:
    """A region's name for people: the province, or the country's name."""
    from django_countries import countries

    if key in Region.values and "-" in key:
        return str(Region(key).label)
    return str(countries.name(key) or key)
