"""The privacy policy page and the records of processing, generated from the registry and schedule."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from privacy import policy
from privacy.models import PolicyVersion


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("en", "Anonymised 10 years after your last activity"),
        ("nl", None),
        ("fr", None),
    ],
)
def test_policy_page_states_retention_in_plain_words(client, language, phrase, django_assert_max_num_queries):
    with translation.override(language):
        url = reverse("privacy:policy")
        expected = (
            phrase
            or policy.retention_text(
                {"action": "anonymise", "trigger": "last_activity", "period": {"years": 10}}
            ).capitalize()
        )
    client.get(url)  # publishes version 1
    with django_assert_max_num_queries(4):
        response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in content
    assert expected in content
    if language != "en":
        assert "Anonymised 10 years" not in content, "retention text not translated"


@pytest.mark.django_db
def test_policy_page_names_controller_processors_transfers_and_authority(client, settings):
    content = client.get("/en/privacy/").content.decode()
    assert settings.PRIVACY_CONTROLLER["name"] in content
    assert "Stripe Payments Europe Ltd" in content
    assert "outside the European Economic Area" in content  # MYS-6
    assert "you are the controller" in content  # MYS-7
    assert "Gegevensbeschermingsautoriteit" in content
    assert "Deleted 24 hours after the end of your visit" in content  # SMP-1
    assert "Deleted 2 years after the moment it was recorded" in content  # PIX-9


@pytest.mark.django_db
def test_schedule_change_publishes_a_new_version_and_keeps_the_old(client, settings):
    first = client.get("/en/privacy/").context["version"]
    assert client.get("/en/privacy/").context["version"].pk == first.pk  # unchanged: same version

    settings.PRIVACY_RETENTION_OVERRIDES = {"SMP-1": {"period": {"hours": 12}}}
    response = client.get("/en/privacy/")
    second = response.context["version"]
    assert second.number == first.number + 1
    assert "Deleted 12 hours after the end of your visit" in response.content.decode()
    assert "last updated" in response.content.decode()

    old = client.get(reverse("privacy:policy_version", args=[first.number]))
    assert "Deleted 24 hours after the end of your visit" in old.content.decode()
    assert "This is an earlier version." in old.content.decode()
    assert PolicyVersion.objects.count() == 2


@pytest.mark.django_db
def test_unknown_version_is_not_found(client):
    assert client.get(reverse("privacy:policy_version", args=[99])).status_code == 404


def _staff(role: str, activate_totp) -> object:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    activate_totp(user)
    return user


@pytest.mark.django_db
def test_privacy_officer_downloads_records_of_processing(client, activate_totp):
    client.force_login(_staff("Privacy officer", activate_totp))
    response = client.get(reverse("privacy_records_of_processing", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="records-of-processing-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_processing = {row["processing"]: row for row in rows}
    account = by_processing["Account data"]
    assert "accounts.User.email" in account["personal_data"]
    assert "STX-1" in account["retention"]
    assert "Stripe" in account["transfers_outside_eea"]

    data = json.loads(client.get(reverse("privacy_records_of_processing", args=["json"])).content)
    assert [row["processing"] for row in data] == [row["processing"] for row in rows]


@pytest.mark.django_db
def test_records_of_processing_are_for_the_privacy_officer_only(client, activate_totp):
    url = reverse("privacy_records_of_processing", args=["csv"])
    assert client.get(url).status_code == 302  # to the login
    client.force_login(_staff("Support", activate_totp))
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_privacy_officer_sees_sweep_runs_read_only(client, activate_totp):
    from privacy.sweep import run_sweep

    run = run_sweep(dry_run=True)
    client.force_login(_staff("Privacy officer", activate_totp))
    page = client.get(reverse("admin:privacy_sweeprun_change", args=[run.pk]))
    assert page.status_code == 200
    assert "STX-1" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:privacy_sweeprun_changelist")).status_code == 200
