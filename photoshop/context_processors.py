from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject


def site(request: HttpRequest) -> dict:
    """Expose the site's name to every template: a sponsor's microsite has its own (``request.microsite``)."""
    microsite = getattr(request, "microsite", None)
    return {"SITE_NAME": microsite.name if microsite else settings.SITE_NAME, "MICROSITE": microsite}


def request_csrf_token(request: HttpRequest) -> str:
    """Return this request's masked CSRF token, made once however many forms the page has.

    Django masks a new token at each ``get_token`` call; the header, the
    cookie banner and the page's own form each asked for one (a tenth of the
    sign-in page's time). One masked token per response is what Django's own
    template context gives a page.
    """
    token = getattr(request, "_photoshop_csrf_token", None)
    if token is None:
        token = request._photoshop_csrf_token = get_token(request)
    return token


def csrf(request: HttpRequest) -> dict:
    """``csrf_token`` for templates, the same masked token as the site's header and banner (replaces Django's)."""
    return {"csrf_token": SimpleLazyObject(lambda: request_csrf_token(request))}
