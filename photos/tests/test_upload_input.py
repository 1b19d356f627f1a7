"""Ordinary input that used to give a 500 or a bare 400: album names, file names, the number of files."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from photos.models import Album, Photo
from photos.tests import images
from photos.tests.conftest import upload_file
from photos.tests.factories import AlbumFactory


@pytest.mark.django_db
@pytest.mark.parametrize("title", ["Holiday\x00", "\x00", "Zomer\x1b[31m", "Vakantie\x7f"])
def test_album_name_with_control_characters_is_refused_with_a_message(title, upload, shopper_client, user):
    response = upload(shopper_client, upload_file("a.jpg", images.jpeg()), album=title, json=True)
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert not result["ok"]
    assert "album name" in result["message"]
    assert not Album.objects.exists()
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_album_name_with_line_breaks_and_tabs_becomes_one_line(upload, shopper_client, user):
    upload(shopper_client, upload_file("a.jpg", images.jpeg()), album="  Zomer\t2025\r\n ")
    assert Album.objects.get(user=user).title == "Zomer 2025"


@pytest.mark.django_db
def test_upload_into_an_album_whose_title_exists_twice_uses_the_newest(upload, shopper_client, user):
    AlbumFactory(user=user, title="Holiday")
    newest = AlbumFactory(user=user, title="Holiday")
    response = upload(shopper_client, upload_file("a.jpg", images.jpeg()), album="Holiday", json=True)
    assert response.status_code == 200
    assert response.json()["results"][0]["ok"]
    assert Photo.objects.get().album == newest


@pytest.mark.django_db
def test_signing_in_merges_the_visitors_album_into_the_accounts_album_of_the_same_title(upload, client, password):
    user = UserFactory()
    account_album = AlbumFactory(user=user, title="Holiday")
    upload(client, upload_file("a.jpg", images.jpeg(seed=1)), album="Holiday")
    upload(client, upload_file("b.jpg", images.jpeg(seed=2)), album="Other")
    client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert sorted(Album.objects.filter(user=user).values_list("title", flat=True)) == ["Holiday", "Other"]
    assert Photo.objects.get(filename="a.jpg").album == account_album
    # Uploading into that album again works and lands in the same album.
    response = upload(client, upload_file("c.jpg", images.jpeg(seed=3)), album="Holiday", json=True)
    assert response.json()["results"][0]["ok"]
    assert account_album.photos.count() == 2
    assert client.get(reverse("photos:gallery")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "IMG_" + "x" * 400 + ".jpg",
        "photo." + "jpeg" * 100,
        "vacances\x00.jpg",
        "\x1b[31mred\x07.jpg",
    ],
)
def test_odd_file_names_do_not_fail_the_batch(name, upload, client):
    big = images.jpeg(2400, 1800, seed=4) + b"\x00" * (5 * 1024 * 1024)  # past the in-memory limit: a temp file
    files = [
        upload_file(name, images.jpeg(seed=1)),
        upload_file(name, big),
        upload_file("fine.jpg", images.jpeg(seed=2)),
    ]
    response = upload(client, *files, json=True)
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 3
    assert all(result["ok"] for result in results), results
    stored = list(Photo.objects.values_list("filename", flat=True))
    assert len(stored) == 3
    for filename in stored:
        assert len(filename) <= 255
        assert not any(ord(c) < 32 for c in filename)
    if name.endswith(".jpg") and len(name) > 255:
        assert all(f.endswith(".jpg") for f in stored)
    assert client.get(reverse("photos:gallery")).status_code == 200


@pytest.mark.django_db
def test_more_files_than_one_batch_takes_gives_a_message_not_a_bare_400(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 5
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("photos:gallery"))
    token = page.cookies["csrftoken"].value
    files = [upload_file(f"p{i}.jpg", images.jpeg(64, 48, seed=i)) for i in range(6)]
    response = client.post(reverse("photos:upload"), {"files": files, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    text = client.get(response.url).content.decode()
    assert "at most 5 photos at a time" in text
    assert not Photo.objects.exists()
    files = [upload_file(f"p{i}.jpg", images.jpeg(64, 48, seed=i)) for i in range(6)]
    as_json = client.post(
        reverse("photos:upload"), {"files": files, "csrfmiddlewaretoken": token}, HTTP_ACCEPT="application/json"
    )
    assert as_json.status_code == 400
    assert "at most 5 photos at a time" in as_json.json()["results"][0]["message"]


@pytest.mark.django_db
def test_the_upload_still_checks_the_csrf_token(settings):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("photos:gallery"))
    response = client.post(reverse("photos:upload"), {"files": [upload_file("a.jpg", images.jpeg())]})
    assert response.status_code == 403
    assert not Photo.objects.exists()


TEXT = st.text(st.characters(codec="utf-8"), max_size=300)
SMALL_BYTES = st.one_of(
    st.binary(max_size=600),
    st.builds(lambda cut, data: data[:cut], st.integers(0, 4000), st.just(images.jpeg(64, 48))),
    st.builds(lambda junk: images.jpeg(64, 48) + junk, st.binary(max_size=300)),
)


@pytest.mark.django_db
def test_upload_form_fields_never_give_a_500(user):
    """Album name, file name and small file bytes, as anyone may send them (hypothesis)."""
    client = Client(raise_request_exception=False)
    client.force_login(user)

    @hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(album=TEXT, filename=TEXT, data=SMALL_BYTES)
    def post(album, filename, data):
        # The test client cannot send a name without a base name ("/", ".."); a browser sends its last part.
        name = filename.replace("/", "_").replace("\\", "_")
        upload = upload_file(name if name.strip(".") else f"x{name}", data)
        response = client.post(reverse("photos:upload"), {"album": album, "files": [upload]})
        assert response.status_code < 500, (album, filename, data[:40])
        assert client.get(reverse("photos:gallery")).status_code == 200

    post()
