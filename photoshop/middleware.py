"""Language selection: a visitor's own language on the first visit, the chosen one after."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import get_script_prefix, is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Send a visitor on an unprefixed (Dutch) page to the page in their language.

    Django always shows Dutch on unprefixed paths (prefix_default_language=False),
    so a French or English browser would never see its language. The language
    cookie (set by the switcher) wins over the browser's Accept-Language; only
    GET and HEAD requests for pages that exist in that language are redirected.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        super().process_request(request)
        if request.method not in ("GET", "HEAD") or translation.get_language_from_path(request.path_info):
            return None
        preferred = translation.get_language_from_request(request, check_path=False)
        if preferred == settings.LANGUAGE_CODE:
            return None
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        # Prefixed patterns resolve only while their language is active.
        with translation.override(preferred):
            if not is_valid_path(f"/{preferred}{request.path_info}", urlconf):
                return None
        script_prefix = get_script_prefix()
        url = request.get_full_path().replace(script_prefix, f"{script_prefix}{preferred}/", 1)
        redirect = HttpResponseRedirect(url)
        patch_vary_headers(redirect, ("Accept-Language", "Cookie"))
        return redirect

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        if not translation.get_language_from_path(request.path_info):
            # Whether an unprefixed page is shown or redirected depends on both.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


class DatabaseUnavailableMiddleware:
    """While the database is out of reach (a restart, a failover), answer 503 "try again shortly", not 500.

    The page is rendered without the request (no session, no user: both need
    the database), with ``Retry-After``; proxies and browsers then retry and
    shoppers read that nothing is wrong with what they did. Other errors
    stay Django's own 500.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.db.utils import InterfaceError, OperationalError
        from django.template.loader import render_to_string

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response
