"""Where a delivery address lies (promotions.regions): Belgian and Dutch provinces by postal code.

Used by adverts' region targets (STX-12) and the sponsor portal's figures per
province; the portal counts in SQL and the advert matcher in Python, so both
must give every postal code the same province.
"""

import itertools

import pytest
from django.utils import translation

from orders.models import Order
from orders.tests.factories import OrderFactory
from promotions.regions import BE_PROVINCES, NL_PROVINCES, Region, region_label, region_of, region_within, with_region

# Places every Dutch reader knows, one or more per province, and the enclaves that a two-digit guess gets wrong.
KNOWN = [
    ("NL", "1012 AB", "NL-NH"),  # Amsterdam
    ("NL", "1000 AA", "NL-NH"),  # Amsterdam PO boxes: no inhabitants, inside Noord-Holland's range
    ("NL", "2011 AA", "NL-NH"),  # Haarlem
    ("NL", "2511 AA", "NL-ZH"),  # Den Haag
    ("NL", "3011 AA", "NL-ZH"),  # Rotterdam
    ("NL", "3511 AA", "NL-UT"),  # Utrecht
    ("NL", "5611 AA", "NL-NB"),  # Eindhoven
    ("NL", "6211 AA", "NL-LI"),  # Maastricht
    ("NL", "6811 AA", "NL-GE"),  # Arnhem
    ("NL", "8011 AA", "NL-OV"),  # Zwolle
    ("NL", "8911 AA", "NL-FR"),  # Leeuwarden
    ("NL", "9711 AA", "NL-GR"),  # Groningen
    ("NL", "9401 AA", "NL-DR"),  # Assen
    ("NL", "1315 AA", "NL-FL"),  # Almere
    ("NL", "8321 AA", "NL-FL"),  # Urk, amid Overijssel's codes
    ("NL", "4331 AA", "NL-ZE"),  # Middelburg
    ("NL", "1394 AA", "NL-NH"),  # Nederhorst den Berg: Noord-Holland amid Utrecht's 139x
    ("NL", "1393 AA", "NL-UT"),  # Nigtevecht, next to it: Utrecht
    ("NL", "3925 AA", "NL-GE"),  # Scherpenzeel: Gelderland amid Utrecht's 39xx
    ("NL", "4213 AA", "NL-ZH"),  # Dalem: Zuid-Holland between Gelderland's 4212 and 4214
    ("NL", "9851 AA", "NL-FR"),  # Burum: Friesland amid Groningen's 98xx
    ("NL", "7439 AA", "NL-GE"),  # Gelderland amid Overijssel's 74xx
    ("NL", "9999 AA", "NL-GR"),  # the last code
    ("NL", "3011AA", "NL-ZH"),  # as typed, without the space
    ("NL", "3390 AA", "NL"),  # between Zuid-Holland's 3381 and Utrecht's 3401: not guessed
    ("NL", "0999 AA", "NL"),
    ("NL", "", "NL"),
    ("nl", "1012 AB", "NL-NH"),
    ("BE", "9000", "BE-VOV"),  # Gent
    ("BE", "3500", "BE-VLI"),  # Hasselt
    ("be", "1050", "BE-BRU"),
    ("BE", "6600", "BE-WLX"),  # Bastogne
    ("BE", "12", ""),
    ("BE", "0999", ""),
    ("FR", "75001", ""),
    ("", "1012 AB", ""),
]


@pytest.mark.parametrize(("country", "postal_code", "region"), KNOWN)
def test_a_postal_code_gives_its_province(country, postal_code, region):
    assert region_of(country, postal_code) == region


@pytest.mark.parametrize("ranges", [BE_PROVINCES, NL_PROVINCES], ids=["BE", "NL"])
def test_the_ranges_are_ordered_and_do_not_overlap(ranges):
    for (low, high, _code), (next_low, next_high, _next) in itertools.pairwise(ranges):
        assert 1000 <= low <= high < next_low <= next_high <= 9999
    assert {code for _low, _high, code in ranges} == {c for c in Region.values if c.startswith(ranges[0][2][:3])}


def test_a_campaign_for_the_netherlands_meets_every_dutch_province():
    assert region_within("NL-ZH", "NL")
    assert region_within("NL", "NL")  # province unknown: still in the Netherlands
    assert region_within("NL-ZH", "NL-ZH")
    assert not region_within("NL-NH", "NL-ZH")
    assert not region_within("NL", "NL-ZH")  # an unknown province meets no province's target
    assert not region_within("BE-VOV", "NL")
    assert not region_within("", "NL")


@pytest.mark.django_db
def test_the_database_places_every_address_where_python_does():
    """The portal's SQL CASE and ``region_of`` agree on every range's first and last code, the codes just outside,
    and malformed input."""
    cases = {(country, code) for country, code, _region in KNOWN if country.upper() in ("BE", "NL")}
    for country, ranges in (("NL", NL_PROVINCES), ("BE", BE_PROVINCES)):
        for low, high, _code in ranges:
            for number in (low - 1, low, high, high + 1):
                suffix = " AB" if country == "NL" else ""
                cases.add((country, f"{number:04d}{suffix}"))
    for country, postal_code in cases:
        OrderFactory(ship_country=country.upper(), ship_postal_code=postal_code)
    rows = with_region(Order.objects.all()).values_list("ship_country", "ship_postal_code", "region")
    wrong = [(c, p, r) for c, p, r in rows if r != (region_of(c, p) or c)]
    assert len(rows) == len(cases)
    assert wrong == []


def test_region_names_in_each_language():
    with translation.override("nl"):
        assert (region_label("NL-ZH"), region_label("NL-FR"), region_label("BE-VOV")) == (
            "Zuid-Holland", "Fryslân", "Oost-Vlaanderen",
        )  # fmt: skip
        assert region_label("NL-LI") != region_label("BE-VLI")
        assert region_label("NL") == "Nederland"
    with translation.override("fr"):
        assert region_label("NL-NH") == "Hollande-Septentrionale"
    with translation.override("en"):
        assert region_label("NL-NB") == "North Brabant"
