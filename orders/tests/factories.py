"""factory_boy factories of the shop: minimal, valid rows (other helpers add theirs at the end)."""

from __future__ import annotations

import factory

from accounts.tests.factories import UserFactory
from orders.models import (
    Cart,
    CartLine,
    Finish,
    Format,
    Order,
    OrderLine,
    Product,
    ProductKind,
    ShippingMethod,
    VatRate,
)
from photos.tests.factories import PhotoFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"classic-prints-{n}")
    kind = ProductKind.PRINT
    name_nl = "Klassieke foto's"
    name_fr = "Photos classiques"
    name_en = "Classic prints"


class FormatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Format

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"10x15-{n}")
    name_nl = "10 x 15 cm"
    name_fr = "10 x 15 cm"
    name_en = "10 x 15 cm"
    width_mm = 150
    height_mm = 100
    price_cents = 35


class FinishFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finish

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"glossy-{n}")
    name_nl = "Glanzend"
    name_fr = "Brillant"
    name_en = "Glossy"
    surcharge_cents = 0


class VatRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VatRate
        django_get_or_create = ("kind", "country")

    kind = ProductKind.PRINT
    country = "BE"
    rate_bp = 2100


class ShippingMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingMethod

    code = factory.Sequence(lambda n: f"bpost-{n}")
    country = "BE"
    name_nl = "Bpost thuislevering"
    name_fr = "Bpost à domicile"
    name_en = "Bpost home delivery"
    price_cents = 495
    carrier = "bpost"
    tracking_url = "https://track.bpost.cloud/btr/web/#/search?itemCode={code}"


class CartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cart

    user = factory.SubFactory(UserFactory)


class CartLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartLine

    cart = factory.SubFactory(CartFactory)
    format = factory.SubFactory(FormatFactory)
    photo = factory.SubFactory(PhotoFactory, user=factory.SelfAttribute("..cart.user"))
    quantity = 1


class OrderFactory(factory.django.DjangoModelFactory):
    """An order as placed (status ``placed``), with its snapshots; add lines with OrderLineFactory."""

    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"PS-{n:08d}")
    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "guest@example.com")
    language = "nl"
    ship_name = "Emma Janssens"
    ship_street = "Kerkstraat 1"
    ship_postal_code = "9000"
    ship_city = "Gent"
    ship_country = "BE"
    shipping_method = factory.SubFactory(ShippingMethodFactory)
    shipping_name = factory.LazyAttribute(lambda o: o.shipping_method.name_en)
    shipping_cents = factory.LazyAttribute(lambda o: o.shipping_method.price_cents)
    shipping_vat_bp = 2100
    items_cents = 0
    total_cents = factory.LazyAttribute(lambda o: o.items_cents + o.shipping_cents)


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    position = factory.Sequence(lambda n: n + 1)
    format = factory.SubFactory(FormatFactory)
    product_kind = ProductKind.PRINT
    product_name = "Classic prints"
    format_code = factory.LazyAttribute(lambda o: o.format.code if o.format else "10x15")
    format_name = "10 x 15 cm"
    width_mm = 150
    height_mm = 100
    photo = factory.SubFactory(PhotoFactory, user=factory.SelfAttribute("..order.user"))
    quantity = 1
    unit_price_cents = 35
    total_cents = factory.LazyAttribute(lambda o: o.unit_price_cents * o.quantity)
    vat_rate_bp = 600


def delivery_for(user):
    """A Belgian delivery to the user's e-mail address, as checkout builds it."""
    from orders.services.checkout import Delivery

    return Delivery(
        email=user.email,
        ship_name="Emma",
        ship_street="Kerkstraat 1",
        ship_postal_code="9000",
        ship_city="Gent",
        ship_country="BE",
    )
