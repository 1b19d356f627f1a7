"""Language selection: a visitor's own language on the first visit, the chosen one after."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import get_script_prefix, is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
