"""The public catalogue: pages in the visitor's language, only what is on sale, cached until a catalogue edit."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import resolve, reverse
from django.utils import translation

from orders.demo import seed_catalogue
from orders.models import Format, Product, ProductImage, ShippingMethod, VatRate
from orders.selectors.catalogue import (
    VatRateMissing,
    catalogue_products,
    missing_vat_rates,
    print_formats,
    size_label,
    vat_rate_bp,
)
from orders.tests.factories import FinishFactory, FormatFactory, ProductFactory, ShippingMethodFactory, VatRateFactory

pytestmark = pytest.mark.django_db


def url(view: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(f"orders:{view}", kwargs=kwargs or None)


@pytest.fixture
def prints():
    product = ProductFactory(
        slug="classic-prints",
        name_nl="Klassieke foto's",
        name_fr="Tirages classiques",
        name_en="Classic prints",
        description_nl="Op echt fotopapier.",
        description_fr="Sur du vrai papier photo.",
        description_en="On real photo paper.",
    )
    FormatFactory(product=product, code="10x15", name_en="10 x 15 cm", width_mm=152, height_mm=102, price_cents=29)
    FormatFactory(product=product, code="20x30", name_en="20 x 30 cm", width_mm=305, height_mm=203, price_cents=1250)
    FormatFactory(product=product, code="old", name_en="Old size", price_cents=10, is_active=False)
    FinishFactory(product=product, code="glossy", name_en="Glossy", is_default=True)
    FinishFactory(product=product, code="matte", name_en="Matte", name_fr="Mat", surcharge_cents=50)
    FinishFactory(product=product, code="silk", name_en="Silk", is_active=False)
    return product


def test_catalogue_lists_products_on_sale_with_prices_from_the_lowest(client, prints):
    ProductFactory(slug="retired", name_en="Retired product", is_active=False)
    FormatFactory(product=Product.objects.get(slug="retired"))
    ProductFactory(slug="no-formats", name_en="Nothing to order")

    response = client.get(url("catalogue"))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Classic prints" in text
    assert "from € 0,29" in text
    assert "Retired product" not in text
    assert "Nothing to order" not in text


@pytest.mark.parametrize(
    ("language", "name", "description", "finish"),
    [
        ("nl", "Klassieke foto&#x27;s", "Op echt fotopapier.", "Glanzend"),
        ("fr", "Tirages classiques", "Sur du vrai papier photo.", "Mat"),
        ("en", "Classic prints", "On real photo paper.", "Matte"),
    ],
)
def test_product_page_speaks_the_page_language(client, prints, language, name, description, finish):
    response = client.get(url("product", language, slug="classic-prints"))

    text = response.content.decode()
    assert response.status_code == 200
    assert name in text
    assert description in text
    assert finish in text


def test_product_page_shows_formats_with_sizes_and_prices_and_only_finishes_on_sale(client, prints):
    text = client.get(url("product", slug="classic-prints")).content.decode()

    assert "10,2 \u00d7 15,2 cm" in text
    assert "€ 0,29" in text
    assert "20,3 \u00d7 30,5 cm" in text
    assert "€ 12,50" in text
    assert "+ € 0,50 per item" in text
    assert "Old size" not in text
    assert "Silk" not in text


def test_product_page_of_an_inactive_or_unknown_product_is_a_404(client, prints):
    prints.is_active = False
    prints.save(update_fields=["is_active"])

    assert client.get(url("product", slug="classic-prints")).status_code == 404
    assert client.get(url("product", slug="no-such-thing")).status_code == 404


def test_product_slug_never_hides_another_shop_page():
    """The product page matches one path segment; the shop's fixed paths still reach their own views."""
    from orders.views.catalogue import ProductSlugConverter

    converter = ProductSlugConverter()
    for segment in ("creations", "account", "images"):
        with pytest.raises(ValueError, match=segment):
            converter.to_python(segment)
    with translation.override("en"):
        assert resolve("/en/shop/creations/").url_name == "creation_list"
        assert resolve("/en/shop/posters/").url_name == "product"


def test_visitor_pages_are_publicly_cacheable_and_a_customers_are_private(shopper_client, prints):
    visitor = Client().get(url("product", slug="classic-prints"))
    assert "public" in visitor["Cache-Control"]
    assert "max-age=300" in visitor["Cache-Control"]

    customer = shopper_client.get(url("catalogue"))
    assert "private" in customer["Cache-Control"]
    assert "public" not in customer["Cache-Control"]


def test_catalogue_pages_are_served_from_the_cache_without_queries(client, prints, django_assert_max_num_queries):
    client.get(url("catalogue"))  # builds the cached catalogue

    with django_assert_max_num_queries(0):
        assert client.get(url("catalogue")).status_code == 200
    with django_assert_max_num_queries(0):
        assert client.get(url("product", slug="classic-prints")).status_code == 200


def test_catalogue_queries_do_not_grow_with_products(client, django_assert_max_num_queries):
    for number in range(25):
        product = ProductFactory(slug=f"product-{number}")
        FormatFactory.create_batch(3, product=product)
        FinishFactory(product=product)
    with django_assert_max_num_queries(5):  # a cold cache: the catalogue (4) and the microsites on line (1)
        response = client.get(url("catalogue"))
    assert response.content.decode().count('class="product-card"') == 25


