"""The site's header, rendered once per language and kind of visitor and filled in per request.

The header (menu, sign-out and language forms) is the same for every visitor
of a kind (visitor, customer, staff) in a language, but for the CSRF token
and the current path its forms carry; rendering it on every request was
about half of a simple page's time (``bench/pages.py``). It names no one.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

from django import template
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from photoshop.prerender import fill, split_at

register = template.Library()

CSRF_TOKEN = "__site_header_csrf_token__"  # noqa: S105 (a placeholder, not a secret)
PATH = "__site_header_path__"
KEPT = 32


@functools.lru_cache(maxsize=KEPT)
def _header_parts(language: str, kind: str, site_name: str) -> tuple[str, ...]:
    user = SimpleNamespace(is_authenticated=kind != "visitor", is_staff=kind == "staff")
    request = SimpleNamespace(get_full_path=lambda: PATH)
    context = {"user": user, "request": request, "csrf_token": CSRF_TOKEN, "SITE_NAME": site_name}
    return split_at(render_to_string("_site_header.html", context), (CSRF_TOKEN, PATH))


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    """Render the site header for this request's visitor, language, CSRF token and path."""
    request = context.get("request")
    user = context.get("user")
    kind = "visitor"
    if user is not None and user.is_authenticated:
        kind = "staff" if user.is_staff else "customer"
    parts = _header_parts(get_language() or "", kind, str(context.get("SITE_NAME") or "photoshop"))
    if request is None:  # a page rendered without its request (the server error page): forms without a token
        return fill(parts, {CSRF_TOKEN: "", PATH: "/"})
    return fill(parts, {CSRF_TOKEN: escape(get_token(request)), PATH: escape(request.get_full_path())})
