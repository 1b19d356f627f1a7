"""Demo data of the promotions app: a sponsor's campaign of free prints and a few codes to try."""

from __future__ import annotations

import datetime
import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from orders.models import Format
from promotions.models import Campaign, Code, EligibilityField, Sponsor

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
    # STX-8: the council asks for a student card number; STX-9: two orders per address;
    # STX-12: its advert on the back of each free print.
    EligibilityField.objects.update_or_create(
        campaign=campaign,
        position=1,
        defaults={
            "label_nl": "Studentenkaartnummer",
            "label_fr": "Numéro de carte d'étudiant",
            "label_en": "Student card number",
            "kind": EligibilityField.Kind.DIGITS,
            "pattern": "[0-9]{8}",
        },
    )
    campaign.per_address_limit = 2
    if not campaign.advert:
        campaign.advert.save("studentenraad-advert.png", _advert(), save=False)
    campaign.advert_placement = Campaign.Placement.BACK
    campaign.save()
    return list(DEMO_CODES)


def _advert() -> ContentFile:
    image = Image.new("RGB", (1181, 1772), (122, 31, 92))  # the back of a 10x15 print at 300 dpi
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, 1101, 1692), outline=(240, 180, 0), width=12)
    draw.text((160, 800), "Studentenraad Gent", fill=(255, 255, 255))
    draw.text((160, 860), "Welkom in Gent!", fill=(240, 180, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return ContentFile(buffer.getvalue())


SPONSOR_EMAIL = "sponsor@example.com"
SPONSOR_PASSWORD = "demo-sponsor-2026"  # noqa: S105 (a published demo login)


def seed_sponsor_contact() -> tuple[str, str, str] | None:
    """Create (or refresh) the demo sponsor's contact person for the portal; return e-mail, password, TOTP secret."""
    from accounts.demo import _totp_secret, _user
    from promotions.models import SponsorMember

    sponsor = Sponsor.objects.filter(slug="studentenraad-gent").first()
    if sponsor is None:
        return None
    user = _user(SPONSOR_EMAIL, SPONSOR_PASSWORD, first_name="Lotte", last_name="De Smet")
    SponsorMember.objects.get_or_create(user=user, defaults={"sponsor": sponsor})
    return SPONSOR_EMAIL, SPONSOR_PASSWORD, _totp_secret(user)
