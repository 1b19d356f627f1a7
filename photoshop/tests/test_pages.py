"""Site-wide pages: home, language switch, error pages."""

import pytest
from django.test import Client
from django.urls import path

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
def test_dutch_is_the_default_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="nl">' in response.content.decode()


@pytest.mark.django_db
def test_language_switcher_keeps_the_page(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.url == "/fr/accounts/login/"


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
