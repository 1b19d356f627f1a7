"""The form of the details a campaign asks with its code (STX-8), built from the campaign's fields."""

from __future__ import annotations

from django import forms

from promotions.models import EligibilityField
from promotions.services import detail_error

WIDGETS = {
    EligibilityField.Kind.TEXT: lambda: forms.TextInput(),
    EligibilityField.Kind.DIGITS: lambda: forms.TextInput(attrs={"inputmode": "numeric"}),
    EligibilityField.Kind.DATE: lambda: forms.DateInput(attrs={"type": "date"}),
    EligibilityField.Kind.EMAIL: lambda: forms.EmailInput(),
}


class DetailsForm(forms.Form):
    """One text field per eligibility field, checked as the redemption service checks them."""

    def __init__(self, eligibility_fields: list[EligibilityField], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.eligibility_fields = {f"detail_{field.pk}": field for field in eligibility_fields}
        for name, field in self.eligibility_fields.items():
            self.fields[name] = forms.CharField(
                label=field.label, required=field.required, max_length=200, widget=WIDGETS[field.kind]()
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        for name, field in self.eligibility_fields.items():
            error = detail_error(field, (cleaned.get(name) or "").strip())
            if error:
                self.add_error(name, error)
        return cleaned

    def details(self) -> dict[int, str]:
        """The answers by field id, for ``code_redeem``."""
        return {
            field.pk: (self.cleaned_data.get(name) or "").strip() for name, field in self.eligibility_fields.items()
        }
