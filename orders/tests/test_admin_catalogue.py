"""The catalogue admin: prices in euros, VAT in percent, the marketing role, no deleting products."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import UserFactory
from orders.admin.catalogue import EuroField, PercentField, ShippingMethodForm
from orders.models import Format, Product, VatRate
from orders.tests.factories import FormatFactory, ProductFactory, ShippingMethodFactory


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def staff_login(client, activate_totp):
    def login(role: str | None = None, *, superuser: bool = False):
        member = UserFactory(is_staff=True, is_superuser=superuser, email=f"{role or 'root'}@staff.example".lower())
        if role:
            member.groups.add(Group.objects.get(name=role))
        activate_totp(member)
        client.force_login(member)
        return member

    return login


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12,50", 1250),
        ("12.50", 1250),
        ("€ 12,50", 1250),
        ("12", 1200),
        ("0,29", 29),
        ("1.234,50", 123450),
        ("1,234.50", 123450),
        ("1 234,5", 123450),
        ("0", 0),
    ],
)
def test_euro_field_reads_euros_as_staff_type_them(typed, cents):
    assert EuroField().clean(typed) == cents


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("twelve", "as a number"),
        ("12,505", "two decimals"),
        ("-3", "zero or more"),
        ("1.250", "ambiguous"),
        ("12,50,3", "as a number"),
        ("100000", "more than"),
        ("", "This field is required"),
    ],
)
def test_euro_field_refuses_with_a_clear_message(typed, message):
    with pytest.raises(ValidationError) as error:
        EuroField().clean(typed)
    assert message in " ".join(error.value.messages)


def test_euro_field_shows_cents_as_euros():
    assert EuroField().prepare_value(1250) == "12,50"
    assert EuroField().prepare_value(5) == "0,05"


def test_percent_field_reads_and_shows_percent():
    field = PercentField()
    assert field.clean("21") == 2100
    assert field.clean("5,5") == 550
    assert field.prepare_value(600) == "6"
    assert field.prepare_value(550) == "5,5"
    with pytest.raises(ValidationError, match="at most 100"):
        field.clean("120")


@pytest.mark.django_db
def test_marketing_edits_a_price_in_euros_in_the_format_list(client, staff_login):
    staff_login("Marketing")
    fmt = FormatFactory(price_cents=29)
    changelist = reverse("admin:orders_format_changelist")

    page = client.get(changelist)
    assert page.status_code == 200
    assert 'value="0,29"' in page.content.decode()

    response = client.post(
        changelist,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(fmt.pk),
            "form-0-price_cents": "0,35",
            "form-0-is_active": "on",
            "form-0-position": "0",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    fmt.refresh_from_db()
    assert fmt.price_cents == 35


@pytest.mark.django_db
def test_a_bad_price_is_shown_as_an_error_not_a_500(client, staff_login):
    staff_login("Marketing")
    fmt = FormatFactory(price_cents=29)
    response = client.post(
        reverse("admin:orders_format_change", args=[fmt.pk]),
        {
            "product": fmt.product_id,
            "code": fmt.code,
            "name_nl": "x",
            "name_fr": "x",
            "name_en": "x",
            "width_mm": 150,
            "height_mm": 100,
            "price_cents": "12,505",
            "is_active": "on",
            "position": 0,
        },
    )
    assert response.status_code == 200
    assert "hoogstens twee decimalen" in response.content.decode()  # the admin speaks Dutch by default
    fmt.refresh_from_db()
    assert fmt.price_cents == 29


@pytest.mark.django_db
def test_product_form_with_format_inline_takes_euros(client, staff_login):
    staff_login("Marketing")
    response = client.post(
        reverse("admin:orders_product_add"),
        {
            "slug": "posters",
            "kind": "poster",
            "photos_per_item": 1,
            "is_active": "on",
            "position": 3,
            "name_nl": "Posters",
            "name_fr": "Posters",
            "name_en": "Posters",
            "formats-TOTAL_FORMS": "1",
            "formats-INITIAL_FORMS": "0",
            "formats-0-code": "30x40",
            "formats-0-name_nl": "30 x 40 cm",
            "formats-0-name_fr": "30 x 40 cm",
            "formats-0-name_en": "30 x 40 cm",
            "formats-0-width_mm": 305,
            "formats-0-height_mm": 406,
            "formats-0-price_cents": "9,95",
            "formats-0-is_active": "on",
            "formats-0-position": 0,
            "finishes-TOTAL_FORMS": "0",
            "finishes-INITIAL_FORMS": "0",
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Format.objects.get(product__slug="posters", code="30x40").price_cents == 995


@pytest.mark.django_db
def test_product_list_has_bounded_queries_and_nobody_deletes_a_product(
    client, staff_login, django_assert_max_num_queries
):
    staff_login(superuser=True)
    for number in range(30):
        FormatFactory.create_batch(2, product=ProductFactory(slug=f"p-{number}"))
    with django_assert_max_num_queries(15):
        page = client.get(reverse("admin:orders_product_changelist"))
    assert page.status_code == 200
    product = Product.objects.first()
    assert client.get(reverse("admin:orders_product_delete", args=[product.pk])).status_code == 403


@pytest.mark.django_db
def test_staff_see_which_vat_rates_are_missing(client, staff_login):
    staff_login("Marketing")
    ShippingMethodFactory(country="DE")
    FormatFactory(product=ProductFactory(slug="prints", kind="print"))

    response = client.get(reverse("admin:orders_vatrate_changelist"))

    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("Er is geen btw-tarief ingesteld voor" in text and "(DE)" in text for text in texts)


@pytest.mark.django_db
def test_vat_rate_is_edited_in_percent(client, staff_login):
    staff_login("Marketing")
    rate = VatRate.objects.get(kind="photo_book", country="BE")
    response = client.post(
        reverse("admin:orders_vatrate_change", args=[rate.pk]),
        {"country": "BE", "kind": "photo_book", "rate_bp": "6"},
    )
    assert response.status_code == 302
    rate.refresh_from_db()
    assert rate.rate_bp == 600


@pytest.mark.django_db
def test_tracking_link_needs_https_and_the_code_placeholder():
    method = ShippingMethodFactory()
    data = {
        "code": method.code,
        "country": "BE",
        "name_nl": "a",
        "name_fr": "a",
        "name_en": "a",
        "price_cents": "4,95",
        "carrier": "bpost",
        "is_active": "on",
        "position": 0,
    }
    bad = ShippingMethodForm(data={**data, "tracking_url": "https://track.example/"}, instance=method)
    assert not bad.is_valid()
    assert "{code}" in bad.errors["tracking_url"][0]
    good = ShippingMethodForm(data={**data, "tracking_url": "https://track.example/{code}"}, instance=method)
    assert good.is_valid(), good.errors
    assert good.cleaned_data["price_cents"] == 495


@pytest.mark.django_db
def test_marketing_role_manages_the_catalogue_but_not_orders():
    perms = set(Group.objects.get(name="Marketing").permissions.values_list("codename", flat=True))
    assert {"change_product", "add_format", "change_format", "change_finish", "add_productimage"} <= perms
    assert {"change_vatrate", "change_shippingmethod"} <= perms
    assert "delete_product" not in perms
    assert "view_order" not in perms


@pytest.mark.django_db
def test_product_change_page_shows_inline_prices_in_euros_and_picture_previews(client, staff_login):
    from orders.demo import seed_catalogue

    seed_catalogue()
    staff_login("Marketing")
    product = Product.objects.get(slug="classic-prints")

    page = client.get(reverse("admin:orders_product_change", args=[product.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert 'value="0,29"' in text
    assert 'value="2,49"' in text
    preview = product.images.get()
    assert f"/shop/images/{preview.pk}/" in text
    # Staff preview the picture of a product off sale; visitors get a 404.
    product.is_active = False
    product.save(update_fields=["is_active"])
    image_url = reverse(
        "orders:product_image", kwargs={"pk": preview.pk, "name": preview.image.name.rsplit("/", 1)[-1]}
    )
    assert client.get(image_url).status_code == 200
    from django.test import Client

    assert Client().get(image_url).status_code == 404
