"""Request hooks of the accounts app."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from accounts import services


class LastActivityMiddleware:
    """Record that an authenticated user was active today (one write a day at most)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            services.user_record_activity(user=user)
        return response


class StaffMFARequiredMiddleware:
    """Keep the admin to staff, and closed to staff until they have set up an authenticator app (TOTP)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(reverse("admin:index")):
            user = request.user
            if user.is_authenticated and not (user.is_active and user.is_staff):
                # The admin sends a signed-in customer to its login page, which
                # is the shop's login, which sends a signed-in visitor back to
                # ?next=/admin/: a redirect loop. Say what the page is instead.
                return render(request, "accounts/staff_only.html", status=403)
            if user.is_authenticated and user.is_staff and not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
                messages.warning(
                    request, _("Staff accounts need two-factor authentication. Set up an authenticator app first.")
                )
                return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.path})}")
        return self.get_response(request)


class AccountPagesNotCachedMiddleware:
    """Tell browsers and proxies not to keep account pages (profile, addresses, e-mail, security).

    These pages show personal data; with ``private, no-store`` a shared proxy
    keeps no copy, and the browser's back button after logging out on a
    shared computer shows nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and (
            match.namespace == "accounts" or getattr(match.func, "__module__", "").startswith("allauth.")
        ):
            add_never_cache_headers(response)
        return response
