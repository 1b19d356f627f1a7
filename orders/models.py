"""The shop: catalogue, carts, orders, payments, refunds, invoices and print files.

Money is integer cents (``orders.money``); an order line keeps a snapshot of
what was sold, an order keeps the e-mail and address it was placed with, and
``Order.user`` is ``SET_NULL`` so erasing a person keeps the accounting record.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from privacy.models import RetentionState


def in_active_language(obj: models.Model, field: str) -> str:
    """Return ``field`` in the active language, falling back to English, then Dutch."""
    language = (get_language() or "en")[:2]
    for code in (language, "en", "nl"):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""


class ProductKind(models.TextChoices):
    PRINT = "print", _("Classic print")
    SQUARE_PRINT = "square_print", _("Square print")
    POSTER = "poster", _("Poster")
    PHOTO_BOOK = "photo_book", _("Photo book")
    CALENDAR = "calendar", _("Calendar")
    STAMP = "stamp", _("Personalised stamps")


class Fit(models.TextChoices):
    CROP = "crop", _("Crop to fill the format")
    FIT = "fit", _("Fit the whole photo (white borders)")


# ---------------------------------------------------------------- catalogue


class Product(models.Model):
    """A product of the catalogue, e.g. classic prints or a photo book; its formats carry sizes and prices."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ProductKind.choices)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    photos_per_item = models.PositiveSmallIntegerField(
        _("photos per item"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("1 for prints and posters; the number of pages for a photo book or months for a calendar."),
    )
    is_active = models.BooleanField(_("on sale"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name_en or self.slug

    def get_absolute_url(self) -> str:
        return reverse("orders:product", kwargs={"slug": self.slug})

    @property
    def name(self) -> str:
        return in_active_language(self, "name")

    @property
    def description(self) -> str:
        return in_active_language(self, "description")


def product_image_path(instance: ProductImage, filename: str) -> str:
    return f"catalogue/{instance.product_id}/{uuid.uuid4().hex}{_suffix(filename)}"


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower()[:6] if dot != -1 else ""


class ProductImage(models.Model):
    """A picture of a product for the catalogue pages."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product"))
    image = models.ImageField(_("image"), upload_to=product_image_path, max_length=200)
    alt_text = models.CharField(_("description for screen readers"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt_text or self.image.name


class Format(models.Model):
    """A format of a product: its physical size and its price including VAT."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="formats", verbose_name=_("product"))
    code = models.SlugField(
        _("code"), max_length=32, help_text=_("Short code, e.g. 10x15; unique within the product.")
    )
    name_nl = models.CharField(_("name (Dutch)"), max_length=80)
    name_fr = models.CharField(_("name (French)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    width_mm = models.PositiveIntegerField(_("width (mm)"), validators=[MinValueValidator(10)])
    height_mm = models.PositiveIntegerField(_("height (mm)"), validators=[MinValueValidator(10)])
    price_cents = models.PositiveIntegerField(_("price (€, VAT included)"))
    is_active = models.BooleanField(_("on sale"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("format")
        verbose_name_plural = _("formats")
        ordering = ["product", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="orders_format_unique_code_per_product"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.code}"

    @property
    def name(self) -> str:
        return in_active_language(self, "name")

    @property
    def long_cm(self) -> float:
        return max(self.width_mm, self.height_mm) / 10

    @property
    def short_cm(self) -> float:
        return min(self.width_mm, self.height_mm) / 10


class Finish(models.Model):
    """A finish option of a product (glossy, matte, ...), with a surcharge per item including VAT."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="finishes", verbose_name=_("product"))
    code = models.SlugField(_("code"), max_length=32)
    name_nl = models.CharField(_("name (Dutch)"), max_length=80)
    name_fr = models.CharField(_("name (French)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    surcharge_cents = models.PositiveIntegerField(_("surcharge (€, VAT included)"), default=0)
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("on sale"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("finish")
        verbose_name_plural = _("finishes")
        ordering = ["product", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="orders_finish_unique_code_per_product"),
            models.UniqueConstraint(
                fields=["product"], condition=Q(is_default=True), name="orders_finish_one_default_per_product"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.code}"

    @property
    def name(self) -> str:
        return in_active_language(self, "name")


class VatRate(models.Model):
    """The VAT rate of a product kind in a country of delivery, in basis points (2100 = 21%)."""

    kind = models.CharField(
        _("product kind"),
        max_length=16,
        choices=[*ProductKind.choices, ("shipping", _("Shipping"))],
    )
    country = CountryField(_("country"))
    rate_bp = models.PositiveIntegerField(_("VAT rate (%)"), validators=[MaxValueValidator(10_000)])

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["country", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "country"], name="orders_vatrate_unique_kind_country")]

    def __str__(self) -> str:
        return f"{self.kind} {self.country.code} {self.rate_bp / 100:g}%"


class ShippingMethod(models.Model):
    """A way to deliver an order to a country, with its price including VAT."""

    code = models.SlugField(_("code"), max_length=32)
    country = CountryField(_("country"))
    name_nl = models.CharField(_("name (Dutch)"), max_length=80)
    name_fr = models.CharField(_("name (French)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    price_cents = models.PositiveIntegerField(_("price (€, VAT included)"))
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_url = models.CharField(
        _("tracking link"), max_length=200, blank=True, help_text=_("With {code} where the tracking number goes.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ["country", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "country"], name="orders_shippingmethod_unique_code_country")
        ]

    def __str__(self) -> str:
        return f"{self.name_en} ({self.country.code})"

    @property
    def name(self) -> str:
        return in_active_language(self, "name")


# ------------------------------------------------- creations (ALB-5) and carts


class Creation(models.Model):
    """A multi-photo product a customer composes or was offered (ALB-5): a photo book or a calendar."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("suggested")
        SAVED = "saved", _("saved")
        DISMISSED = "dismissed", _("dismissed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="creations", verbose_name=_("customer")
    )
    format = models.ForeignKey(Format, on_delete=models.PROTECT, related_name="+", verbose_name=_("format"))
    title = models.CharField(_("title"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SAVED)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("creation")
        verbose_name_plural = _("creations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or str(self.format)


class CreationPage(models.Model):
    """One photo placed on a page (or month) of a creation."""

    creation = models.ForeignKey(Creation, on_delete=models.CASCADE, related_name="pages", verbose_name=_("creation"))
    position = models.PositiveSmallIntegerField(_("page"))
    photo = models.ForeignKey("photos.Photo", on_delete=models.CASCADE, related_name="+", verbose_name=_("photo"))

    class Meta:
        verbose_name = _("creation page")
        verbose_name_plural = _("creation pages")
        ordering = ["creation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["creation", "position"], name="orders_creationpage_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.creation_id} p{self.position}"


class CropBox(models.Model):
    """A crop box as fractions (0..1) of the photo's width and height; empty means centred."""

    fit = models.CharField(_("crop or fit"), max_length=4, choices=Fit.choices, default=Fit.CROP)
    crop_left = models.FloatField(_("crop left"), null=True, blank=True)
    crop_top = models.FloatField(_("crop top"), null=True, blank=True)
    crop_right = models.FloatField(_("crop right"), null=True, blank=True)
    crop_bottom = models.FloatField(_("crop bottom"), null=True, blank=True)

    class Meta:
        abstract = True
        constraints = []

    @classmethod
    def crop_constraints(cls, prefix: str) -> list[models.BaseConstraint]:
        box = Q(crop_left__isnull=True, crop_top__isnull=True, crop_right__isnull=True, crop_bottom__isnull=True) | Q(
            crop_left__gte=0,
            crop_top__gte=0,
            crop_right__lte=1,
            crop_bottom__lte=1,
            crop_left__lt=F("crop_right"),
            crop_top__lt=F("crop_bottom"),
        )
        return [models.CheckConstraint(condition=box, name=f"{prefix}_crop_box_valid")]


class Cart(models.Model):
    """A shopping cart of a user or, before sign-in, of a visitor's session."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cart",
        verbose_name=_("customer"),
    )
    session_key = models.CharField(_("visitor session"), max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, db_index=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(session_key=""), name="orders_cart_has_owner"),
            models.UniqueConstraint(
                fields=["session_key"], condition=Q(user__isnull=True), name="orders_cart_one_per_session"
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


class CartLine(CropBox):
    """A line of a cart: one photo (or one creation) in a format, finish and quantity."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines", verbose_name=_("cart"))
    format = models.ForeignKey(Format, on_delete=models.CASCADE, related_name="+", verbose_name=_("format"))
    finish = models.ForeignKey(
        Finish, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("finish")
    )
    photo = models.ForeignKey(
        "photos.Photo", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("photo")
    )
    creation = models.ForeignKey(
        Creation, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("creation")
    )
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(photo__isnull=False, creation__isnull=True)
                | Q(photo__isnull=True, creation__isnull=False),
                name="orders_cartline_photo_or_creation",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=999), name="orders_cartline_quantity_range"
            ),
            *CropBox.crop_constraints("orders_cartline"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.format}"


# ------------------------------------------------------------------- orders


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("placed")
    PAID = "paid", _("paid")
    IN_PRODUCTION = "in_production", _("in production")
    SHIPPED = "shipped", _("shipped")
    DELIVERED = "delivered", _("delivered")
    CANCELLED = "cancelled", _("cancelled")
    REFUNDED = "refunded", _("refunded")


class OrderChannel(models.TextChoices):
    WEB = "web", _("web shop")
    MICROSITE = "microsite", _("microsite")


class Order(RetentionState):
    """An order as placed: snapshots of the e-mail, addresses and lines, with totals in cents."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(_("order number"), max_length=20, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("customer"),
    )
    cart = models.OneToOneField(
        Cart, on_delete=models.SET_NULL, null=True, blank=True, related_name="order", verbose_name=_("cart")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PLACED, db_index=True
    )
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    # Held for staff review (fair use, STX-9): not produced until staff release it.
    held_at = models.DateTimeField(_("on hold since"), null=True, blank=True, editable=False)
    hold_reason = models.CharField(
        _("why on hold"), max_length=200, blank=True, editable=False, default="", db_default=""
    )
    # Where the order was placed: the web shop or a sponsor's microsite (STX-2, STX-3).
    channel = models.CharField(_("channel"), max_length=10, choices=OrderChannel.choices, default=OrderChannel.WEB)
    microsite = models.ForeignKey(
        "microsites.Microsite",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("microsite"),
    )
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=2, default="nl")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # Delivery address as placed.
    ship_name = models.CharField(_("delivery name"), max_length=200)
    ship_company = models.CharField(_("delivery company"), max_length=200, blank=True)
    ship_street = models.CharField(_("delivery street and number"), max_length=200)
    ship_line2 = models.CharField(_("delivery address line 2"), max_length=200, blank=True)
    ship_postal_code = models.CharField(_("delivery postal code"), max_length=16)
    ship_city = models.CharField(_("delivery city"), max_length=100)
    ship_country = CountryField(_("delivery country"))
    ship_phone = models.CharField(_("delivery phone"), max_length=32, blank=True)
    # Billing address as placed; empty when it is the delivery address.
    bill_name = models.CharField(_("billing name"), max_length=200, blank=True)
    bill_company = models.CharField(_("billing company"), max_length=200, blank=True)
    bill_vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    bill_street = models.CharField(_("billing street and number"), max_length=200, blank=True)
    bill_line2 = models.CharField(_("billing address line 2"), max_length=200, blank=True)
    bill_postal_code = models.CharField(_("billing postal code"), max_length=16, blank=True)
    bill_city = models.CharField(_("billing city"), max_length=100, blank=True)
    bill_country = CountryField(_("billing country"), blank=True)
    shipping_method = models.ForeignKey(
        ShippingMethod, on_delete=models.PROTECT, related_name="+", verbose_name=_("shipping method")
    )
    shipping_name = models.CharField(_("shipping as sold"), max_length=80)
    shipping_cents = models.IntegerField(_("shipping (cents)"), default=0)
    shipping_vat_bp = models.PositiveIntegerField(_("shipping VAT rate (basis points)"), default=0)
    items_cents = models.IntegerField(_("items (cents)"), default=0)
    discount_cents = models.IntegerField(_("discount (cents)"), default=0)
    total_cents = models.IntegerField(_("total (cents)"), default=0)
    vat_cents = models.IntegerField(_("VAT (cents)"), default=0)
    refunded_cents = models.IntegerField(_("refunded (cents)"), default=0)
    # The current Stripe PaymentIntent of this order attempt (reused on reload and double click).
    payment_intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=255, blank=True)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now, db_index=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("payment reminder sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]
        indexes = [
            models.Index(fields=["user", "-placed_at"], name="orders_order_user_placed"),
            models.Index(fields=["status", "-placed_at"], name="orders_order_status_placed"),
            # The admin's search by e-mail address (case-insensitive, exact).
            models.Index(Lower("email"), name="orders_order_email_lower"),
            # The retention sweep's microsite orders (STX-2) without reading the others.
            models.Index(fields=["placed_at"], condition=Q(channel="microsite"), name="orders_order_microsite_placed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="web", microsite__isnull=True) | Q(channel="microsite", microsite__isnull=False),
                name="orders_order_channel_site",
            ),
            models.UniqueConstraint(
                fields=["payment_intent_id"],
                condition=~Q(payment_intent_id=""),
                name="orders_order_unique_payment_intent",
            ),
            models.CheckConstraint(
                condition=Q(total_cents__gte=0) & Q(refunded_cents__gte=0) & Q(refunded_cents__lte=F("total_cents")),
                name="orders_order_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", kwargs={"pk": self.pk})


class OrderLine(CropBox):
    """A line as sold: a snapshot of product, format, finish and price, and the photo it was made from."""

    class LabDecision(models.TextChoices):
        NONE = "", _("no defect reported")
        REPRINT = "reprint", _("reprint")
        REFUND = "refund", _("refund")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    position = models.PositiveSmallIntegerField(_("line"))
    format = models.ForeignKey(
        Format, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("format")
    )
    product_kind = models.CharField(_("product kind"), max_length=16, choices=ProductKind.choices)
    product_name = models.CharField(_("product as sold"), max_length=120)
    format_code = models.CharField(_("format code as sold"), max_length=32)
    format_name = models.CharField(_("format as sold"), max_length=80)
    width_mm = models.PositiveIntegerField(_("width (mm)"))
    height_mm = models.PositiveIntegerField(_("height (mm)"))
    finish_code = models.CharField(_("finish code as sold"), max_length=32, blank=True)
    finish_name = models.CharField(_("finish as sold"), max_length=80, blank=True)
    photos_per_item = models.PositiveSmallIntegerField(_("photos per item"), default=1)
    photo = models.ForeignKey(
        "photos.Photo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order_lines",
        verbose_name=_("photo"),
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price_cents = models.PositiveIntegerField(_("unit price (cents, VAT included)"))
    total_cents = models.PositiveIntegerField(_("line total (cents, VAT included)"))
    vat_rate_bp = models.PositiveIntegerField(_("VAT rate (basis points)"))
    refunded_cents = models.PositiveIntegerField(_("refunded (cents)"), default=0)
    lab_decision = models.CharField(
        _("defect decision"), max_length=8, choices=LabDecision.choices, default=LabDecision.NONE, blank=True
    )
    lab_note = models.CharField(_("defect reported by the lab"), max_length=255, blank=True)
    # Set when the line's personal data (its photo, the lab's note) is removed and the line kept (STX-2).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="orders_orderline_unique_position"),
            models.CheckConstraint(
                condition=Q(total_cents=F("unit_price_cents") * F("quantity")), name="orders_orderline_total"
            ),
            models.CheckConstraint(
                condition=Q(refunded_cents__lte=F("total_cents")), name="orders_orderline_refund_within_total"
            ),
            *CropBox.crop_constraints("orders_orderline"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} #{self.position}"


class OrderDiscount(models.Model):
    """A discount on an order (a promo code or a sponsor's free product); a negative amount including VAT."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="discounts", verbose_name=_("order"))
    label = models.CharField(_("label"), max_length=120)
    source = models.CharField(_("source"), max_length=40, blank=True, help_text=_("e.g. promo:CODE"))
    amount_cents = models.IntegerField(_("amount (cents, negative)"))

    class Meta:
        verbose_name = _("discount")
        verbose_name_plural = _("discounts")
        constraints = [models.CheckConstraint(condition=Q(amount_cents__lte=0), name="orders_discount_negative")]

    def __str__(self) -> str:
        return self.label


class OrderEvent(models.Model):
    """The audit trail of an order: every transition, payment, refund, e-mail and staff action."""

    class Kind(models.TextChoices):
        PLACED = "placed", _("placed")
        STATUS = "status", _("status changed")
        PAYMENT = "payment", _("payment")
        REFUND = "refund", _("refund")
        EMAIL = "email", _("e-mail sent")
        INVOICE = "invoice", _("invoice issued")
        LAB = "lab", _("print lab")
        NOTE = "note", _("note")
        HOLD = "hold", _("hold for review")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=OrderStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["order", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


# ----------------------------------------------------------------- payments


class Payment(models.Model):
    """One payment attempt of an order: a Stripe PaymentIntent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for payment")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments", verbose_name=_("order"))
    intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=255, unique=True)
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    failure_code = models.CharField(_("failure code"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["order", "created_at"]

    def __str__(self) -> str:
        return self.intent_id


class Refund(models.Model):
    """A refund of an order, whole or of one line, sent to Stripe with an idempotency key."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds", verbose_name=_("order"))
    line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, null=True, blank=True, related_name="refunds", verbose_name=_("line")
    )
    amount_cents = models.PositiveIntegerField(_("amount (cents)"), validators=[MinValueValidator(1)])
    reason = models.CharField(_("reason"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    stripe_refund_id = models.CharField(_("Stripe refund"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["order", "created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount_cents__gte=1), name="orders_refund_positive")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.amount_cents}"

    @property
    def idempotency_key(self) -> str:
        return f"refund-{self.pk}"


class StripeEvent(models.Model):
    """A Stripe webhook event received; the unique id makes a replay do nothing."""

    event_id = models.CharField(_("event"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=64)
    object_id = models.CharField(_("object"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    result = models.CharField(_("result"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


# ----------------------------------------------------------------- invoices


class InvoiceSequence(models.Model):
    """The last invoice number of a year; locked to hand out the next one without gaps."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice sequence")
        verbose_name_plural = _("invoice sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


def invoice_path(instance: Invoice, filename: str) -> str:
    return f"invoices/{instance.year}/{instance.number}.pdf"


class Invoice(RetentionState):
    """An invoice of a paid order, numbered without gaps per year; kept 7 years under tax law (PIX-1)."""

    # The invoice carries its own snapshot: it outlives the order under tax law (PIX-1), and finds its
    # customer through its own link for an erasure (restricted then, never deleted).
    order = models.OneToOneField(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoice", verbose_name=_("order")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("customer"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("invoice number"), max_length=20, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    customer_name = models.CharField(_("customer"), max_length=200)
    customer_company = models.CharField(_("company"), max_length=200, blank=True)
    customer_vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    customer_address = models.TextField(_("address"))
    total_cents = models.IntegerField(_("total (cents)"))
    vat_cents = models.IntegerField(_("VAT (cents)"))
    pdf = models.FileField(_("PDF"), upload_to=invoice_path, max_length=200, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-year", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="orders_invoice_unique_sequence")]

    def __str__(self) -> str:
        return self.number


# ------------------------------------------------------------ print lab


def print_file_path(instance: PrintFile, filename: str) -> str:
    return f"orders/{instance.line.order_id}/{instance.line.position:03d}-{instance.position:03d}{_suffix(filename)}"


class PrintFile(CropBox):
    """The file the lab prints for one photo of a line, rendered at size and crop, without location data.

    The order owns it: deleting the photo from the gallery or withdrawing
    storage (ALB-2) leaves it in place until the order's own retention ends.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be rendered")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="print_files", verbose_name=_("line"))
    position = models.PositiveSmallIntegerField(_("page"), default=1)
    source_photo = models.ForeignKey(
        "photos.Photo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="print_files",
        verbose_name=_("photo"),
    )
    file = models.FileField(_("print file"), upload_to=print_file_path, max_length=200, blank=True)
    sha256 = models.CharField(_("file hash"), max_length=64, blank=True)
    width_px = models.PositiveIntegerField(_("width in pixels"), null=True, blank=True)
    height_px = models.PositiveIntegerField(_("height in pixels"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("print file")
        verbose_name_plural = _("print files")
        ordering = ["line", "position"]
        constraints = [
            models.UniqueConstraint(fields=["line", "position"], name="orders_printfile_unique_position"),
            *CropBox.crop_constraints("orders_printfile"),
        ]

    def __str__(self) -> str:
        return self.file.name or f"{self.line_id}/{self.position}"


def export_path(instance: LabExport, filename: str) -> str:
    return f"lab-exports/{instance.created_at:%Y/%m}/{instance.pk}.zip"


class LabExport(models.Model):
    """A batch of paid orders exported to the print lab: a ZIP of print files and a job ticket."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    orders = models.ManyToManyField(Order, related_name="lab_exports", verbose_name=_("orders"))
    archive = models.FileField(_("archive"), upload_to=export_path, max_length=200, blank=True)

    class Meta:
        verbose_name = _("print lab export")
        verbose_name_plural = _("print lab exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M}"


class LabOrder(Order):
    """The print lab's view of an order: paid orders to produce, with no more than the shipping label needs."""

    class Meta:
        proxy = True
        verbose_name = _("order to produce")
        verbose_name_plural = _("orders to produce")
