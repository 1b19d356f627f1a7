"""Reads of the catalogue: the public pages' data, the print formats, VAT rates.

The public pages read plain dictionaries cached under the catalogue version
(``catalogue_version``), which every catalogue edit changes (the signal
receivers in ``orders.services.catalogue``): a page is served from the cache
without a query until staff change a product, format, finish, image, VAT
rate or shipping method. Nothing here writes to the database.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from orders.models import Finish, Format, Product, ProductImage, ProductKind, ShippingMethod, VatRate
from orders.money import format_cents

VERSION_KEY = "orders:catalogue:version"
# Cached data outlives no catalogue edit (the version changes); the timeout only
# bounds how long an unused language's copy stays in the cache.
DATA_TIMEOUT = 24 * 3600
SHIPPING_KIND = "shipping"


class VatRateMissing(LookupError):
    """No VAT rate is set for a product kind in a country: staff must add one in the admin."""

    def __init__(self, kind: str, country: str) -> None:
        self.kind, self.country = kind, country
        super().__init__(
            f"No VAT rate for {kind!r} in {country!r}: add it under Shop > VAT rates before selling it there."
        )


# The version as this process last read it, and until when it may be used without asking again:
# a page asks for it once per choice list or fragment, so it is asked of the shared cache at most
# once per READ_EVERY seconds. An edit in this process shows at once (the bump sets it here too);
# in the others within READ_EVERY.
READ_EVERY = 1.0
_read: dict[str, object] = {"version": None, "until": 0.0}


def catalogue_version() -> str:
    """Return the catalogue's current version: a token that changes with every catalogue edit."""
    now = time.monotonic()
    if _read["version"] is not None and now < _read["until"]:
        return _read["version"]
    version = cache.get(VERSION_KEY)
    if version is None:
        # An empty cache (a restart, an eviction) starts a new version: stale copies are never read.
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=version_timeout()):
            version = cache.get(VERSION_KEY) or version
    remember_version(version, now=now)
    return version


def remember_version(version: str | None, *, now: float | None = None) -> None:
    """Use ``version`` in this process for the next READ_EVERY seconds (None: ask the cache next time)."""
    _read["version"] = version
    _read["until"] = (now if now is not None else time.monotonic()) + READ_EVERY


def version_timeout() -> int | None:
    """Return how long a catalogue version lives: forever in a shared cache, a minute in a per-process one.

    With a per-process cache (locmem, the embedded default) an edit bumps the
    version in the editing process only; the other processes see it when
    their version expires, within a minute.
    """
    return 60 if isinstance(caches["default"], LocMemCache) else None


# This process's copies of the cached data, keyed with their version: the version is asked of the
# shared cache on every call (so an edit shows at once), the data is unpickled once per version.
_local: dict[str, object] = {}
LOCAL_ENTRIES = 64


def catalogue_cached(name: str, build):
    """Return the data cached under ``name`` for the current catalogue version, building it once.

    Callers must not change what they get: it is shared by every request of the process. The data
    holds URLs, so it is kept per script prefix: a microsite at ``/m/<slug>/`` has its own copy.
    """
    key = f"orders:catalogue:{catalogue_version()}:{get_script_prefix()}:{name}"
    try:
        return _local[key]
    except KeyError:
        pass
    data = cache.get(key)
    if data is None:
        data = build()
        cache.set(key, data, timeout=DATA_TIMEOUT)
    if len(_local) >= LOCAL_ENTRIES:
        _local.clear()  # older versions' copies: never read again
    _local[key] = data
    return data


def size_label(width_mm: int, height_mm: int) -> str:
    """Return a physical size as shown to customers, e.g. "10,2 x 15,2 cm" (short side first)."""

    def cm(mm: int) -> str:
        return f"{mm / 10:g}".replace(".", ",")

    short, long = sorted((width_mm, height_mm))
    return f"{cm(short)} \u00d7 {cm(long)} cm"


def image_url(image: ProductImage) -> str:
    """Return the public address of a product image; its file name in the URL changes with the file."""
    return reverse("orders:product_image", kwargs={"pk": image.pk, "name": image.image.name.rsplit("/", 1)[-1]})


def active_products() -> list[Product]:
    """Return the products on sale with their formats, finishes and images on sale, in four queries."""
    return list(
        Product.objects.filter(is_active=True)
        .prefetch_related(
            Prefetch("formats", queryset=Format.objects.filter(is_active=True).order_by("position", "id")),
            Prefetch("finishes", queryset=Finish.objects.filter(is_active=True).order_by("position", "id")),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        )
        .order_by("position", "slug")
    )


