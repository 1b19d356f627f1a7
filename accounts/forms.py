from __future__ import annotations

import functools

import phonenumbers
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import ADDRESS_FIELDS, PROFILE_FIELDS, Address, CommunicationKind, User, oldest_birth_date
from accounts.selectors import PreferenceState, default_delivery_country


@functools.lru_cache(maxsize=64)
def _example_number(region: str, number_format: int) -> str:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    return phonenumbers.format_number(example, number_format) if example else ""


def read_phone_numbers_as(field: forms.Field, region: str) -> None:
    """Parse a number without + as a number of ``region`` and say so when a number is refused.

    A number with + and a country code is read as such whatever the region;
    0031... and 0032... (the international call prefix) work from BE and NL alike.
    """
    region = region if region in phonenumbers.SUPPORTED_REGIONS else settings.PHONENUMBER_DEFAULT_REGION
    field.region = region
    field.widget.region = region
    other = "NL" if region != "NL" else "BE"
    field.error_messages["invalid"] = gettext(
        "Enter a valid phone number, for example %(national)s. A number without + is read as a number "
        "of this country: %(country)s. For another country, start with + and the country code, "
        "for example %(international)s."
    ) % {
        "country": countries.name(region) or region,
        "national": _example_number(region, phonenumbers.PhoneNumberFormat.NATIONAL),
        "international": _example_number(other, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    }


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = PROFILE_FIELDS
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "gender": _("Optional."),
            "birth_date": _("Optional."),
            "mobile_phone": _("Optional. For delivery updates; an international number starts with +."),
            "vat_number": _("Only for business accounts, e.g. BE0403170701 or NL004495445B01."),
            "language": _("The language of our e-mails to you."),
        }

    BUSINESS_FIELDS = ("is_business", "company_name", "vat_number")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["birth_date"].widget.attrs["autocomplete"] = "bday"
        # The date picker offers only dates the model accepts (User.clean checks them again).
        today = timezone.localdate()
        self.fields["birth_date"].widget.attrs.update(
            {"min": oldest_birth_date(today).isoformat(), "max": today.isoformat()}
        )
        self.fields["mobile_phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["company_name"].widget.attrs["autocomplete"] = "organization"
        # A national number is one of the country the shopper receives parcels in.
        region = default_delivery_country(user=self.instance) or settings.PHONENUMBER_DEFAULT_REGION
        read_phone_numbers_as(self.fields["mobile_phone"], region)

    @property
    def personal_fields(self) -> list:
        return [self[name] for name in self.fields if name not in self.BUSINESS_FIELDS]

    @property
    def business_fields(self) -> list:
        return [self[name] for name in self.BUSINESS_FIELDS]


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = ADDRESS_FIELDS

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        autocomplete = {
            "full_name": "name",
            "company": "organization",
            "street_address": "address-line1",
            "address_line2": "address-line2",
            "postal_code": "postal-code",
            "city": "address-level2",
            "country": "country",
            "phone": "tel",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        if "is_default" in self.fields:  # the checkout's one-order address form has none
            self.fields["is_default"].help_text = _("Used first when you order. Only for delivery addresses.")
        # The phone number belongs to the address: a national number is one of
        # the country chosen in the same form (an unknown country falls back to
        # BE here, and the country field itself reports the error).
        self.fields["phone"].help_text = _("Optional. A number without + is read as a number of the country above.")
        region = self.data.get(self.add_prefix("country")) if self.is_bound else None
        if not region and self.instance.pk:
            region = self.instance.country.code
        read_phone_numbers_as(self.fields["phone"], str(region or settings.PHONENUMBER_DEFAULT_REGION).upper())

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") == Address.Kind.BILLING:
            cleaned["is_default"] = False
        return cleaned


class CommunicationPreferencesForm(forms.Form):
    service = forms.BooleanField(
        label=CommunicationKind.SERVICE.label,
        required=False,
        help_text=_("Unused or new codes, a code about to expire, an order you did not finish, short surveys."),
    )
    marketing = forms.BooleanField(
        label=CommunicationKind.MARKETING.label,
        required=False,
        help_text=_("Our news, promotions and tips, by e-mail or SMS. Only with your consent."),
    )
    third_party = forms.BooleanField(
        label=CommunicationKind.THIRD_PARTY.label,
        required=False,
        help_text=_(
            "We pass your name and e-mail address to selected partners for their offers. "
            "Only with your explicit consent."
        ),
    )

    @classmethod
    def for_states(cls, states: list[PreferenceState], data=None) -> CommunicationPreferencesForm:
        return cls(data=data, initial={state.kind: state.enabled for state in states}, label_suffix="")


class AccountDeleteForm(forms.Form):
    """Delete one's own account (SMP-9): close and keep for the policy's periods, or erase now (ALB-3).

    Confirmed with the password; an account without one (signed up through
    Google or Facebook) re-authenticates with its provider instead (the view).
    """

    CLOSE, ERASE = "close", "erase"
    choice = forms.ChoiceField(
        label=_("What should happen to your data?"),
        widget=forms.RadioSelect,
        choices=[
            (CLOSE, _("Close my account, and keep my data only for the periods in the privacy policy")),
            (ERASE, _("Close my account and erase my data now (within 48 hours)")),
        ],
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you."),
    )

    def __init__(self, *args, request, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        if not request.user.has_usable_password():
            del self.fields["password"]

    def clean_password(self) -> str:
        from allauth.core import ratelimit

        password = self.cleaned_data["password"]
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.request.user):
            raise forms.ValidationError(gettext("Too many attempts. Please try again in a few minutes."))
        if not self.request.user.check_password(password):
            raise forms.ValidationError(gettext("That is not your password."))
        return password

    @property
    def erase(self) -> bool:
        return self.cleaned_data["choice"] == self.ERASE


class ContactForm(forms.Form):
    """A question to customer service; a signed-in customer's name and address come from the account."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail address"), help_text=_("We answer to this address."))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Your question"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}), strip=True
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            del self.fields["name"]
            del self.fields["email"]
