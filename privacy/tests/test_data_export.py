"""A copy of one's data (SMP-13, ALB-3): asked for in the account pages, built by a task, downloadable for 7 days."""

import datetime
import io
import json
import re
import zipfile

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import AddressFactory, UserFactory
from orders.tests.test_privacy_rules import delivered_order
from photos.tests.factories import PhotoFactory
from privacy.models import DataExport
from privacy.registry import registry
from privacy.services import exports_remove_expired

T0 = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def customer(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = delivered_order()
    user = order.user
    user.language = "fr"
    user.first_name = "Amélie"
    user.save()
    AddressFactory(user=user, street_address="Rue Haute 12")
    mail.outbox.clear()  # the order's own e-mails
    return user


# One query per kind of record the registry declares about a person, and a few for the page itself.
MY_DATA_QUERIES = sum(1 for entry in registry.entries() if entry.subject) + 10


def _ask(client, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("privacy:my_data"))


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+/my-data/download/\S+/)", message.body).group(1)


@pytest.mark.django_db
def test_a_customer_gets_everything_we_hold_as_json_with_the_files_and_a_summary_in_their_language(
    client, customer, django_capture_on_commit_callbacks
):
    photo = PhotoFactory(user=customer, filename="plage.jpg")
    client.force_login(customer)
    assert _ask(client, django_capture_on_commit_callbacks).status_code == 302
    export = DataExport.objects.get(user=customer)
    assert export.status == DataExport.Status.READY
    (message,) = mail.outbox
    assert message.to == [customer.email]
    assert "télécharger" in message.subject.lower()
    with time_machine.travel(T0 + datetime.timedelta(hours=1), tick=False):
        response = client.get(_link(message))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("data.json"))
    records = data["records"]
    (profile,) = records["accounts.User"]
    assert profile["email"] == customer.email
    assert profile["first_name"] == "Amélie"
    assert "password" not in profile  # a key to the account, not data about the person
    assert any(a["street_address"] == "Rue Haute 12" for a in records["accounts.Address"])
    assert len(records["orders.Order"]) == 1
    assert len(records["orders.Invoice"]) == 1
    assert {p["filename"] for p in records["photos.Photo"]} >= {"plage.jpg"}
    assert all("session_key" not in s for s in records["accounts.Session"])
    # The files themselves, byte for byte.
    with photo.original.open("rb") as stored:
        assert archive.read(f"files/{photo.original.name}") == stored.read()
    summary = archive.read("summary.html").decode()
    assert 'lang="fr"' in summary
    assert "Vos données" in summary


@pytest.mark.django_db
def test_another_person_cannot_download_it_and_the_link_and_file_expire_after_7_days(
    client, customer, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    _ask(client, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    export = DataExport.objects.get(user=customer)
    stored, storage = export.file.name, export.file.storage
    other = Client()
    other.force_login(UserFactory())
    with time_machine.travel(T0 + datetime.timedelta(hours=1), tick=False):
        assert other.get(link).status_code == 404
        assert Client().get(link).status_code == 302  # to the sign-in page
        assert client.get(link[:-4] + "abc/").status_code == 410  # a forged link
    # On the last day it still works; the day after the link and the file are gone.
    with time_machine.travel(T0 + datetime.timedelta(days=6, hours=23), tick=False):
        assert client.get(link).status_code == 200
        assert exports_remove_expired() == 0
    with time_machine.travel(T0 + datetime.timedelta(days=7, hours=1), tick=False):
        assert client.get(link).status_code == 410
        with django_capture_on_commit_callbacks(execute=True):
            assert exports_remove_expired() == 1
    assert not storage.exists(stored)
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED


@pytest.mark.django_db
def test_asking_again_while_one_is_being_prepared_makes_no_second_one(client, customer, monkeypatch):
    from privacy.tasks import build_export

    monkeypatch.setattr(build_export, "delay", lambda *args: None)  # the worker has not got to it yet
    client.force_login(customer)
    client.post(reverse("privacy:my_data"))
    client.post(reverse("privacy:my_data"))
    assert DataExport.objects.filter(user=customer).count() == 1
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert page.count("<li>") >= 1


@pytest.mark.django_db
def test_the_page_needs_sign_in_and_shows_only_ones_own_copies(client, customer, django_assert_max_num_queries):
    assert client.get(reverse("privacy:my_data")).status_code == 302
    DataExport.objects.create(user=UserFactory())
    client.force_login(customer)
    # One query per kind of record the registry declares (about 30), however many records the person has.
    with django_assert_max_num_queries(MY_DATA_QUERIES):
        page = client.get(reverse("privacy:my_data"))
    assert page.status_code == 200
    assert page.context["exports"] == []


@pytest.mark.django_db
def test_privacy_export_writes_the_same_zip_and_refuses_an_unknown_address(customer, tmp_path, capsys):
    target = tmp_path / "export.zip"
    call_command("privacy_export", customer.email.upper(), "--output", str(target))
    data = json.loads(zipfile.ZipFile(target).read("data.json"))
    assert data["records"]["accounts.User"][0]["email"] == customer.email
    assert f"account #{customer.pk}" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No account has the e-mail address"):
        call_command("privacy_export", "nobody@example.com", "--output", str(target))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("privacy_export", customer.email, "--output", str(tmp_path / "missing" / "x.zip"))


@pytest.mark.django_db
def test_my_data_says_what_we_hold_why_and_when_it_goes(client, django_assert_max_num_queries):
    from django.utils import translation
    from django.utils.translation import gettext

    with time_machine.travel(T0, tick=False):
        user = UserFactory(last_activity=T0)
        AddressFactory(user=user)
        PhotoFactory.create_batch(3, user=user)
        client.force_login(user)
    with (
        time_machine.travel(T0 + datetime.timedelta(days=1), tick=False),
        django_assert_max_num_queries(MY_DATA_QUERIES),
    ):
        response = client.get(reverse("privacy:my_data"))
    held = {item.what: item for item, _text in response.context["held"]}
    with translation.override("nl"):
        photos = held[str(gettext("photos"))]
    assert photos.count == 3
    # Default preset: photos not ordered go 2 years after the upload (SMP-6), the account 10 years after activity.
    assert photos.next_at.date() == datetime.date(2028, 5, 4)
    assert held[str(user._meta.verbose_name_plural)].next_at.date() == datetime.date(2036, 5, 4)
    assert "Afbeeldingen" in response.content.decode()
