"""Site-wide pages: home, language switch, error pages."""

import re
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import path

from photoshop.tests.processes import STRONG_KEY, settings_of
from photoshop.urls import urlpatterns as site_urlpatterns


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [*site_urlpatterns, path("boom/", _boom)]


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "language"), [("", "nl"), ("/fr", "fr"), ("/en", "en")])
def test_home_page_in_each_language(client, prefix, language):
    response = client.get(f"{prefix}/")
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", [None, "nl-BE,nl;q=0.9", "de-DE,de;q=0.9"])
def test_dutch_is_the_default_language(client, accept_language):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "path", "expected"),
    [
        ("fr-BE,fr;q=0.9,en;q=0.5", "/", "/fr/"),
        ("en-GB,en;q=0.9", "/", "/en/"),
        ("fr", "/accounts/login/?next=/photos/", "/fr/accounts/login/?next=/photos/"),
    ],
)
def test_first_visit_lands_in_the_browsers_language(client, accept_language, path, expected):
    response = client.get(path, headers={"Accept-Language": accept_language})
    assert response.status_code == 302
    assert response.url == expected
    assert "Accept-Language" in response["Vary"]
    page = client.get(response.url, headers={"Accept-Language": accept_language})
    assert f'<html lang="{expected[1:3]}">' in page.content.decode()


@pytest.mark.django_db
def test_a_chosen_language_wins_over_the_browsers(client):
    client.post("/i18n/setlang/", {"language": "nl", "next": "/fr/"})
    response = client.get("/", headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()


@pytest.mark.django_db
def test_a_chosen_language_brings_a_dutch_link_to_that_language(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/privacy/")
    assert response.status_code == 302
    assert response.url == "/en/privacy/"


@pytest.mark.django_db
def test_pages_outside_the_language_prefixes_are_not_redirected(client, admin_client):
    assert client.get("/static/css/site.css", headers={"Accept-Language": "fr"}).status_code == 200
    response = admin_client.get("/admin/", headers={"Accept-Language": "fr"})
    assert response.status_code == 200 or not response.url.startswith("/fr/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("next_url", "language", "expected"),
    [
        ("/accounts/login/", "fr", "/fr/accounts/login/"),
        ("/fr/accounts/login/", "en", "/en/accounts/login/"),
        ("/fr/photos/?sort=best", "nl", "/photos/?sort=best"),
        ("/en/", "fr", "/fr/"),
        ("/fr/", "fr", "/fr/"),
        ("/en/no-such-page/", "nl", "/no-such-page/"),
    ],
)
def test_language_switcher_keeps_the_page(client, next_url, language, expected):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response.url == expected
    page = client.get(response.url)
    assert f'<html lang="{language}">' in page.content.decode()


@pytest.mark.django_db
def test_switching_from_a_prefixed_page_shows_the_chosen_language_even_with_a_cookie(client):
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/fr/privacy/"})
    assert response.url == "/en/privacy/"


@pytest.mark.django_db
def test_language_cookie_is_lax(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie.value == "fr"
    assert cookie["samesite"] == "Lax"


def test_language_cookie_is_secure_in_production():
    found = settings_of(
        "LANGUAGE_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SAMESITE",
        DJANGO_SETTINGS_MODULE="photoshop.settings",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="shop.example",
    )
    assert found == {"LANGUAGE_COOKIE_SECURE": True, "LANGUAGE_COOKIE_SAMESITE": "Lax"}


@pytest.mark.django_db
def test_switcher_sends_the_current_page(client):
    html = client.get("/fr/privacy/").content.decode()
    assert 'name="next" value="/fr/privacy/"' in html


@pytest.mark.django_db
def test_language_switcher_needs_csrf():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/i18n/setlang/", {"language": "fr", "next": "/"}).status_code == 403


@pytest.mark.django_db
def test_unknown_page_shows_the_404_page(client):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_server_error_shows_the_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "<title>" in response.content.decode()
    assert "site.css" in response.content.decode()


@pytest.mark.django_db
def test_static_css_is_served(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200


def _main(html: str) -> str:
    return html[html.index('<main id="main">') :]


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "label"), [("", "Upload je foto's"), ("/fr", "Envoyer vos photos")])
def test_home_page_leads_with_uploading_photos(client, prefix, label):
    main = _main(client.get(f"{prefix}/").content.decode())
    first_button = re.search(r'<a class="button[^"]*" href="([^"]+)">([^<]+)</a>', main)
    assert first_button.groups() == (f"{prefix}/photos/", label)
    # Account links come after, as plain links, not as buttons.
    signup = re.search(rf'<a( class="[^"]*")? href="{prefix}/accounts/signup/"', main)
    assert signup.start() > first_button.start()
    assert "button" not in (signup.group(1) or "")


@pytest.mark.django_db
def test_home_page_shows_a_picture_served_by_the_site(client):
    main = _main(client.get("/en/").content.decode())
    image = re.search(r'<img class="hero-art"\s+src="([^"]+)"[^>]*alt="([^"]+)"', main)
    assert image, "no picture on the home page"
    src, alt = image.groups()
    assert src.startswith("/static/")
    assert alt.startswith("Three photo prints")
    svg = b"".join(client.get(src).streaming_content)
    root = ElementTree.fromstring(svg)  # noqa: S314  (the site's own committed file)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) >= 5
    assert b"http" not in svg.replace(b"http://www.w3.org/2000/svg", b"")
    # The CSP refuses inline styles: none on the page.
    assert "style=" not in main


@pytest.mark.django_db
def test_a_page_while_the_database_is_out_of_reach_says_try_again_with_503(client, monkeypatch):
    from django.db.utils import OperationalError

    from orders.views import catalogue

    def down(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(catalogue, "site_products", down)
    response = client.get("/en/shop/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "briefly unavailable" in response.content.decode()
