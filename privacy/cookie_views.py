"""Cookie consent pages: the choice (from the banner or the cookie page) and the cookie page itself."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from privacy import cookies, services

CHOICES = ("accept", "refuse", "save")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _next_url(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or reverse("privacy:cookies")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return reverse("privacy:cookies")
    return next_url


def set_consent_cookie(request: HttpRequest, response: HttpResponse, consent: cookies.Consent) -> None:
    """Give the visitor their choice; a kept language becomes one for this visit if preferences are refused."""
    response.set_cookie(
        cookies.COOKIE_NAME,
        consent.cookie_value(),
        max_age=int(cookies.VALID_FOR.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=False,  # the site's script reads it to start what was accepted, without a reload
        samesite="Lax",
    )
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE if consent.allows(cookies.CookieCategory.PREFERENCES) else None,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )


@require_POST
def cookie_choice(request: HttpRequest) -> HttpResponse:
    """Record the visitor's choice (accept all, refuse all, or chosen categories) and set their cookie."""
    choice = request.POST.get("choice", "")
    if choice not in CHOICES:
        error = gettext("Choose “Accept all”, “Refuse all” or “Save my choice”.")
        if _wants_json(request):
            return JsonResponse({"error": error}, status=400)
        messages.error(request, error)
        return HttpResponseRedirect(_next_url(request))
    if choice == "accept":
        categories = set(cookies.OPTIONAL)
    elif choice == "refuse":
        categories = set()
    else:
        categories = set(request.POST.getlist("categories"))
    consent = services.cookie_consent_record(
        categories=categories,
        previous=cookies.parse(request.COOKIES.get(cookies.COOKIE_NAME)),
        user=request.user,
        ip=get_adapter().get_client_ip(request),
    )
    if _wants_json(request):
        response: HttpResponse = JsonResponse({"categories": sorted(consent.categories), "version": consent.version})
    else:
        messages.success(request, gettext("Your cookie choice is saved. You can change it at any time."))
        response = HttpResponseRedirect(_next_url(request))
    set_consent_cookie(request, response, consent)
    return response


@require_safe
def cookie_page(request: HttpRequest) -> HttpResponse:
    """Every cookie the site may set, by category, with purpose, provider and lifetime, and the choice form."""
    consent = cookies.consent_for(request)
    declared = cookies.declarations()
    categories = [
        {
            "value": category.value,
            "label": category.label,
            "text": cookies.CATEGORY_TEXTS[category],
            "cookies": [d for d in declared if d.category == category],
            "accepted": category == cookies.CookieCategory.NECESSARY
            or (consent is not None and consent.allows(category)),
        }
        for category in cookies.CookieCategory
    ]
    context = {"categories": categories, "consent": consent, "optional": categories[1:]}
    return render(request, "privacy/cookies.html", context)
