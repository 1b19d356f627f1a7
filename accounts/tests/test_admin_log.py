"""The admin's change log names customers' records by kind and key, never by their personal data."""

import json

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import Address
from accounts.tests.admin_helpers import change_form_data
from accounts.tests.factories import AddressFactory, UserFactory
from photos.models import Photo
from privacy.admin import AdminLogWithoutPersonalData
from privacy.registry import registry


def photo_of(user, filename: str) -> Photo:
    photo = Photo(user=user, filename=filename, content_hash=filename.ljust(64, "0")[:64], size_bytes=5)
    photo.original.save(filename, ContentFile(b"jpeg!"), save=False)
    photo.save()
    return photo


def logged_text(entry: LogEntry) -> str:
    return f"{entry.object_repr} {entry.change_message} {entry.get_change_message()}"


@pytest.mark.django_db
def test_staff_changing_a_customer_leaves_no_name_email_or_address_in_the_log(client, staff_login):
    support = staff_login("Support")
    emma = UserFactory(email="emma.janssens@example.com", first_name="Emma", last_name="Janssens")
    address = AddressFactory(user=emma, full_name="Emma Janssens", street_address="Kerkstraat 1")
    url = reverse("admin:accounts_user_change", args=[emma.pk])
    data = change_form_data(client.get(url))
    data["first_name"] = "Emmy"
    street_field = next(name for name, value in data.items() if value == "Kerkstraat 1")
    data[street_field] = "Veldstraat 9"

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    address.refresh_from_db()
    assert address.street_address == "Veldstraat 9"
    entry = LogEntry.objects.get(user=support)
    assert entry.action_flag == CHANGE
    assert entry.object_repr == f"user #{emma.pk}"
    text = logged_text(entry)
    for personal in ["emma", "Emmy", "Janssens", "Kerkstraat", "Veldstraat"]:
        assert personal.lower() not in text.lower(), personal
    # What changed is still there: field labels and which address.
    message = json.loads(entry.change_message)
    assert {"changed": {"fields": ["First name"]}} in message
    assert {"changed": {"name": "address", "object": f"address #{address.pk}", "fields": ["Street and number"]}} in (
        message
    )


@pytest.mark.django_db
def test_an_address_added_in_the_admin_is_logged_by_its_key(client, staff_login):
    staff_login("Support")
    emma = UserFactory(email="emma.janssens@example.com")
    url = reverse("admin:accounts_user_change", args=[emma.pk])
    data = change_form_data(client.get(url))
    prefix = next(name for name in data if name.endswith("-TOTAL_FORMS") and "address" in name).removesuffix(
        "-TOTAL_FORMS"
    )
    data[f"{prefix}-TOTAL_FORMS"] = "1"
    new = {"kind": "delivery", "full_name": "Emma Janssens", "street_address": "Kerkstraat 1"}
    new |= {"postal_code": "9000", "city": "Gent", "country": "BE"}
    data |= {f"{prefix}-0-{name}": value for name, value in new.items()}

    assert client.post(url, data).status_code == 302

    address = Address.objects.get(user=emma)
    entry = LogEntry.objects.get(action_flag=CHANGE)
    assert {"added": {"name": "address", "object": f"address #{address.pk}"}} in json.loads(entry.change_message)
    assert "Kerkstraat" not in logged_text(entry)
    assert "Janssens" not in logged_text(entry)


@pytest.mark.django_db
def test_a_photo_deleted_in_the_admin_leaves_no_file_name_in_the_log(client, staff_login):
    staff_login("Privacy officer")
    emma = UserFactory(email="emma.janssens@example.com")
    one = photo_of(emma, "emma-on-the-beach.jpg")
    others = [photo_of(emma, "emma-at-home.jpg"), photo_of(emma, "emma-and-jan.jpg")]

    assert client.post(reverse("admin:photos_photo_delete", args=[one.pk]), {"post": "yes"}).status_code == 302
    client.post(
        reverse("admin:photos_photo_changelist"),
        {"action": "delete_selected", "post": "yes", ACTION_CHECKBOX_NAME: [p.pk for p in others]},
    )

    assert not Photo.objects.exists()
    entries = LogEntry.objects.filter(action_flag=DELETION)
    assert {entry.object_repr for entry in entries} == {f"photo #{p.pk}" for p in [one, *others]}
    assert not any("emma" in logged_text(entry) for entry in entries)


@pytest.mark.django_db
def test_a_user_added_in_the_admin_is_logged_by_its_key(client, staff_login):
    staff_login(superuser=True)
    password = "a-long-and-unusual-passphrase"
    url = reverse("admin:accounts_user_add")
    data = change_form_data(client.get(url))
    data |= {"email": "new.customer@example.com", "password1": password, "password2": password}

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = LogEntry.objects.get(action_flag=ADDITION)
    assert entry.object_repr.startswith("user #")
    assert "new.customer" not in logged_text(entry)


def test_every_admin_of_personal_data_keeps_it_out_of_the_log():
    declared = [
        (model._meta.label, type(model_admin).__name__)
        for model, model_admin in admin.site._registry.items()
        if registry.for_model(model._meta.label) and not isinstance(model_admin, AdminLogWithoutPersonalData)
    ]
    assert not declared, f"admins that would write personal data into the admin log: {declared}"
