"""Which microsite a request is on: its own host name, or the path ``/m/<slug>/`` of the shop."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.http.request import split_domain_port
from django.urls import get_script_prefix, set_script_prefix

from microsites.selectors import site_for_host, site_for_slug
from photoshop.hosts import microsite_host

PATH = re.compile(r"^/m/(?P<slug>[-a-zA-Z0-9_]+)(?P<rest>/.*)?$", re.S)


def _host_name(request: HttpRequest) -> str:
    """Return the host name the request asks for, lower case and without port, not yet checked (as Django reads it)."""
    meta = request.META
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in meta:
        raw = meta["HTTP_X_FORWARDED_HOST"]
    else:
        raw = meta.get("HTTP_HOST") or meta.get("SERVER_NAME", "")
    domain, _port = split_domain_port(raw)
    return domain


class MicrositeMiddleware:
    """Set ``request.microsite`` (None on the shop itself); on a path site, make every link stay inside it.

    A site at ``/m/<slug>/`` is served by the shop's own views: the prefix is
    taken off the path and becomes the script prefix while the request runs,
    so every URL the pages build (``reverse``, ``{% url %}``, redirects) keeps
    the visitor on the site, through the cart, checkout and privacy pages.
    A microsite's host name is allowed for the request on it
    (``photoshop.hosts``); any other host is checked against ``ALLOWED_HOSTS``
    and an unknown one refused with 400, as before.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.microsite = site = site_for_host(_host_name(request))
        if site is not None:
            token = microsite_host.set(site.host)  # allowed for this request (photoshop.hosts)
            try:
                return self.get_response(request)
            finally:
                microsite_host.reset(token)
        match = PATH.match(request.path_info)
        if match is None or (site := site_for_slug(match["slug"])) is None:
            return self.get_response(request)
        if match["rest"] is None:  # /m/brand -> /m/brand/
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{request.path}/" + (f"?{query}" if query else ""))
        request.microsite = site
        outer = get_script_prefix()
        prefix = f"{outer}m/{match['slug']}/"
        request.path_info = match["rest"]
        request.path = prefix[:-1] + match["rest"]
        request.META["SCRIPT_NAME"] = prefix[:-1]
        set_script_prefix(prefix)
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(outer)
