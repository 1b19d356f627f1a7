"""Demo data of the promotions app: a sponsor's campaign of free prints and a few codes to try."""

from __future__ import annotations

import datetime

from django.utils import timezone

from orders.models import Format
from promotions.models import Campaign, Code, Sponsor

DEMO_CODES = ("GENT3HK4TR", "GENT7MCXAP", "GENT9QVWEY")  # published demo codes, single-use each


def seed_promotions() -> list[str]:
    """Create (or refresh) a sponsor with a running campaign of 20 free 10x15 prints; return its demo codes."""
    fmt = Format.objects.filter(code="10x15", product__slug="classic-prints").first()
    if fmt is None:
        return []
    sponsor, _created = Sponsor.objects.get_or_create(
        slug="studentenraad-gent", defaults={"name": "Studentenraad Gent"}
    )
    now = timezone.now()
    campaign, _created = Campaign.objects.update_or_create(
        sponsor=sponsor,
        name="20 gratis foto's voor nieuwe studenten",
        defaults={
            "format": fmt,
            "quantity": 20,
            "shipping_included": True,
            "starts_at": now - datetime.timedelta(days=7),
            "ends_at": now + datetime.timedelta(days=180),
            "quota": 1000,
        },
    )
    for code in DEMO_CODES:
        Code.objects.get_or_create(code=code, defaults={"campaign": campaign})
    return list(DEMO_CODES)
