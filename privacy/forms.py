"""Forms of the privacy app: a data-subject request and its identity document."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.models import PrivacyRequest


class PrivacyRequestForm(forms.Form):
    """What a person asks (ALB-3). Signed in with a password: confirmed with it; otherwise by an e-mailed link."""

    kind = forms.ChoiceField(
        label=_("What do you ask?"), choices=PrivacyRequest.Kind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The address you use with us: we send a link to it to make sure the request is yours."),
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For a correction: what is wrong and what it should be. For a consent: which one."),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you who asks."),
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        if self.user is not None:
            del self.fields["name"]
            del self.fields["email"]
        if self.user is None or not self.user.has_usable_password():
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == PrivacyRequest.Kind.RECTIFICATION and not cleaned.get("details"):
            self.add_error("details", _("Tell us what is wrong and what it should be."))
        return cleaned


class IdentityDocumentForm(forms.Form):
    document = forms.FileField(
        label=_("Your identity document"),
        help_text=_(
            "A photo (JPEG or PNG) or a PDF of the front of your identity card or driving licence, at most 10 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )
