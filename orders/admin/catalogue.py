"""The catalogue admin: products with their formats, finishes and pictures; VAT rates; shipping methods.

Staff type prices in euros ("12,50" or "12.50") and VAT rates in percent
("21", "5,5"); the database keeps cents and basis points. Products and
formats are taken off sale, never deleted: orders and carts refer to them.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Min, Q
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.models import Finish, Format, Product, ProductImage, ShippingMethod, VatRate
from orders.money import format_cents
from orders.selectors.catalogue import image_url, kind_label, missing_vat_rates, size_label

MAX_EUROS = Decimal("100000")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def parse_decimal(text: str, *, what: str) -> Decimal:
    """Return the number typed as "12,50", "12.50", "1.234,50" or "1 234,50"; raise ValidationError otherwise.

    With both marks, the last one is the decimal mark; a lone "," is one too,
    and so is a lone "." unless exactly three digits follow it: "1.250" could
    mean 1250 (Dutch, French) or 1,25 (English), so it is refused as ambiguous.
    """
    value = str(text).strip().replace("€", "").replace("%", "")
    value = re.sub(r"[\s\u00a0\u202f']", "", value)
    invalid = ValidationError(
        gettext("Enter %(what)s as a number, e.g. 12,50 or 12.50.") % {"what": what}, code="invalid"
    )
    if not value:
        raise ValidationError(gettext("Enter %(what)s.") % {"what": what}, code="required")
    if value.startswith("-"):
        raise ValidationError(gettext("Enter %(what)s of zero or more.") % {"what": what}, code="negative")
    commas, dots = value.count(","), value.count(".")
    if commas and dots:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        whole, _mark, fraction = value.rpartition(decimal_mark)
        if not re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})*", whole):
            raise invalid
        value = f"{whole.replace(thousands, '')}.{fraction}"
    elif commas == 1:
        value = value.replace(",", ".")
    elif dots == 1 and re.fullmatch(r"[1-9]\d{0,2}\.\d{3}", value):
        raise ValidationError(
            gettext("%(value)s is ambiguous: write %(whole)s, or use a comma for decimals.")
            % {"value": text.strip(), "whole": value.replace(".", "")},
            code="ambiguous",
        )
    elif commas > 1 or dots > 1:
        if not re.fullmatch(r"\d{1,3}([.,]\d{3})+", value):
            raise invalid
        value = value.replace(",", "").replace(".", "")
    if not _NUMBER.match(value):
        raise invalid
    try:
        return Decimal(value)
    except InvalidOperation:
        raise invalid from None


def cents_to_euros(cents: int | None) -> str:
    """Return cents as staff type them, e.g. 1250 -> "12,50"."""
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}"


class EuroField(forms.CharField):
    """A price typed in euros, cleaned to integer cents; staff never type cents."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        kwargs.pop("step_size", None)
        kwargs.setdefault("help_text", _("In euros, VAT included, e.g. 12,50."))
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "size": 8, "autocomplete": "off"})

    def prepare_value(self, value):
        return cents_to_euros(value) if isinstance(value, int) else value

    def to_python(self, value) -> int | None:
        if value in self.empty_values:
            return None
        amount = parse_decimal(value, what=gettext("an amount in euros"))
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(gettext("Enter at most two decimals (whole cents), e.g. 12,50."), code="precision")
        if amount >= MAX_EUROS:
            raise ValidationError(gettext("That is more than € 100.000: check the amount."), code="too_large")
        return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


class PercentField(forms.CharField):
    """A VAT rate typed in percent ("21", "5,5"), cleaned to basis points."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        kwargs.pop("step_size", None)
        kwargs.setdefault("help_text", _("In percent, e.g. 21 or 5,5."))
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "size": 6, "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{Decimal(value) / 100:f}".rstrip("0").rstrip(".").replace(".", ",")
        return value

    def to_python(self, value) -> int | None:
        if value in self.empty_values:
            return None
        rate = parse_decimal(value, what=gettext("a rate in percent"))
        if rate > 100:
            raise ValidationError(gettext("A VAT rate is at most 100%."), code="too_large")
        if rate != rate.quantize(Decimal("0.01")):
            raise ValidationError(gettext("Enter at most two decimals, e.g. 5,5."), code="precision")
        return int(rate * 100)


EURO_FIELDS = {"price_cents", "surcharge_cents"}


class EuroAdminMixin:
    """Show and edit every cents field in euros, in forms, inlines and editable lists alike."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in EURO_FIELDS:
            return EuroField(label=db_field.verbose_name.capitalize(), required=not db_field.has_default())
        if db_field.name == "rate_bp":
            return PercentField(label=db_field.verbose_name.capitalize())
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class NoDeleteMixin:
    """Take products and formats off sale instead: orders and carts refer to them."""

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _warn_missing_vat(request: HttpRequest) -> None:
    missing = missing_vat_rates()
    if missing:
        pairs = ", ".join(f"{kind_label(kind)} ({country})" for kind, country in missing)
        messages.warning(
            request,
            gettext("No VAT rate is set for: %(pairs)s. These cannot be sold there until a rate is added.")
            % {"pairs": pairs},
        )


