"""allauth customisation for the shop."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation

from accounts.models import Language


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        """Create the user with the language the site was shown in at sign-up."""
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or Language.DUTCH
        user.language = language[:2] if language[:2] in Language.values else Language.DUTCH
        if commit:
            user.save()
        return user
