"""Validation of VAT numbers and postal codes for the countries the shop serves."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

# Postal code formats of the delivery countries: (pattern, example shown in the error).
# Written with [0-9], not \d: \d also matches Arabic-Indic, full-width and
# other digits, which no carrier's label printer reads.
POSTAL_CODE_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "BE": (re.compile(r"^[1-9][0-9]{3}$"), "1000"),
    "NL": (re.compile(r"^[1-9][0-9]{3} ?[A-Z]{2}$"), "1012 AB"),
    "LU": (re.compile(r"^(L-)?[0-9]{4}$"), "1234"),
    "FR": (re.compile(r"^[0-9]{5}$"), "75001"),
    "DE": (re.compile(r"^[0-9]{5}$"), "10115"),
}
# Any other country: ASCII letters and digits, with single spaces or hyphens between them.
OTHER_POSTAL_CODE = re.compile(r"^[0-9A-Z]+(?:[ -][0-9A-Z]+)*$")


def normalize_vat_number(value: str) -> str:
    """Return the VAT number in compact form with its country prefix, or raise ValidationError.

    Every EU VAT number is checked for format and check digits (stdnum),
    Belgian and Dutch numbers included.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        return eu_vat.validate(raw)
    except StdnumError as exc:
        raise ValidationError(
            _("%(value)s is not a valid EU VAT number (for example BE0403170701 or NL004495445B01)."),
            code="invalid_vat",
            params={"value": raw},
        ) from exc


def normalize_postal_code(country: str, value: str) -> str:
    """Return the postal code in the country's usual spelling, or raise ValidationError."""
    code = re.sub(r"\s+", " ", (value or "").strip().upper())
    if not code.isascii():
        raise ValidationError(
            _("A postal code has only the digits 0 to 9 and the letters A to Z."), code="non_ascii_postal_code"
        )
    rule = POSTAL_CODE_FORMATS.get(str(country))
    if rule is None:
        if not code:
            raise ValidationError(_("Enter a postal code."), code="required")
        if not OTHER_POSTAL_CODE.match(code):
            raise ValidationError(
                _("A postal code has only the digits 0 to 9 and the letters A to Z."), code="invalid_postal_code"
            )
        return code
    pattern, example = rule
    if not pattern.match(code):
        raise ValidationError(
            _("Enter a valid postal code for this country, for example %(example)s."),
            code="invalid_postal_code",
            params={"example": example},
        )
    if str(country) == "NL":
        code = f"{code[:4]} {code[-2:]}"
    return code
