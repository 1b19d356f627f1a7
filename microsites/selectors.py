"""Reads of the microsites: the table of sites on line, cached with the catalogue.

Every request asks which site it is on (its host name or its ``/m/<slug>/``
path), so the sites on line are read once per catalogue version into plain
data (``orders.selectors.catalogue``): no query while nothing changes; an
edit of a microsite starts a new catalogue version (``microsites.receivers``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import get_language

from orders.selectors.catalogue import catalogue_cached


@dataclass(frozen=True)
class Site:
    """A microsite as its pages need it; the same object serves every request of a catalogue version."""

    id: int
    slug: str
    host: str | None
    name: str
    sponsor: str
    colour: str
    accent: str
    logo: str  # the logo file's name in storage ("" for none)
    headline: dict[str, str]
    intro: dict[str, str]
    product_ids: frozenset[int]
    campaign_ids: frozenset[int]
    version: str

    def text(self, texts: dict[str, str]) -> str:
        language = (get_language() or "nl")[:2]
        return texts.get(language) or texts.get("nl", "")

    @property
    def headline_text(self) -> str:
        return self.text(self.headline)

    @property
    def intro_text(self) -> str:
        return self.text(self.intro)

    @property
    def logo_url(self) -> str:
        if not self.logo:
            return ""
        return reverse("microsites:logo", kwargs={"slug": self.slug, "name": self.logo.rsplit("/", 1)[-1]})

    @property
    def style_url(self) -> str:
        return reverse("microsites:style", kwargs={"slug": self.slug, "version": self.version})


@dataclass(frozen=True)
class Sites:
    by_host: dict[str, Site]
    by_slug: dict[str, Site]


def _build() -> Sites:
    from microsites.models import Microsite
    from promotions.models import Campaign

    rows = (
        Microsite.objects.filter(is_active=True, sponsor__is_active=True)
        .select_related("sponsor")
        .prefetch_related("products", Prefetch("campaigns", queryset=Campaign.objects.only("id")))
    )
    sites = [
        Site(
            id=row.pk,
            slug=row.slug,
            host=row.host,
            name=row.name,
            sponsor=row.sponsor.name,
            colour=row.colour.lower(),
            accent=row.accent.lower(),
            logo=row.logo.name or "",
            headline={lang: getattr(row, f"headline_{lang}") for lang in ("nl", "fr", "en")},
            intro={lang: getattr(row, f"intro_{lang}") for lang in ("nl", "fr", "en")},
            product_ids=frozenset(p.pk for p in row.products.all()),
            campaign_ids=frozenset(c.pk for c in row.campaigns.all()),
            version=f"{row.updated_at:%Y%m%d%H%M%S%f}",
        )
        for row in rows
    ]
    return Sites(by_host={s.host: s for s in sites if s.host}, by_slug={s.slug: s for s in sites})


def sites_online() -> Sites:
    """Return the microsites on line, by host name and by path (read once per catalogue version)."""
    return catalogue_cached("microsites", _build)


def site_for_host(host: str) -> Site | None:
    """Return the microsite served at ``host`` (lower case, without port), if any."""
    return sites_online().by_host.get(host)


def site_for_slug(slug: str) -> Site | None:
    return sites_online().by_slug.get(slug)


def site_products(site: Site | None) -> list[dict]:
    """Return the catalogue's products on sale on ``site`` (the whole catalogue on the shop itself)."""
    from orders.selectors.catalogue import catalogue_products

    products = catalogue_products()
    if site is None:
        return products
    return [product for product in products if product["id"] in site.product_ids]
