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
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from photoshop.context_processors import request_csrf_token
from photoshop.prerender import fill, split_at

register = template.Library()

CSRF_TOKEN = "__site_header_csrf_token__"  # noqa: S105 (a placeholder, not a secret)
PATH = "__site_header_path__"
KEPT = 32


@functools.lru_cache(maxsize=KEPT)
def _header_parts(language: str, kind: str, site_name: str, script_prefix: str, logo_url: str) -> tuple[str, ...]:
    # ``script_prefix``: the links differ on a microsite at /m/<slug>/ (microsites.middleware).
    user = SimpleNamespace(is_authenticated=kind != "visitor", is_staff=kind == "staff")
    request = SimpleNamespace(get_full_path=lambda: PATH)
    context = {
        "user": user,
        "request": request,
        "csrf_token": CSRF_TOKEN,
        "SITE_NAME": site_name,
        "logo_url": logo_url,
    }
    return split_at(render_to_string("_site_header.html", context), (CSRF_TOKEN, PATH))


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    """Render the site header for this request's visitor, language, CSRF token and path."""
    request = context.get("request")
    user = context.get("user")
    kind = "visitor"
    if user is not None and user.is_authenticated:
        kind = "staff" if user.is_staff else "customer"
    site = getattr(request, "microsite", None)
    parts = _header_parts(
        get_language() or "",
        kind,
        str(context.get("SITE_NAME") or "photoshop"),
        get_script_prefix(),
        site.logo_url if site else "",
    )
    if request is None:  # a page rendered without its request (the server error page): forms without a token
        return fill(parts, {CSRF_TOKEN: "", PATH: "/"})
    return fill(parts, {CSRF_TOKEN: escape(request_csrf_token(request)), PATH: escape(request.get_full_path())})


@functools.lru_cache(maxsize=KEPT)
def _footer(language: str, site_name: str, year: int, script_prefix: str, sponsor: str) -> SafeString:
    from django.conf import settings

    context = {"SITE_NAME": site_name, "year": year, "sponsor": sponsor, "shop_name": settings.SITE_NAME}
    return SafeString(render_to_string("_site_footer.html", context))


@register.simple_tag(takes_context=True)
def site_footer(context: template.Context) -> SafeString:
    """The site's footer: the same for everyone in a language (and a year), rendered once."""
    site = getattr(context.get("request"), "microsite", None)
    return _footer(
        get_language() or "",
        str(context.get("SITE_NAME") or "photoshop"),
        timezone.localdate().year,
        get_script_prefix(),
        site.sponsor if site else "",
    )


BANNER_HIDDEN = "__cookie_banner_hidden__"


def _banner_categories() -> tuple[dict, list[dict]]:
    from privacy.cookies import CATEGORY_TEXTS, OPTIONAL, CookieCategory

    def item(category: CookieCategory) -> dict:
        return {"value": category.value, "label": category.label, "text": CATEGORY_TEXTS[category], "accepted": False}

    return item(CookieCategory.NECESSARY), [item(c) for c in OPTIONAL]


@functools.lru_cache(maxsize=KEPT)
def _banner_parts(language: str, script_prefix: str) -> tuple[str, ...]:
    necessary, optional = _banner_categories()
    context = {
        "csrf_token": CSRF_TOKEN,
        "next": PATH,
        "hidden": BANNER_HIDDEN,
        "necessary": necessary,
        "optional": optional,
    }
    return split_at(render_to_string("_cookie_banner.html", context), (CSRF_TOKEN, PATH, BANNER_HIDDEN))


@register.simple_tag(takes_context=True)
def cookie_banner(context: template.Context) -> SafeString:
    """The cookie banner (PIX-8, SMP-8): shown until the visitor chooses, hidden (to reopen) after."""
    from privacy.cookies import consent_for

    request = context.get("request")
    parts = _banner_parts(get_language() or "", get_script_prefix())
    if request is None:
        return SafeString("")
    hidden = " hidden" if consent_for(request) is not None else ""
    token, path = escape(request_csrf_token(request)), escape(request.get_full_path())
    return fill(parts, {CSRF_TOKEN: token, PATH: path, BANNER_HIDDEN: hidden})


@register.simple_tag
def consent_script() -> SafeString:
    """The consent script: it starts accepted scripts (and Google Analytics, when configured) after a choice."""
    from django.conf import settings
    from django.templatetags.static import static

    attrs = f'src="{escape(static("privacy/consent.js"))}" defer'
    ga_id = settings.ANALYTICS_GA_MEASUREMENT_ID
    if ga_id:
        src = f"{settings.ANALYTICS_SCRIPT_URL}?id={ga_id}"
        attrs += f' data-ga-id="{escape(ga_id)}" data-ga-src="{escape(src)}"'
    return SafeString(f"<script {attrs}></script>")


@register.simple_tag
def social_login_configured() -> bool:
    """Whether any social login is set up (``SOCIALACCOUNT_PROVIDERS`` from the environment).

    Without one, the sign-in page skips allauth's provider list, which reads
    the database on every request to find none.
    """
    from django.conf import settings

    return bool(settings.SOCIALACCOUNT_PROVIDERS)


_UNBOUND_FORMS_KEPT = 64
_unbound_forms: dict[tuple, str] = {}


@register.simple_tag
def form_as_p(form) -> SafeString:
    """``form.as_p``, rendered once per form class, language and initial values while the form is unbound.

    An empty sign-in form is the same for every visitor; rendering its fields
    through the form renderer was a third of the sign-in page's time. A bound
    form (with the visitor's input and errors) is rendered each time.
    """
    if form.is_bound:
        return form.as_p()
    key = (type(form), get_language(), repr(sorted(form.initial.items())), tuple(form.fields))
    html = _unbound_forms.get(key)
    if html is None:
        html = str(form.as_p())
        if len(_unbound_forms) >= _UNBOUND_FORMS_KEPT:
            _unbound_forms.clear()
        _unbound_forms[key] = html
    return SafeString(html)


@functools.lru_cache(maxsize=KEPT * 4)
def _account_nav(language: str, script_prefix: str, current: str) -> str:
    return render_to_string("accounts/_account_nav.html", {"current": current})


@register.simple_tag
def account_nav(current: str | None) -> SafeString:
    """The account pages' menu: the same for every customer, rendered once per language and page."""
    return SafeString(_account_nav(get_language() or "", get_script_prefix(), current or ""))
