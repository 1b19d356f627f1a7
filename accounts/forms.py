from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ADDRESS_FIELDS, PROFILE_FIELDS, Address, CommunicationKind, User
from accounts.selectors import PreferenceState


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
        self.fields["mobile_phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["company_name"].widget.attrs["autocomplete"] = "organization"

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
        self.fields["is_default"].help_text = _("Used first when you order. Only for delivery addresses.")

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
