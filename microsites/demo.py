"""Demo data of the microsites app: the student council's site for its free prints."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from microsites.models import Microsite
from orders.models import Product
from promotions.models import Campaign

DEMO_HOST = "gent.localhost"  # *.localhost reaches this machine in browsers, no DNS needed


def _logo() -> ContentFile:
    image = Image.new("RGBA", (192, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, 60, 60), fill=(122, 31, 92, 255))
    draw.text((20, 24), "SR", fill=(255, 255, 255, 255))
    draw.text((72, 24), "Studentenraad", fill=(122, 31, 92, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="studentenraad.png")


def seed_microsites() -> list[str]:
    """Create (or refresh) the demo sponsor's microsite; return the addresses it answers on."""
    campaign = Campaign.objects.filter(sponsor__slug="studentenraad-gent").select_related("sponsor").first()
    if campaign is None:
        return []
    site, created = Microsite.objects.update_or_create(
        slug="studentenraad-gent",
        defaults={
            "sponsor": campaign.sponsor,
            "name": "Studentenraad Gent · foto's",
            "host": DEMO_HOST,
            "colour": "#7a1f5c",
            "accent": "#f0b400",
            "headline_nl": "20 gratis foto's voor nieuwe studenten",
            "headline_fr": "20 photos gratuites pour les nouveaux étudiants",
            "headline_en": "20 free prints for new students",
            "intro_nl": "Welkom in Gent! Vul de code uit je welkomstpakket in en kies je 20 foto's.",
            "intro_fr": "Bienvenue à Gand ! Saisissez le code de votre pack de bienvenue et choisissez vos 20 photos.",
            "intro_en": "Welcome to Ghent! Enter the code from your welcome pack and pick your 20 photos.",
        },
    )
    if created or not site.logo:
        site.logo.save("studentenraad.png", _logo(), save=True)
    site.campaigns.set([campaign])
    site.products.set(Product.objects.filter(slug="classic-prints"))
    return [f"http://{DEMO_HOST}:8000/", "http://127.0.0.1:8000/m/studentenraad-gent/"]
