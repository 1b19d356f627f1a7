"""A microsite's own pages: its landing page, its colours and its logo. Everything else is the shop's."""

from __future__ import annotations

import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from microsites.selectors import site_for_slug, site_products
from orders.views.catalogue import cacheable_page

ASSET_MAX_AGE = 365 * 24 * 3600  # the URLs change with the site's version or the logo's file name


def landing(request: HttpRequest) -> HttpResponse:
    """The site's front page: the sponsor's words, the code field up front, and the site's products."""
    site = request.microsite
    context = {"site": site, "products": site_products(site)}
    return cacheable_page(request, render(request, "microsites/landing.html", context))


def _shade(colour: str, factor: float) -> str:
    """Return ``#rrggbb`` darkened by ``factor`` (0.25: a quarter darker)."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * (1 - factor)):02x}" for c in channels)


@require_safe
def style(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """The site's colours as a stylesheet (the pages allow no inline styles: CSP ``style-src 'self'``)."""
    site = site_for_slug(slug)
    if site is None or site.version != version:
        raise Http404("No such microsite style.")
    css = f":root {{ --brand: {site.colour}; --brand-dark: {_shade(site.colour, 0.25)}; --accent: {site.accent}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=ASSET_MAX_AGE, immutable=True)
    return response


@require_safe
def logo(request: HttpRequest, slug: str, name: str) -> FileResponse:
    """The site's logo (public, unlike the other media files)."""
    site = site_for_slug(slug)
    if site is None or not site.logo or site.logo.rsplit("/", 1)[-1] != name:
        raise Http404("No such logo.")
    try:
        handle = default_storage.open(site.logo, "rb")
    except OSError:
        raise Http404("The logo file is missing.") from None
    response = FileResponse(handle, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
    patch_cache_control(response, public=True, max_age=ASSET_MAX_AGE, immutable=True)
    return response
