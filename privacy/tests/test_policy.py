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
    assert "published" in response.content.decode()

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
    by_processing = {row["Verwerking"]: row for row in rows}  # the site's language unless chosen
    account = by_processing["Accountgegevens"]
    assert "accounts.User.email" in account["Persoonsgegevens"]
    assert "STX-1" in account["Bewaring"]
    assert "Stripe" in account["Doorgifte buiten de EER"]

    data = json.loads(client.get(reverse("privacy_records_of_processing", args=["json"]) + "?lang=nl").content)
    assert [row["processing"] for row in data] == [row["Verwerking"] for row in rows]


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


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_records_of_processing_are_in_one_language_and_speak_of_the_data_subject(client, activate_totp, language):
    client.force_login(_staff("Privacy officer", activate_totp))
    url = reverse("privacy_records_of_processing", args=["json"]) + f"?lang={language}"
    response = client.get(url)
    assert response["Content-Disposition"].endswith(f'-{language}.json"')
    text = response.content.decode()
    import re

    second_person = re.findall(r"\b(your|you|je|jouw|uw|votre|vos|tu)\b", text.lower())
    assert second_person == []
    english = {"Account data", "deleted", "customers", "Performance of"}
    if language != "en":
        assert not [word for word in english if word in text]
    else:
        assert "the data subject's last activity" in text


@pytest.mark.django_db
def test_records_of_processing_refuse_an_unknown_language(client, activate_totp):
    client.force_login(_staff("Privacy officer", activate_totp))
    url = reverse("privacy_records_of_processing", args=["csv"]) + "?lang=xx"
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_reverted_change_publishes_a_new_version_in_force(client, settings):
    first = client.get("/en/privacy/").context["version"]
    settings.PRIVACY_RETENTION_OVERRIDES = {"SMP-1": {"period": {"hours": 12}}}
    second = client.get("/en/privacy/").context["version"]
    settings.PRIVACY_RETENTION_OVERRIDES = {}
    response = client.get("/en/privacy/")
    third = response.context["version"]
    assert (first.number, second.number, third.number) == (1, 2, 3)
    page = response.content.decode()
    assert "Deleted 24 hours after the end of your visit" in page
    assert "This is an earlier version." not in page
    listed = sorted(v.number for v in response.context["versions"])
    assert listed == [1, 2]  # the version in force is not among the earlier ones
    # The earlier version 2 says so, and lists the others.
    old = client.get(reverse("privacy:policy_version", args=[2]))
    assert "This is an earlier version." in old.content.decode()
    assert 2 not in [v.number for v in old.context["versions"]]


@pytest.mark.django_db
def test_versions_of_one_day_are_told_apart_by_their_time(client, settings):
    import time_machine

    with time_machine.travel("2026-11-23 09:05 +0000", tick=False):
        client.get("/en/privacy/")
    settings.PRIVACY_RETENTION_OVERRIDES = {"SMP-1": {"period": {"hours": 12}}}
    with time_machine.travel("2026-11-23 15:40 +0000", tick=False):
        page = client.get("/en/privacy/").content.decode()
    assert "10:05" in page.replace("10:05 a.m.", "10:05") or "10:05" in page  # Brussels time
    assert "4:40" in page or "16:40" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "country", "authority", "dutch_authority"),
    [
        ("nl", "België", "Gegevensbeschermingsautoriteit", "Autoriteit Persoonsgegevens"),
        ("fr", "Belgique", "Autorité de protection des données", "Autoriteit Persoonsgegevens"),
        ("en", "Belgium", "Data Protection Authority", "Autoriteit Persoonsgegevens"),
    ],
)
def test_addresses_countries_and_authorities_in_the_pages_language(
    client, language, country, authority, dutch_authority
):
    prefix = "" if language == "nl" else f"/{language}"
    page = client.get(f"{prefix}/privacy/").content.decode()
    assert f"Grote Markt 1, 1000 Brussel, {country}" in page
    assert authority in page
    assert dutch_authority in page  # for customers in the Netherlands
    wrong = {
        "nl": ["Ireland", "United States", "Belgium"],
        "fr": ["Ierland", "Ireland", "België"],
        "en": ["Ierland", "België"],
    }
    assert not [word for word in wrong[language] if word in page]


@pytest.mark.django_db
def test_smp6_wording_does_not_contradict_itself(client):
    page = client.get("/en/privacy/").content.decode()
    assert "uploaded to your account and not ordered: deleted 2 years after your last order" not in page.lower()
    assert "2 years after the upload or your last order, whichever is later" in page


@pytest.mark.django_db
def test_sweep_run_admin_says_what_each_rule_does_and_marks_dry_runs(client, activate_totp):
    from django.utils.html import escape

    from privacy.schedule import effective_schedule
    from privacy.sweep import run_sweep

    run = run_sweep(dry_run=True)
    client.force_login(_staff("Privacy officer", activate_totp))
    page = client.get(reverse("admin:privacy_sweeprun_change", args=[run.pk])).content.decode()
    listing = client.get(reverse("admin:privacy_sweeprun_changelist")).content.decode()
    stx1 = next(rule for rule in effective_schedule() if rule.id == "STX-1")
    with translation.override("nl"):  # the admin's language here
        assert escape(policy.retention_text(stx1.as_dict(), third_person=True)) in page
        assert escape(translation.gettext("dry run, nothing changed")) in listing
        assert escape(translation.gettext("records that would change")) in page


@pytest.mark.django_db
def test_sweep_run_title_uses_local_time_like_its_fields():
    import datetime

    from privacy.models import SweepRun

    moment = datetime.datetime(2026, 7, 1, 1, 15, tzinfo=datetime.UTC)  # 03:15 in Brussels (summer time)
    run = SweepRun(started_at=moment, heartbeat_at=moment, preset="default", as_of=moment)
    with translation.override("en"):
        title = str(run)
    assert "3:15" in title
    assert "1:15" not in title
