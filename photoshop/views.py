from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import get_script_prefix, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from photoshop.pagecache import cached_for_visitors
from privacy.cookies import CookieCategory, consent_for


@cached_for_visitors
def home(request: HttpRequest) -> HttpResponse:
    """Render the shop's landing page, or a sponsor's on its microsite."""
    if getattr(request, "microsite", None) is not None:
        from microsites.views import landing

        return landing(request)
    return render(request, "home.html")


def _same_page_in(url: str, language: str) -> str:
    """Return the URL of the page at ``url`` in ``language``.

    The page's own language is read from its prefix (none: Dutch): its URL only
    resolves while that language is active, whatever the cookie says. On a
    microsite at ``/m/<slug>/`` (the script prefix, ``microsites.middleware``)
    the language prefix follows the site's.
    """
    parts = urlsplit(url)
    script_prefix = get_script_prefix()
    path = parts.path
    if script_prefix != "/" and (path + "/").startswith(script_prefix):
        path = "/" + path[len(script_prefix) :]
    inner = urlunsplit(parts._replace(path=path))
    page_language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    with translation.override(page_language):
        translated = translate_url(inner, language)  # reversed: with the script prefix
    if translated != inner:
        return translated
    # A page that does not resolve (a 404), or already in that language: swap the prefix all the same.
    if page_language != settings.LANGUAGE_CODE:
        path = path.removeprefix(f"/{page_language}") or "/"
    if language != settings.LANGUAGE_CODE:
        path = f"/{language}{path}"
    return urlunsplit(parts._replace(path=script_prefix[:-1] + path))


@require_POST
def set_language(request: HttpRequest) -> HttpResponseRedirect:
    """Remember the chosen language and return to the same page in it."""
    next_url = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseRedirect(next_url)
    response = HttpResponseRedirect(_same_page_in(next_url, language))
    # For this visit it is a necessary cookie (asked for by the visitor); kept
    # for later visits only with consent to preference cookies (privacy.cookies).
    consent = consent_for(request)
    remember = consent is not None and consent.allows(CookieCategory.PREFERENCES)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE if remember else None,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
