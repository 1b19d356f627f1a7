"""Microsites by host name and by path: the sponsor's look and products, and the shop's pages kept on the site."""

import re

import pytest
from django.urls import reverse

from microsites.tests.factories import MicrositeFactory
from orders.tests.factories import FormatFactory, ProductFactory

pytestmark = pytest.mark.django_db

HOST = "prints.brand.example"


@pytest.fixture
def products():
    """Two products on sale: the microsite sells the first only."""
    ours = FormatFactory(product=ProductFactory(slug="brand-prints", name_nl="Brand-foto's")).product
    other = FormatFactory(product=ProductFactory(slug="posters", name_nl="Posters")).product
    return ours, other


@pytest.fixture
def site(products):
    return MicrositeFactory(host=HOST, slug="brand", name="Brand Prints", products=[products[0]])


def test_the_site_s_host_name_shows_its_front_page_name_colours_and_products_only(client, site):
    page = client.get("/", HTTP_HOST=HOST)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Twintig gratis foto&#x27;s van Brand" in html
    assert "· Brand Prints</title>" in re.sub(r"\s+", " ", html)
    assert "Brand-foto&#x27;s" in html
    assert "Posters" not in html
    style = re.search(r'href="([^"]+\.css)"', html[html.index("css/site.css") + 10 :]).group(1)
    css = client.get(style, HTTP_HOST=HOST)
    assert css["Content-Type"].startswith("text/css")
    assert "--brand: #7a1f5c" in css.content.decode()
    assert "--accent: #f0b400" in css.content.decode()


def test_the_site_s_catalogue_lists_its_products_and_refuses_the_others(client, site):
    catalogue = client.get(reverse("orders:catalogue"), HTTP_HOST=HOST).content.decode()
    assert "Brand-foto&#x27;s" in catalogue
    assert "Posters" not in catalogue
    assert client.get(reverse("orders:product", args=["brand-prints"]), HTTP_HOST=HOST).status_code == 200
    assert client.get(reverse("orders:product", args=["posters"]), HTTP_HOST=HOST).status_code == 404
    # The shop itself still sells both, under its own name.
    shop = client.get(reverse("orders:catalogue")).content.decode()
    assert "Brand-foto&#x27;s" in shop
    assert "Posters" in shop
    assert "Brand Prints" not in shop


def test_an_unknown_host_is_refused_and_a_site_taken_off_line_stops_answering(client, site):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/", HTTP_HOST=HOST).status_code == 200
    site.is_active = False
    site.save()
    assert client.get("/", HTTP_HOST=HOST).status_code == 400
    assert client.get("/m/brand/").status_code == 404


def test_a_sponsor_switched_off_takes_its_sites_off_line(client, site):
    site.sponsor.is_active = False
    site.sponsor.save()
    assert client.get("/", HTTP_HOST=HOST).status_code == 400


def test_the_site_under_a_path_keeps_every_link_on_the_site(client, site):
    page = client.get("/m/brand/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Twintig gratis foto&#x27;s van Brand" in html
    # The header, the code form, the product links and the footer's privacy page stay under /m/brand/.
    assert 'href="/m/brand/shop/"' in html
    assert 'href="/m/brand/accounts/login/?next=/m/brand/"' in html
    assert 'href="/m/brand/shop/brand-prints/"' in html
    assert 'href="/m/brand/privacy/"' in html
    assert 'href="/static/css/site.css"' in html  # static files are the shop's
    # The shop's own pages are not affected by a visit to the site.
    assert 'href="/shop/"' in client.get("/").content.decode()
    assert 'href="/m/brand/' not in client.get(reverse("orders:catalogue")).content.decode()


def test_the_site_under_a_path_speaks_the_visitor_s_language(client, site):
    page = client.get("/m/brand/fr/")
    assert "Vingt photos gratuites de Brand" in page.content.decode()
    assert 'href="/m/brand/fr/shop/"' in page.content.decode()


def test_a_path_without_its_slash_is_redirected_and_an_unknown_site_is_not_found(client, site):
    response = client.get("/m/brand?x=1")
    assert response.status_code == 301
    assert response["Location"] == "/m/brand/?x=1"
    assert client.get("/m/nobody/").status_code == 404


def test_the_front_page_is_read_from_the_cache(client, site, django_assert_max_num_queries):
    client.get("/", HTTP_HOST=HOST)
    with django_assert_max_num_queries(2):  # the session's visitor: nothing but the cookie consent lookup
        assert client.get("/", HTTP_HOST=HOST).status_code == 200


def test_switching_language_on_a_path_site_stays_on_the_site(client, site):
    response = client.post("/m/brand/i18n/setlang/", {"language": "fr", "next": "/m/brand/shop/"})
    assert response["Location"] == "/m/brand/fr/shop/"
    back = client.post("/m/brand/i18n/setlang/", {"language": "nl", "next": "/m/brand/fr/shop/"})
    assert back["Location"] == "/m/brand/shop/"
    unknown = client.post("/m/brand/i18n/setlang/", {"language": "en", "next": "/m/brand/no-such-page/x/"})
    assert unknown["Location"] == "/m/brand/en/no-such-page/x/"
