"""Data-subject requests (ALB-3, ALB-4, MYS-2, MYS-3, SMP-10): the public form, identity, the officer's queue."""

from __future__ import annotations

import datetime
import html
import io
import re

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from accounts.models import AccountEvent, CommunicationKind, User
from accounts.selectors import communication_preferences_for
from accounts.tests.factories import UserFactory
from conftest import PASSWORD, link_in_last_mail
from privacy import dsar
from privacy.models import DataExport, PrivacyRequest, PrivacyRequestEvent
from privacy.sweep import run_sweep

T0 = datetime.datetime(2026, 4, 1, 10, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
LINK = r"https?://[^/\s]+(/\S+)"


def _url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def _png(name: str = "id-card.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 25), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _ask(client, kind: str = "erasure", email: str = "someone@example.com", **extra):
    data = {"kind": kind, "name": "Sam Someone", "email": email, "details": "", **extra}
    return client.post(_url("privacy:request"), data)


def _steps(request: PrivacyRequest) -> list[str]:
    return list(request.events.order_by("at", "pk").values_list("action", flat=True))


def _officer(staff_client):
    return staff_client("Privacy officer")


def _admin_says(text: str) -> str:
    """What the admin shows for ``text``: it speaks the site's default language (Dutch)."""
    with translation.override("nl"):
        return translation.gettext(text)


def _step(client, request: PrivacyRequest, step: str, **data):
    url = reverse("admin:privacy_privacyrequest_step", args=[request.pk, step])
    response = client.post(url, data, follow=True)
    response.text = html.unescape(response.content.decode())
    return response


@pytest.mark.django_db
def test_mys2_a_visitor_confirms_by_e_mail_then_sends_an_id_document_that_is_deleted_once_checked(
    client, staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client)
    assert response.status_code == 302
    made = PrivacyRequest.objects.get()
    assert made.status == "identity_pending"
    assert made.user is None
    assert mail.outbox[-1].subject == f"Confirm your privacy request {made.reference}"
    assert "identity card or driving licence" in mail.outbox[-1].body
    page = client.get(response["Location"]).content.decode()
    assert made.reference in page
    assert "We sent you an e-mail with a link" in page

    link = link_in_last_mail(LINK)
    assert link.startswith("/en/privacy/request/confirm/")  # the page in the language the request was made in
    assert "Yes, this request is mine" in client.get(link).content.decode()  # a mail scanner's GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(link, {"confirm": "1"}).content.decode()
    assert "Make your photo and national number unreadable first" in page
    made.refresh_from_db()
    assert made.email_confirmed_at is not None
    assert made.identity_verified_at is None

    text = SimpleUploadedFile("id.txt", b"not a picture", content_type="text/plain")
    page = client.post(link, {"document": text}).content.decode()
    assert "Send a photo (JPEG or PNG) or a PDF of your identity document." in page
    fake = SimpleUploadedFile("id.png", b"GIF89a....", content_type="image/png")
    assert "This file is not a readable photo or PDF" in client.post(link, {"document": fake}).content.decode()
    response = client.post(link, {"document": _png()}, follow=True)
    assert "We received your document" in response.content.decode()
    made.refresh_from_db()
    stored = made.identity_document.name
    assert default_storage.exists(stored)

    officer = _officer(staff_client)
    assert officer.get(reverse("admin:privacy_privacyrequest_document", args=[made.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        page = _step(officer, made, "verify", note="card checked").text
    assert _admin_says("The identity is confirmed; the document, if any, is deleted.") in page
    made.refresh_from_db()
    assert made.status == "in_progress"
    assert made.identity_method == "document"
    assert not made.identity_document
    assert not default_storage.exists(stored)
    assert _steps(made) == ["received", "email_confirmed", "document_uploaded", "identity_verified"]
    assert made.events.get(action="identity_verified").actor.is_staff


@pytest.mark.django_db
def test_without_a_document_rule_the_confirmed_link_is_the_identity_check(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PRIVACY_RETENTION_PRESET = "stampix"
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        _ask(client, kind="access")
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.post(link_in_last_mail(LINK), {"confirm": "1"})
    made = PrivacyRequest.objects.get()
    assert made.status == "in_progress"
    assert made.identity_method == "email_link"
    assert mail.outbox[-1].subject == f"We received your privacy request {made.reference}"
    assert "We answer by 1 May 2026 at the latest." in mail.outbox[-1].body


@pytest.mark.django_db
def test_a_confirmation_link_works_7_days_and_a_forged_one_never(client, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    link = link_in_last_mail(LINK)
    with time_machine.travel(T0 + datetime.timedelta(days=7) + datetime.timedelta(minutes=1), tick=False):
        response = client.post(link, {"confirm": "1"})
    assert response.status_code == 404
    assert "This link is no longer valid" in response.content.decode()
    assert client.get(_url("privacy:request_confirm", "forged")).status_code == 404
    assert PrivacyRequest.objects.get().email_confirmed_at is None


@pytest.mark.django_db
def test_a_signed_in_objection_to_marketing_takes_effect_at_once(
    shopper_client, user, django_capture_on_commit_callbacks
):
    from accounts.services import communication_preferences_set

    communication_preferences_set(user=user, choices={CommunicationKind.MARKETING: True}, via="account_page")
    page = shopper_client.post(_url("privacy:request"), {"kind": "objection_marketing", "password": "wrong"})
    assert "This is not your password." in page.content.decode()
    assert not PrivacyRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = shopper_client.post(
            _url("privacy:request"), {"kind": "objection_marketing", "password": PASSWORD}, follow=True
        )
    assert "It is done already" in response.content.decode()
    made = PrivacyRequest.objects.get()
    assert (made.status, made.user, made.identity_method) == ("completed", user, "reauthentication")
    states = {s.kind: s.enabled for s in communication_preferences_for(user=user)}
    assert states[CommunicationKind.MARKETING] is False
    assert states[CommunicationKind.THIRD_PARTY] is False
    assert mail.outbox[-1].subject == f"Your privacy request {made.reference} is handled"
    assert "You get no more news, offers or partner offers from us." in mail.outbox[-1].body
    assert _steps(made) == ["received", "identity_verified", "applied"]


@pytest.mark.django_db
def test_an_access_request_completed_by_the_officer_sends_the_copy(
    shopper_client, user, staff_client, django_capture_on_commit_callbacks
):
    shopper_client.post(_url("privacy:request"), {"kind": "export", "password": PASSWORD})
    made = PrivacyRequest.objects.get()
    officer = _officer(staff_client)
    with django_capture_on_commit_callbacks(execute=True):
        page = _step(officer, made, "complete").text
    assert _admin_says("The request is completed; the requester is told what was done.") in page
    export = DataExport.objects.get(user=user)
    assert export.status == "ready"
    subjects = [m.subject for m in mail.outbox]
    assert f"Your privacy request {made.reference} is handled" in subjects
    assert "Je gegevens staan klaar om te downloaden" in subjects  # in the customer's language


@pytest.mark.django_db(transaction=True)
def test_an_erasure_request_erases_the_account_and_the_request_keeps_only_a_keyed_hash():
    # Transactional (the erasure is durable): the staff roles of the migrations are not there, so no admin here.
    officer = UserFactory(is_staff=True)
    person = UserFactory(email="erase.me@example.com", password=PASSWORD)
    made = dsar.request_submit(kind="erasure", email="", user=person, reauthenticated=True)
    dsar.request_complete(request=made, actor=officer)
    assert mail.outbox[-1].to == ["erase.me@example.com"]  # told before the address is erased
    assert "Je account is gesloten en je gegevens zijn gewist" in mail.outbox[-1].body  # in the request's language
    person.refresh_from_db()
    assert person.anonymised_at is not None
    made.refresh_from_db()
    assert made.status == "completed"
    assert made.email == ""
    assert made.name == ""
    assert made.outcome == ""
    assert made.email_hash == dsar.email_digest("erase.me@example.com")
    assert AccountEvent.objects.filter(user=person, kind="erased", actor=officer).exists()
    assert made.events.get(action="completed").actor == officer


@pytest.mark.django_db
def test_an_extension_moves_the_deadline_at_most_two_months_with_the_reason_sent(
    staff_client, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False):
        made = dsar.request_enter(
            actor=None, kind="access", email="a@example.com", name="A", details="", language="fr"
        )
    assert made.due_on == datetime.date(2026, 5, 1)
    officer = _officer(staff_client)
    assert (
        _admin_says("Give the reason for the extension: it is sent to the requester.")
        in _step(officer, made, "extend", months="1").text
    )
    with django_capture_on_commit_callbacks(execute=True):
        _step(officer, made, "extend", months="2", reason="Many years of orders to collect")
    made.refresh_from_db()
    assert (made.status, made.due_on) == ("extended", datetime.date(2026, 7, 1))
    assert made.reference in mail.outbox[-1].subject
    assert "Many years of orders to collect" in mail.outbox[-1].body
    assert "1 juillet 2026" in mail.outbox[-1].body  # in the requester's language
    page = _step(officer, made, "extend", months="2", reason="again").text
    assert _admin_says("A request can be extended by at most two months in all.") in page
    page = _step(officer, made, "extend", months="5", reason="more").text
    assert _admin_says("A request can be extended by at most two months in all.") in page


@pytest.mark.django_db
def test_mys3_a_refusal_needs_a_reason_and_closes_the_request(staff_client, django_capture_on_commit_callbacks):
    made = dsar.request_enter(actor=None, kind="access", email="a@example.com", name="A", details="", language="en")
    officer = _officer(staff_client)
    assert (
        _admin_says("Give the reason for the refusal: it is sent to the requester.")
        in _step(officer, made, "refuse", reason=" ").text
    )
    with django_capture_on_commit_callbacks(execute=True):
        _step(officer, made, "refuse", reason="The fifth identical request this week.")
    made.refresh_from_db()
    assert made.status == "refused"
    assert made.closed_at is not None
    assert mail.outbox[-1].subject == f"Your privacy request {made.reference} is refused"
    assert "The fifth identical request this week." in mail.outbox[-1].body
    assert _admin_says("This request is closed already.") in _step(officer, made, "complete").text


@pytest.mark.django_db
def test_completing_needs_a_confirmed_identity_and_a_correction_needs_an_outcome(staff_client):
    made = dsar.request_enter(
        actor=None, kind="rectification", email="a@example.com", name="A", details="My name is Ann", language="en"
    )
    officer = _officer(staff_client)
    assert _admin_says("Confirm the requester's identity first (ALB-4).") in _step(officer, made, "complete").text
    _step(officer, made, "verify", note="called back on the number on file")
    page = _step(officer, made, "complete", outcome=" ").text
    assert _admin_says("Describe what you did in the outcome: it is sent to the requester.") in page
    _step(officer, made, "complete", outcome="Your first name is corrected to Ann.")
    made.refresh_from_db()
    assert made.status == "completed"
    assert made.identity_method == "staff"


@pytest.mark.django_db
def test_the_queue_flags_a_request_overdue_the_day_after_its_deadline(staff_client):
    with time_machine.travel(T0, tick=False):
        made = dsar.request_enter(
            actor=None, kind="access", email="a@example.com", name="A", details="", language="en"
        )
    officer = _officer(staff_client)
    url = reverse("admin:privacy_privacyrequest_changelist") + "?deadline=overdue"
    with time_machine.travel(datetime.datetime(2026, 5, 1, 21, 0, tzinfo=datetime.UTC), tick=True):
        assert made.reference not in officer.get(url).content.decode()  # due today: not late yet
    with time_machine.travel(datetime.datetime(2026, 5, 2, 8, 0, tzinfo=datetime.UTC), tick=True):
        page = officer.get(url).content.decode()
    assert made.reference in page


@pytest.mark.django_db
def test_only_the_privacy_officer_opens_the_queue_and_handles_requests(staff_client):
    made = dsar.request_enter(actor=None, kind="access", email="a@example.com", name="A", details="", language="en")
    support = staff_client("Support")
    assert support.get(reverse("admin:privacy_privacyrequest_changelist")).status_code == 403
    assert support.post(reverse("admin:privacy_privacyrequest_step", args=[made.pk, "refuse"])).status_code == 403
    officer = _officer(staff_client)
    assert officer.get(reverse("admin:privacy_privacyrequest_changelist")).status_code == 200
    assert officer.get(reverse("admin:privacy_privacyrequest_change", args=[made.pk])).status_code == 200
    assert officer.get(reverse("admin:privacy_privacyrequest_step", args=[made.pk, "refuse"])).status_code == 405
    assert _step(officer, made, "nonsense").status_code == 404


@pytest.mark.django_db
def test_staff_enter_a_request_for_someone_who_called(staff_client, django_capture_on_commit_callbacks):
    person = UserFactory(email="caller@example.com")
    officer = _officer(staff_client)
    data = {"kind": "restriction", "email": "caller@example.com", "name": "C", "details": "", "language": "nl"}
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(reverse("admin:privacy_privacyrequest_add"), data)
    assert response.status_code == 302
    made = PrivacyRequest.objects.get()
    assert (made.status, made.user, made.entered_by.is_staff) == ("received", person, True)
    assert mail.outbox[-1].subject.startswith("We hebben je privacyverzoek")


@pytest.mark.django_db
def test_a_restriction_stops_messages_and_suggestions(staff_client):
    from orders.services.creations import creation_suggest
    from orders.tests.factories import ProductFactory

    person = UserFactory(email="r@example.com")
    made = dsar.request_enter(actor=None, kind="restriction", email=person.email, name="R", details="", language="en")
    officer = _officer(staff_client)
    _step(officer, made, "verify", note="document seen")
    _step(officer, made, "complete")
    person.refresh_from_db()
    assert person.processing_restricted_at is not None
    assert AccountEvent.objects.filter(user=person, kind="processing_restricted").exists()
    from django.db.models import OuterRef

    from accounts.selectors import wants_service_messages

    assert not User.objects.filter(pk=person.pk).filter(wants_service_messages(OuterRef("pk"))).exists()
    with translation.override("en"), pytest.raises(ValidationError, match="not to use your photos for suggestions"):
        creation_suggest(user=person, product=ProductFactory())


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["default", "mystamp"])
def test_mys2_requests_and_their_steps_are_deleted_a_year_after_they_are_closed(preset):
    with time_machine.travel(T0, tick=False):
        closed = dsar.request_enter(
            actor=None, kind="access", email="a@example.com", name="A", details="", language="en"
        )
        dsar.request_refuse(request=closed, actor=None, reason="Unfounded")
        still_open = dsar.request_enter(
            actor=None, kind="access", email="b@example.com", name="B", details="", language="en"
        )
    with time_machine.travel(T0 + relativedelta(years=1) - DAY, tick=False):
        run_sweep(preset=preset)
    assert PrivacyRequest.objects.filter(pk=closed.pk).exists()
    with time_machine.travel(T0 + relativedelta(years=1) + DAY, tick=False):
        run_sweep(preset=preset)
    assert not PrivacyRequest.objects.filter(pk=closed.pk).exists()
    assert not PrivacyRequestEvent.objects.filter(request_id=closed.pk).exists()
    assert PrivacyRequest.objects.filter(pk=still_open.pk).exists()


@pytest.mark.django_db
def test_the_request_form_lists_every_right_and_costs_few_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        page = client.get(_url("privacy:request")).content.decode()
    for label in ("(access)", "(portability)", "(rectification)", "(erasure)", "(restriction)", "(objection)"):
        assert label in page
    assert re.search(r"identity card or driving licence", page)
    preselected = client.get(_url("privacy:request") + "?kind=restriction").content.decode()
    assert re.search(r'value="restriction"[^>]*checked', preselected)
    page = client.post(_url("privacy:request"), {"kind": "rectification", "email": "x"}).content.decode()
    assert "Enter a valid email address." in page
    assert "Tell us what is wrong and what it should be." in page
    assert not PrivacyRequest.objects.exists()


@pytest.mark.django_db
def test_the_identity_document_in_s3_is_gone_once_the_identity_is_confirmed(
    s3_storage, django_capture_on_commit_callbacks
):
    client, bucket = s3_storage
    made = dsar.request_enter(actor=None, kind="access", email="a@example.com", name="A", details="", language="en")
    PrivacyRequest.objects.filter(pk=made.pk).update(status="identity_pending", email_confirmed_at=T0)
    with django_capture_on_commit_callbacks(execute=True):
        dsar.request_attach_document(request=made, upload=_png())
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert len(keys) == 1
    assert keys[0].startswith("privacy-requests/")
    assert "id-card" not in keys[0]  # the stored name says nothing about the person
    with django_capture_on_commit_callbacks(execute=True):
        dsar.request_verify_identity(request=made, actor=None, note="seen")
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


@pytest.mark.django_db
def test_the_confirmation_page_shows_only_ones_own_request(client, django_capture_on_commit_callbacks):
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, details="my own words")
    made = PrivacyRequest.objects.get()
    page = client.get(_url("privacy:request_sent")).content.decode()
    assert made.reference in page
    other = Client()
    page = other.get(_url("privacy:request_sent")).content.decode()
    assert made.reference not in page
    assert made.email not in page


@pytest.mark.django_db
def test_a_social_login_confirms_by_the_link_and_needs_no_document(client, django_capture_on_commit_callbacks):
    person = UserFactory(email="social@example.com")
    person.set_unusable_password()
    person.save()
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("privacy:request"), {"kind": "access"})
    made = PrivacyRequest.objects.get()
    assert (made.status, made.user) == ("identity_pending", person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link_in_last_mail(LINK), {"confirm": "1"})
    made.refresh_from_db()
    assert (made.status, made.identity_method) == ("in_progress", "email_link")  # no ID document under MYS-2


@pytest.mark.django_db
def test_mys2_a_request_never_confirmed_is_closed_when_its_link_expires_and_deleted_a_year_later(client):
    from privacy.tasks import close_unconfirmed_requests

    with time_machine.travel(T0, tick=False):
        _ask(client, email="never.confirmed@example.com")
    made = PrivacyRequest.objects.get()
    with time_machine.travel(T0 + datetime.timedelta(days=7) - datetime.timedelta(minutes=1), tick=False):
        assert close_unconfirmed_requests() == 0
    with time_machine.travel(T0 + datetime.timedelta(days=7, minutes=1), tick=False):
        assert close_unconfirmed_requests() == 1
    made.refresh_from_db()
    assert made.status == "refused"
    assert made.closed_at is not None
    assert _steps(made) == ["received", "refused"]
    closed = made.closed_at
    with time_machine.travel(closed + relativedelta(years=1) + DAY, tick=False):
        run_sweep(preset="default")
    assert not PrivacyRequest.objects.filter(email="never.confirmed@example.com").exists()