class FormatInline(EuroAdminMixin, NoDeleteMixin, admin.TabularInline):
    model = Format
    extra = 0
    fields = ["code", "name_nl", "name_fr", "name_en", "width_mm", "height_mm", "price_cents", "is_active", "position"]


class FinishInline(EuroAdminMixin, admin.TabularInline):
    model = Finish
    extra = 0
    fields = ["code", "name_nl", "name_fr", "name_en", "surcharge_cents", "is_default", "is_active", "position"]


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["preview", "image", "alt_text", "position"]
    readonly_fields = ["preview"]

    @admin.display(description=_("preview"))
    def preview(self, image: ProductImage) -> str:
        if not image.pk or not image.image:
            return "-"
        return format_html('<img src="{}" alt="" width="120" height="90" style="object-fit:cover">', image_url(image))


@admin.register(Product)
class ProductAdmin(EuroAdminMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name_en", "slug", "kind", "format_count", "lowest_price", "is_active", "position"]
    list_display_links = ["name_en"]
    list_editable = ["is_active", "position"]
    list_filter = ["kind", "is_active"]
    search_fields = ["slug", "name_nl", "name_fr", "name_en"]
    ordering = ["position", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [FormatInline, FinishInline, ProductImageInline]
    fieldsets = [
        (None, {"fields": ["slug", "kind", "photos_per_item", "is_active", "position"]}),
        (_("Names"), {"fields": ["name_nl", "name_fr", "name_en"]}),
        (_("Descriptions"), {"fields": ["description_nl", "description_fr", "description_en"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_formats=Count("formats", filter=Q(formats__is_active=True)),
                lowest_cents=Min("formats__price_cents", filter=Q(formats__is_active=True)),
            )
        )

    @admin.display(description=_("formats on sale"), ordering="active_formats")
    def format_count(self, product: Product) -> int:
        return product.active_formats

    @admin.display(description=_("from"), ordering="lowest_cents")
    def lowest_price(self, product: Product) -> str:
        return format_cents(product.lowest_cents) if product.lowest_cents is not None else "-"

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            _warn_missing_vat(request)
        return super().changelist_view(request, extra_context)


@admin.register(Format)
class FormatAdmin(EuroAdminMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["__str__", "name_en", "size", "price_cents", "is_active", "position"]
    list_editable = ["price_cents", "is_active", "position"]
    list_filter = ["product__kind", "is_active", "product"]
    list_select_related = ["product"]
    search_fields = ["code", "name_nl", "name_fr", "name_en", "product__name_en", "product__slug"]
    ordering = ["product__position", "product__slug", "position", "id"]
    autocomplete_fields = ["product"]

    @admin.display(description=_("size"))
    def size(self, fmt: Format) -> str:
        return size_label(fmt.width_mm, fmt.height_mm)


class VatRateForm(forms.ModelForm):
    class Meta:
        model = VatRate
        fields = ["country", "kind", "rate_bp"]


@admin.register(VatRate)
class VatRateAdmin(EuroAdminMixin, admin.ModelAdmin):
    form = VatRateForm
    list_display = ["country", "kind", "rate_bp"]
    list_editable = ["rate_bp"]
    list_filter = ["country", "kind"]
    ordering = ["country", "kind"]

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            _warn_missing_vat(request)
        return super().changelist_view(request, extra_context)


class ShippingMethodForm(forms.ModelForm):
    price_cents = EuroField(label=_("Price (€, VAT included)"))

    class Meta:
        model = ShippingMethod
        fields = [
            "code",
            "country",
            "name_nl",
            "name_fr",
            "name_en",
            "price_cents",
            "carrier",
            "tracking_url",
            "is_active",
            "position",
        ]

    def clean_tracking_url(self) -> str:
        url = self.cleaned_data.get("tracking_url", "").strip()
        if not url:
            return url
        if not url.startswith("https://"):
            raise ValidationError(gettext("The tracking link must start with https://."))
        if "{code}" not in url:
            raise ValidationError(gettext("Put {code} in the tracking link where the tracking number goes."))
        try:
            url.format(code="TEST")
        except (KeyError, IndexError, ValueError):
            raise ValidationError(gettext("Use {code} only, with no other braces, in the tracking link.")) from None
        return url


@admin.register(ShippingMethod)
class ShippingMethodAdmin(EuroAdminMixin, admin.ModelAdmin):
    form = ShippingMethodForm
    list_display = ["name_en", "code", "country", "carrier", "price_cents", "is_active", "position"]
    list_editable = ["price_cents", "is_active", "position"]
    list_filter = ["country", "carrier", "is_active"]
    search_fields = ["code", "name_nl", "name_fr", "name_en", "carrier"]
    ordering = ["country", "position", "id"]
