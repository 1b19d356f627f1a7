"""No input gives a 500: every form and query parameter a shopper can reach, fuzzed with hypothesis.

Text includes NUL and other control characters, very long strings, right-to-left
and astral characters; the only thing a page may not answer is a server error.
"""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import ADDRESS_FIELDS, PROFILE_FIELDS

# Any text a browser can send: every Unicode character except lone surrogates (not encodable).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

SHOPPER_FORMS = {
    "accounts:profile": list(PROFILE_FIELDS),
    "accounts:address_create": list(ADDRESS_FIELDS),
    "accounts:preferences": ["service", "marketing", "third_party"],
    "photos:consents": ["keep_location", "storage", "action", "confirm"],
    "photos:upload": ["album", "files"],
}
PUBLIC_FORMS = {
    "account_signup": ["email", "password1", "password2"],
    "account_login": ["login", "password", "remember"],
    "account_reset_password": ["email"],
}


def _fuzz_form(client, name: str, fields: list[str]) -> None:
    """Post any text in every field of one form, many times over; no answer may be a server error."""
    url = reverse(name)

    @FUZZ
    @given(values=st.lists(TEXT, min_size=len(fields), max_size=len(fields)))
    def fuzz(values):
        response = client.post(url, dict(zip(fields, values, strict=True)))
        assert response.status_code < 500, (url, values)

    fuzz()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SHOPPER_FORMS))
def test_shopper_forms_never_answer_500(shopper_client, name):
    _fuzz_form(shopper_client, name, SHOPPER_FORMS[name])


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PUBLIC_FORMS))
def test_public_forms_never_answer_500(client, name):
    _fuzz_form(client, name, PUBLIC_FORMS[name])


@pytest.mark.django_db
def test_query_parameters_never_answer_500(shopper_client):
    @FUZZ
    @given(sort=TEXT, page=TEXT)
    def fuzz(sort, page):
        for name in ("photos:gallery", "privacy:policy", "home"):
            response = shopper_client.get(reverse(name), {"sort": sort, "page": page, "next": sort})
            assert response.status_code < 500, (name, sort, page)

    fuzz()


@pytest.mark.django_db
def test_language_switch_never_answers_500(client):
    @FUZZ
    @given(language=TEXT, next_url=TEXT)
    def fuzz(language, next_url):
        response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
        assert response.status_code < 500

    fuzz()


@pytest.mark.django_db
def test_uploads_with_any_album_name_and_file_name_never_answer_500(shopper_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from photos.tests import images

    photo = images.jpeg(64, 48)

    @FUZZ
    @given(album=TEXT, filename=TEXT, data=st.one_of(st.just(photo), st.binary(max_size=2000)))
    def fuzz(album, filename, data):
        # The test client cannot send a name without a base name ("/", ".."); a browser sends its last part.
        name = filename.replace("/", "_").replace("\\", "_")
        upload = SimpleUploadedFile(name if name.strip(".") else f"x{name}", data, content_type="image/jpeg")
        response = shopper_client.post(reverse("photos:upload"), {"album": album, "files": [upload]})
        assert response.status_code < 500, (album, filename)

    fuzz()


@pytest.mark.django_db
def test_the_stripe_webhook_never_answers_500_to_any_body_or_signature(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"

    @FUZZ
    @given(body=st.one_of(st.binary(max_size=2000), TEXT.map(str.encode)), signature=TEXT)
    def fuzz(body, signature):
        response = client.post(
            reverse("stripe_webhook"),
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature.encode("utf-8", "replace").decode("latin-1"),
        )
        assert response.status_code in (400, 403), (body, signature)

    fuzz()


@pytest.mark.django_db
def test_any_promo_code_typed_never_answers_500(shopper_client, user):
    from orders.models import Cart

    Cart.objects.create(user=user)

    @FUZZ
    @given(code=TEXT, with_details=st.booleans(), answer=TEXT)
    def fuzz(code, with_details, answer):
        data = {"code": code, "detail_1": answer}
        if with_details:
            data["with_details"] = "1"
        response = shopper_client.post(reverse("promotions:code_apply"), data)
        assert response.status_code < 500, (code, answer)

    fuzz()


@pytest.mark.django_db
def test_any_checkout_address_phone_or_vat_number_never_answers_500(shopper_client, user):
    from orders.tests.factories import CartFactory, CartLineFactory, ShippingMethodFactory

    CartLineFactory(cart=CartFactory(user=user), quantity=1)
    method = ShippingMethodFactory(country="BE")
    fields = ["ship-full_name", "ship-street_address", "ship-postal_code", "ship-city", "ship-country", "ship-phone"]
    fields += ["bill-full_name", "bill-postal_code", "bill-country", "vat_number"]

    @FUZZ
    @given(values=st.lists(TEXT, min_size=len(fields), max_size=len(fields)), separate=st.booleans())
    def fuzz(values, separate):
        data = dict(zip(fields, values, strict=True)) | {"shipping": str(method.pk), "email": "a@example.com"}
        if separate:
            data["separate_billing"] = "on"
        response = shopper_client.post(reverse("orders:checkout"), data)
        assert response.status_code < 500, values

    fuzz()
