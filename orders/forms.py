"""Forms of the checkout: addresses checked per country as the account pages do."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import AddressForm
from accounts.models import Address
from accounts.validators import normalize_vat_number
from orders.models import ShippingMethod
from orders.services.checkout import Delivery

ADDRESS_PART = ("full_name", "company", "street_address", "address_line2", "postal_code", "city", "country", "phone")


class CheckoutAddressForm(AddressForm):
    """A delivery or billing address for one order (not saved to the account)."""

    class Meta(AddressForm.Meta):
        fields = ADDRESS_PART


class CheckoutForm(forms.Form):
    """The choices of the checkout page besides the addresses."""

    email = forms.EmailField(label=_("E-mail address"), help_text=_("For the order confirmation and tracking."))
    saved_address = forms.ModelChoiceField(
        queryset=Address.objects.none(),
        required=False,
        empty_label=_("A new address (below)"),
        label=_("Deliver to"),
        widget=forms.RadioSelect,
    )
    shipping = forms.ModelChoiceField(
        queryset=ShippingMethod.objects.none(), label=_("Shipping"), empty_label=None, widget=forms.RadioSelect
    )
    separate_billing = forms.BooleanField(required=False, label=_("Send the invoice to another address"))
    vat_number = forms.CharField(
        required=False, max_length=20, label=_("VAT number (business customers)"), help_text=_("e.g. BE0403170701")
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.fields["shipping"].queryset = ShippingMethod.objects.filter(is_active=True).order_by(
            "country", "position", "id"
        )
        self.fields["shipping"].label_from_instance = lambda m: f"{m.name} ({m.country.name})"
        if self.user:
            self.fields["email"].disabled = True
            self.fields["saved_address"].queryset = Address.objects.filter(
                user=self.user, kind=Address.Kind.DELIVERY
            ).order_by("-is_default", "created_at")
        else:
            del self.fields["saved_address"]

    def clean_vat_number(self) -> str:
        return normalize_vat_number(self.cleaned_data.get("vat_number", ""))


def delivery_from(form: CheckoutForm, ship: CheckoutAddressForm | None, bill: CheckoutAddressForm | None) -> Delivery:
    """Return the Delivery of valid forms (the saved address wins over the new-address form)."""
    data = form.cleaned_data
    saved = data.get("saved_address")
    source = saved if saved else ship.instance
    values = {
        "email": data["email"],
        "ship_name": source.full_name,
        "ship_company": source.company,
        "ship_street": source.street_address,
        "ship_line2": source.address_line2,
        "ship_postal_code": source.postal_code,
        "ship_city": source.city,
        "ship_country": source.country.code,
        "ship_phone": str(source.phone or ""),
        "bill_vat_number": data.get("vat_number", ""),
    }
    if bill is not None:
        b = bill.instance
        values.update(
            bill_name=b.full_name,
            bill_company=b.company,
            bill_street=b.street_address,
            bill_line2=b.address_line2,
            bill_postal_code=b.postal_code,
            bill_city=b.city,
            bill_country=b.country.code,
        )
    return Delivery(**values)


def check_shipping(form: CheckoutForm, country: str) -> None:
    """Add an error to the form when the chosen shipping does not go to the delivery country."""
    method = form.cleaned_data.get("shipping")
    if method is not None and method.country.code != country:
        form.add_error(
            "shipping",
            ValidationError(_("This shipping method does not deliver to the country of the address.")),
        )
