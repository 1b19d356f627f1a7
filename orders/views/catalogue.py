"""The public catalogue: the list of products, a product's page and its images.

The pages read the cached catalogue (``orders.selectors.catalogue``): no query
while the catalogue is unchanged, never a write. A visitor's page may be kept
by browsers and shared caches for a few minutes; a signed-in customer's page
names them in the menu, so it stays private.
"""

from __future__ import annotations

import functools
import mimetypes

from django.contrib.messages import get_messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, register_converter
from django.urls.converters import SlugConverter
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from microsites.selectors import site_products
from orders.models import ProductImage
from orders.selectors.catalogue import catalogue_fragment, catalogue_product
from photoshop.pagecache import cached_for_visitors

# How long a visitor's copy of a catalogue page may be reused; a catalogue edit
# shows to visitors after at most this long.
PUBLIC_MAX_AGE = 300
IMAGE_MAX_AGE = 365 * 24 * 3600  # the file name in an image's URL changes with the file


def cacheable_page(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Let browsers and shared caches keep a visitor's page; keep a customer's page private."""
    # A pending message (e.g. "You have signed out") is shown once: that page is not reused.
    if request.user.is_authenticated or len(get_messages(request)):
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


@require_safe
@cached_for_visitors
def catalogue(request: HttpRequest) -> HttpResponse:
    site = getattr(request, "microsite", None)  # a sponsor's microsite shows its own products only
    name = f"catalogue:{site.slug}" if site else "catalogue"
    grid = catalogue_fragment(name, "orders/catalogue/_grid.html", {"products": site_products(site)})
    response = render(request, "orders/catalogue/catalogue.html", {"grid": grid})
    return cacheable_page(request, response)


@require_safe
@cached_for_visitors
def product(request: HttpRequest, slug: str) -> HttpResponse:
    item = catalogue_product(slug)
    site = getattr(request, "microsite", None)
    if item is None or (site is not None and item["id"] not in site.product_ids):
        raise Http404("No such product on sale.")
    suggestible = item["kind"] in _suggestible_kinds()
    body = catalogue_fragment(f"product:{slug}", "orders/catalogue/_product.html", {"product": item})
    context = {"product": item, "body": body, "suggestible": suggestible}
    response = render(request, "orders/catalogue/product.html", context)
    return cacheable_page(request, response)


def _suggestible_kinds() -> set[str]:
    from orders.services.creations import SUGGESTIBLE_KINDS

    return set(SUGGESTIBLE_KINDS)


@require_safe
def product_image(request: HttpRequest, pk: int, name: str) -> FileResponse:
    """Serve a picture of a product on sale (product pictures are public; media files otherwise are not).

    Staff who manage the catalogue also see the pictures of products off sale (the admin's previews).
    """
    image = ProductImage.objects.filter(pk=pk).select_related("product").only("image", "product__is_active").first()
    if image is None or not image.image.name or image.image.name.rsplit("/", 1)[-1] != name:
        raise Http404("No such product image.")
    public = image.product.is_active
    if not public and not (request.user.is_staff and request.user.has_perm("orders.view_product")):
        raise Http404("No such product image.")
    try:
        handle = image.image.storage.open(image.image.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("The product image file is missing.") from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    if public:
        patch_cache_control(response, public=True, max_age=IMAGE_MAX_AGE, immutable=True)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response


class ProductSlugConverter(SlugConverter):
    """A product's slug, never the first segment of another shop path ("cart", "orders", ...).

    The product page matches any one path segment; refusing the other areas'
    fixed segments lets their pages resolve wherever their patterns are listed.
    """

    def to_python(self, value: str) -> str:
        if value in _fixed_segments():
            raise ValueError(value)
        return value


@functools.cache
def _fixed_segments() -> frozenset[str]:
    from orders import urls

    segments = set()
    for pattern in urls.urlpatterns:
        route = str(pattern.pattern)
        first = route.split("/", 1)[0]
        if first and "<" not in first and route != first:
            segments.add(first)
    return frozenset(segments)


register_converter(ProductSlugConverter, "product_slug")

urlpatterns = [
    path("", catalogue, name="catalogue"),
    path("images/<int:pk>/<str:name>", product_image, name="product_image"),
    path("<product_slug:slug>/", product, name="product"),
]
