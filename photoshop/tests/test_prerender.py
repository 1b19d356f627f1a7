"""Parts of pages rendered once and filled in per request: the site header and Django's form templates."""

import re

import pytest
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html
from django.urls import reverse
from django.utils import translation

from accounts.forms import AddressForm, ProfileForm
from accounts.tests.factories import UserFactory
from photoshop.forms import FormRenderer


def _header(html: str) -> str:
    return html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]


@pytest.mark.django_db
def test_the_header_carries_this_requests_csrf_token_and_path_and_signing_out_works(client, user):
    client.force_login(user)
    with translation.override("en"):
        shop = reverse("orders:catalogue")
    response = client.get(shop + "?sort=a&b=<x>")
    header = _header(response.content.decode())
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', header))
    assert len(tokens) == 1
    assert f'name="next" value="{shop}?sort=a&amp;b=%3Cx%3E"' in header
    assert "Sign out" in header
    assert "Sign in" not in header
    assert "Admin" not in header
    # The token in the page is good for the sign-out form (CSRF checks on).
    client.handler.enforce_csrf_checks = True
    client.post(reverse("account_logout"), {"csrfmiddlewaretoken": tokens.pop()})
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_each_kind_of_visitor_sees_their_own_menu(client, user):
    with translation.override("en"):
        home = reverse("orders:catalogue")
    visitor = _header(client.get(home).content.decode())
    assert "Sign in" in visitor
    assert "Sign out" not in visitor
    client.force_login(user)
    customer = _header(client.get(home).content.decode())
    assert "My account" in customer
    assert "Admin" not in customer
    client.force_login(UserFactory(is_staff=True))
    staff = _header(client.get(home).content.decode())
    assert "Admin" in staff


@pytest.mark.django_db
def test_the_header_follows_the_language(client):
    for language, shop in (("nl", "Winkel"), ("fr", "Boutique"), ("en", "Shop")):
        with translation.override(language):
            url = reverse("orders:catalogue")
        assert f">{shop}</a>" in _header(client.get(url).content.decode())


@pytest.mark.django_db
def test_the_server_error_page_renders_without_its_request(client):
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert '<header class="site-header">' in html


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"country": "XX", "postal_code": "", "full_name": "<b>A</b>"}])
def test_forms_render_the_same_html_with_jinja2_as_with_djangos_engine(user, data):
    for form_class, kwargs in ((ProfileForm, {"instance": user}), (AddressForm, {})):
        fast = form_class(data, renderer=FormRenderer(), **kwargs)
        plain = form_class(data, renderer=DjangoTemplates(), **kwargs)
        if data:
            fast.is_valid(), plain.is_valid()
        # The same HTML (Jinja2 leaves out the blank lines between a select's options).
        assert parse_html(fast.as_p()) == parse_html(plain.as_p())
        for mine, theirs in zip(fast, plain, strict=True):
            assert parse_html(str(mine)) == parse_html(str(theirs))
            assert parse_html(mine.label_tag()) == parse_html(theirs.label_tag())
            assert parse_html(str(mine.errors)) == parse_html(str(theirs.errors))