def _product_dict(product: Product) -> dict:
    formats = [
        {
            "id": fmt.pk,
            "code": fmt.code,
            "name": str(fmt.name),
            "size": size_label(fmt.width_mm, fmt.height_mm),
            "price_cents": fmt.price_cents,
            "price": format_cents(fmt.price_cents),
        }
        for fmt in product.formats.all()
    ]
    finishes = [
        {
            "id": finish.pk,
            "code": finish.code,
            "name": finish.name,
            "is_default": finish.is_default,
            "surcharge": format_cents(finish.surcharge_cents) if finish.surcharge_cents else "",
        }
        for finish in product.finishes.all()
    ]
    images = [{"url": image_url(image), "alt": image.alt_text or product.name} for image in product.images.all()]
    lowest = min((fmt["price_cents"] for fmt in formats), default=None)
    return {
        "id": product.pk,
        "slug": product.slug,
        "kind": product.kind,
        "kind_label": str(kind_label(product.kind)),
        "name": product.name,
        "description": product.description,
        "photos_per_item": product.photos_per_item,
        "url": product.get_absolute_url(),
        "formats": formats,
        "finishes": finishes,
        "images": images,
        "from_price": format_cents(lowest) if lowest is not None else "",
    }


def catalogue_products() -> list[dict]:
    """Return the products on sale, in the active language, as the catalogue and product pages show them.

    A product without a format on sale is left out: there is nothing to order.
    """
    language = (get_language() or "en")[:2]

    def build() -> list[dict]:
        products = [_product_dict(product) for product in active_products()]
        return [product for product in products if product["formats"]]

    return catalogue_cached(f"products:{language}", build)


def catalogue_fragment(name: str, template: str, context: dict) -> SafeString:
    """Return a part of a public page rendered from catalogue data, rendered once per catalogue version and language.

    The part must depend on nothing but ``context`` (catalogue data) and the
    language: no user, no CSRF token, no message.
    """
    language = (get_language() or "en")[:2]
    return mark_safe(catalogue_cached(f"html:{name}:{language}", lambda: render_to_string(template, context)))  # noqa: S308


def catalogue_product(slug: str) -> dict | None:
    """Return one product on sale by its slug, as the product page shows it (None: not on sale, or unknown)."""
    for product in catalogue_products():
        if product["slug"] == slug:
            return product
    return None


@dataclass(frozen=True)
class PrintFormat:
    """A physical print size the DPI check measures a photo against."""

    code: str
    long_cm: float
    short_cm: float


# The products printed from one photo each: their sizes are the gallery's print check. Photo books and
# calendars check their page size when photos are placed in them (``orders.selectors.creations``).
PRINT_KINDS = (ProductKind.PRINT, ProductKind.SQUARE_PRINT, ProductKind.POSTER)


def print_formats() -> list[PrintFormat]:
    """Return the distinct sizes of the prints and posters on sale, smallest first: the photos' DPI check reads these.

    One entry per format code (the first product in catalogue order names it),
    so the same size sold in two products is checked once.
    """

    def build() -> list[PrintFormat]:
        seen: dict[str, PrintFormat] = {}
        formats = (
            Format.objects.filter(is_active=True, product__is_active=True, product__kind__in=PRINT_KINDS)
            .order_by("product__position", "product__slug", "position", "id")
            .values_list("code", "width_mm", "height_mm")
        )
        for code, width_mm, height_mm in formats:
            seen.setdefault(code, PrintFormat(code, max(width_mm, height_mm) / 10, min(width_mm, height_mm) / 10))
        return sorted(seen.values(), key=lambda fmt: (fmt.long_cm * fmt.short_cm, fmt.code))

    return catalogue_cached("print-formats", build)


def vat_rate_bp(kind: str, country: str) -> int:
    """Return the VAT rate in basis points of a product kind (or ``"shipping"``) delivered to a country.

    A missing rate raises ``VatRateMissing`` rather than guessing one: charging
    21% where 6% is due (a Belgian photo book) would be wrong on every invoice.
    Staff see the missing pairs in the admin (``missing_vat_rates``).
    """
    country = str(country).upper()
    rates = catalogue_cached(
        "vat-rates", lambda: {f"{k}:{c}": bp for k, c, bp in VatRate.objects.values_list("kind", "country", "rate_bp")}
    )
    try:
        return rates[f"{kind}:{country}"]
    except KeyError:
        raise VatRateMissing(kind, country) from None


def missing_vat_rates() -> list[tuple[str, str]]:
    """Return the (kind, country) pairs sold or shipped without a VAT rate (kinds on sale, shipping countries)."""
    countries = set(ShippingMethod.objects.filter(is_active=True).values_list("country", flat=True).distinct())
    kinds = set(Product.objects.filter(is_active=True).values_list("kind", flat=True).distinct())
    kinds.add(SHIPPING_KIND)
    have = set(VatRate.objects.values_list("kind", "country"))
    return sorted((kind, country) for kind in kinds for country in countries if (kind, country) not in have)


def kind_label(kind: str) -> str:
    """Return the label of a product kind or of shipping."""
    if kind == SHIPPING_KIND:
        return _("Shipping")
    return ProductKind(kind).label if kind in ProductKind.values else kind
