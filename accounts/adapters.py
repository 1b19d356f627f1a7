"""allauth customisation for the shop."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.internal.flows.email_verification import add_email_verification_sent_message
from allauth.core.internal.httpkit import clean_client_ip
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import translation

from accounts.models import Language

VERIFICATION_SENT_MESSAGE = "account/messages/email_confirmation_sent.txt"


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """Return the client's address, from the trusted proxies' X-Forwarded-For.

        A request with fewer X-Forwarded-For entries than trusted proxies did
        not come through them all (or was sent to the app directly): allauth
        raises ImproperlyConfigured (a 500); the connection's own address is
        the one to trust then.
        """
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            ip = clean_client_ip(request.META.get("REMOTE_ADDR", ""))
            if not ip:
                raise PermissionDenied("Unable to determine client IP address") from None
            return ip

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """A sponsor's contact person lands in the sponsor portal; everyone else where allauth sends them.

        An explicit ``?next=`` still wins (allauth reads it before asking the adapter).
        """
        from promotions.models import SponsorMember

        if SponsorMember.objects.filter(user_id=request.user.pk).exists():
            from django.urls import reverse

            return reverse("portal:overview")
        return super().get_login_redirect_url(request)

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        """Create the user with the language the site was shown in at sign-up."""
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or Language.DUTCH
        user.language = language[:2] if language[:2] in Language.values else Language.DUTCH
        if commit:
            user.save()
        return user

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        """Add the message, noting on the request when it says a verification e-mail went out."""
        if message_template == VERIFICATION_SENT_MESSAGE:
            request.verification_sent_message_added = True
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def respond_email_verification_sent(self, request: HttpRequest, user) -> HttpResponseBase:
        """Say "verification e-mail sent" after every sign-up, whether the address has an account or not.

        A sign-up with an address that already has an account (user is None
        here) mails its owner a notice instead; when a mail went to that address
        minutes ago, allauth's rate limit skips the notice and with it the
        message, and the page without it told a visitor the address was taken.
        """
        if user is None and not getattr(request, "verification_sent_message_added", False):
            email = self.clean_email(str(request.POST.get("email", "")).strip().lower())
            if email:
                add_email_verification_sent_message(request, email, signup=True)
        return super().respond_email_verification_sent(request, user)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request: HttpRequest, provider, client_id=None):
        """Return the provider's OAuth app; a provider without keys does not exist here (404, not a 500)."""
        from allauth.socialaccount.models import SocialApp

        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404("This sign-in method is not offered.") from None


def client_address(request: HttpRequest) -> str:
    """Return the client's address as rate limits see it (behind ``TRUSTED_PROXY_COUNT`` proxies)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        # No address, or fewer proxies in X-Forwarded-For than configured: the connection's own.
        return request.META.get("REMOTE_ADDR", "")
