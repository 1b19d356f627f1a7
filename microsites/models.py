"""Sponsors' branded microsites: their own host name or a path ``/m/<slug>/`` of the shop (stampix.nl.txt)."""

from __future__ import annotations

import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # and six hexadecimal digits, e.g. #1f6f5c."))
HOST = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    _("Enter a host name in lower case without http:// or a path, e.g. prints.brand.example."),
)


def logo_path(instance: Microsite, filename: str) -> str:
    dot = filename.rfind(".")
    return f"microsites/{uuid.uuid4().hex}{filename[dot:].lower()[:6] if dot != -1 else ''}"


class Microsite(models.Model):
    """A sponsor's own shop front: its logo, colours and words, its products, and the codes it accepts."""

    sponsor = models.ForeignKey(
        "promotions.Sponsor", on_delete=models.PROTECT, related_name="microsites", verbose_name=_("sponsor")
    )
    name = models.CharField(_("site name"), max_length=80, help_text=_("Shown in the header and the page titles."))
    slug = models.SlugField(
        _("path"),
        max_length=60,
        unique=True,
        help_text=_("The site is also at /m/ followed by this path, e.g. /m/brand/."),
    )
    host = models.CharField(
        _("host name"),
        max_length=253,
        unique=True,
        null=True,
        blank=True,
        validators=[HOST],
        help_text=_("Optional: the site's own host name, e.g. prints.brand.example, pointed at the shop in DNS."),
    )
    campaigns = models.ManyToManyField(
        "promotions.Campaign",
        related_name="microsites",
        blank=True,
        verbose_name=_("campaigns"),
        help_text=_("Codes of these campaigns are accepted on this site."),
    )
    products = models.ManyToManyField(
        "orders.Product",
        related_name="+",
        blank=True,
        verbose_name=_("products"),
        help_text=_("The products on sale on this site."),
    )
    logo = models.ImageField(_("logo"), upload_to=logo_path, blank=True)
    colour = models.CharField(_("main colour"), max_length=7, default="#1f6f5c", validators=[COLOUR])
    accent = models.CharField(_("accent colour"), max_length=7, default="#e0a526", validators=[COLOUR])
    headline_nl = models.CharField(_("headline (Dutch)"), max_length=120)
    headline_fr = models.CharField(_("headline (French)"), max_length=120)
    headline_en = models.CharField(_("headline (English)"), max_length=120)
    intro_nl = models.TextField(_("introduction (Dutch)"), blank=True)
    intro_fr = models.TextField(_("introduction (French)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    is_active = models.BooleanField(_("online"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("microsite")
        verbose_name_plural = _("microsites")
        constraints = [
            models.CheckConstraint(
                condition=Q(host__isnull=True) | Q(host=Lower("host")), name="microsites_host_lower"
            ),
            models.CheckConstraint(condition=~Q(host=""), name="microsites_host_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    def localised(self, field: str) -> str:
        language = (get_language() or "nl")[:2]
        return getattr(self, f"{field}_{language}", "") or getattr(self, f"{field}_nl")