def test_a_catalogue_edit_shows_on_the_next_page_view(client, prints, django_capture_on_commit_callbacks):
    client.get(url("product", slug="classic-prints"))
    fmt = Format.objects.get(product=prints, code="10x15")

    with django_capture_on_commit_callbacks(execute=True):
        fmt.price_cents = 35
        fmt.save(update_fields=["price_cents"])

    assert "€ 0,35" in client.get(url("product", slug="classic-prints")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Format.objects.filter(product=prints).update(is_active=False)  # no signal: the bump is explicit
        from orders.services.catalogue import catalogue_version_bump

        catalogue_version_bump()
    assert client.get(url("product", slug="classic-prints")).status_code == 404


def test_catalogue_views_write_nothing(client, prints, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url("catalogue"))
        client.get(url("product", slug="classic-prints"))
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_product_images_are_served_publicly_for_products_on_sale(client, prints):
    seed_catalogue()
    product = Product.objects.get(slug="posters")
    image = product.images.get()
    item = next(p for p in catalogue_products() if p["slug"] == "posters")
    response = client.get(item["images"][0]["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "immutable" in response["Cache-Control"]

    wrong_name = url("product_image", pk=image.pk, name="other.png")
    assert client.get(wrong_name).status_code == 404
    product.is_active = False
    product.save(update_fields=["is_active"])
    assert client.get(item["images"][0]["url"]).status_code == 404


def test_vat_rate_per_kind_and_country_and_a_missing_rate_is_an_error():
    VatRateFactory(kind="photo_book", country="BE", rate_bp=600)
    VatRateFactory(kind="photo_book", country="NL", rate_bp=900)

    assert vat_rate_bp("photo_book", "BE") == 600
    assert vat_rate_bp("photo_book", "nl") == 900
    with pytest.raises(VatRateMissing, match="No VAT rate for 'poster' in 'DE'"):
        vat_rate_bp("poster", "DE")


def test_migration_seeds_belgian_and_dutch_vat_rates():
    """Books at the reduced rate (BE 6%, NL 9%); prints, calendars, stamps and shipping at 21%."""
    rates = {(rate.kind, rate.country.code): rate.rate_bp for rate in VatRate.objects.all()}
    assert rates[("photo_book", "BE")] == 600
    assert rates[("photo_book", "NL")] == 900
    for kind in ("print", "square_print", "poster", "calendar", "stamp", "shipping"):
        assert rates[(kind, "BE")] == 2100
        assert rates[(kind, "NL")] == 2100


def test_missing_vat_rates_lists_kinds_on_sale_in_shipping_countries(prints):
    ShippingMethodFactory(country="DE")
    assert ("print", "DE") in missing_vat_rates()
    assert ("shipping", "DE") in missing_vat_rates()
    assert ("print", "BE") not in missing_vat_rates()


def test_print_formats_come_from_the_prints_and_posters_on_sale(prints):
    book = ProductFactory(slug="book", kind="photo_book")
    FormatFactory(product=book, code="book-a4", width_mm=297, height_mm=210)

    formats = print_formats()

    assert [(f.code, f.long_cm, f.short_cm) for f in formats] == [("10x15", 15.2, 10.2), ("20x30", 30.5, 20.3)]


def test_size_label_puts_the_short_side_first():
    assert size_label(700, 500) == "50 \u00d7 70 cm"
    assert size_label(102, 152) == "10,2 \u00d7 15,2 cm"


def test_seed_catalogue_is_idempotent_and_complete():
    seed_catalogue()
    counts = (Product.objects.count(), Format.objects.count(), ProductImage.objects.count())
    seed_catalogue()
    assert (Product.objects.count(), Format.objects.count(), ProductImage.objects.count()) == counts
    kinds = set(Product.objects.values_list("kind", flat=True))
    assert kinds == {"print", "square_print", "poster", "photo_book", "calendar", "stamp"}
    assert set(Format.objects.filter(product__slug="classic-prints").values_list("code", flat=True)) == {
        "10x15",
        "13x18",
        "20x30",
    }
    assert set(ShippingMethod.objects.values_list("country", flat=True)) == {"BE", "NL"}
    assert all("{code}" in method.tracking_url for method in ShippingMethod.objects.all())
    assert missing_vat_rates() == []
    for product in Product.objects.all():
        assert all([product.name_nl, product.name_fr, product.name_en])
        assert all([product.description_nl, product.description_fr, product.description_en])


def test_seed_demo_adds_the_catalogue(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert "products on sale" in capsys.readouterr().out
    assert Product.objects.filter(is_active=True).count() == 6


def test_a_customers_product_page_has_bounded_queries_and_the_catalogue_from_the_cache(
    shopper_client, prints, django_assert_max_num_queries
):
    shopper_client.get(url("product", slug="classic-prints"))
    # Only the session and the signed-in customer: the catalogue comes from the cache.
    with django_assert_max_num_queries(4):
        response = shopper_client.get(url("product", slug="classic-prints"))
    assert response.status_code == 200


def test_an_edit_inside_a_transaction_is_read_at_once(client, prints):
    """Other parts of the shop (and their tests) read a rate or price right after changing it."""
    VatRateFactory(kind="poster", country="DE", rate_bp=1900)
    assert vat_rate_bp("poster", "DE") == 1900
    rate = VatRate.objects.get(kind="poster", country="DE")
    rate.rate_bp = 700
    rate.save(update_fields=["rate_bp"])
    assert vat_rate_bp("poster", "DE") == 700
