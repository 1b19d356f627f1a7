"""STX-8: a code that asks for details (a student card number and course) before it can be used.

The details are asked on their own page after the code, checked as the
sponsor defined them, stored with that redemption only, and gone when the
code is removed, the order cancelled, the person erased, or (microsite
orders) the order anonymised.
"""

import datetime
import io
import zipfile

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from accounts.tests.factories import UserFactory
from microsites.tests.factories import MicrositeFactory
from orders.models import Cart, OrderChannel, OrderStatus
from orders.services.lifecycle import order_transition
from orders.tests.factories import OrderFactory
from privacy.exports import write_export
from privacy.services import erase_subject
from privacy.sweep import run_sweep
from promotions.models import Code, EligibilityField, Redemption, RedemptionDetail
from promotions.services import RedemptionError, code_redeem
from promotions.tests.factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def student_code():
    campaign = CampaignFactory(name="Student prints")
    card = EligibilityField.objects.create(
        campaign=campaign, position=1, label_nl="Studentenkaartnummer", label_en="Student card number",
        kind=EligibilityField.Kind.DIGITS, pattern=r"[0-9]{8}",
    )  # fmt: skip
    course = EligibilityField.objects.create(campaign=campaign, position=2, label_nl="Opleiding", label_en="Course")
    EligibilityField.objects.create(
        campaign=campaign,
        position=3,
        label_nl="E-mail van de school",
        kind=EligibilityField.Kind.EMAIL,
        required=False,
    )
    code = CodeFactory(campaign=campaign, code="STUDENT3467")
    code.fields = (card, course)
    return code


@pytest.fixture
def shopper(client):
    user = UserFactory()
    Cart.objects.create(user=user)
    client.force_login(user)
    return user


def apply(client, data):
    return client.post(reverse("promotions:code_apply"), data)


def test_the_code_first_asks_its_details_and_uses_nothing_yet(client, shopper, student_code):
    page = apply(client, {"code": "student-3467"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Studentenkaartnummer" in html
    assert "Opleiding" in html
    assert 'name="with_details"' in html
    assert "STUDENT3467" in html  # the code travels with the form
    assert Code.objects.get(pk=student_code.pk).used == 0
    assert not Redemption.objects.exists()


def test_wrong_details_are_refused_field_by_field_and_keep_what_was_typed(client, shopper, student_code):
    card, course = student_code.fields
    page = apply(
        client,
        {"code": "STUDENT3467", "with_details": "1", f"detail_{card.pk}": "12ab", f"detail_{course.pk}": "Biologie"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Biologie" in html  # kept
    assert "cijfers" in html.lower() or "digits" in html.lower()  # the card number's own message
    assert not Redemption.objects.exists()
    assert Code.objects.get(pk=student_code.pk).used == 0

    page = apply(client, {"code": "STUDENT3467", "with_details": "1", f"detail_{card.pk}": "1234567"})
    assert page.status_code == 400  # seven digits do not match the pattern; the course is missing
    assert not Redemption.objects.exists()


def test_right_details_apply_the_code_and_are_stored_with_that_redemption_only(client, shopper, student_code):
    card, course = student_code.fields
    response = apply(
        client,
        {"code": "STUDENT3467", "with_details": "1", f"detail_{card.pk}": " 12345678 ", f"detail_{course.pk}": "Bio"},
    )
    assert response.status_code == 302
    redemption = Redemption.objects.get(user=shopper)
    assert dict(redemption.details.values_list("field__label_nl", "value")) == {
        "Studentenkaartnummer": "12345678",
        "Opleiding": "Bio",
    }  # the optional e-mail left empty is not stored
    assert Code.objects.get(pk=student_code.pk).used == 1
    cart = client.get(reverse("orders:cart")).content.decode()
    assert "STUDENT3467" in cart


def test_the_service_itself_refuses_a_code_without_or_with_wrong_details(shopper, student_code):
    cart = Cart.objects.get(user=shopper)
    card, course = student_code.fields
    for details, reason in (
        (None, "needs_details"),
        ({card.pk: "12345678"}, "needs_details"),
        ({card.pk: "1234567x", course.pk: "Bio"}, "invalid_details"),
    ):
        with pytest.raises(RedemptionError) as refused:
            code_redeem(cart=cart, user=shopper, raw_code=student_code.code, details=details)
        assert refused.value.code == reason
    assert not Redemption.objects.exists()
    assert Code.objects.get(pk=student_code.pk).used == 0
    # A campaign without questions needs none (and ignores any).
    plain = CodeFactory()
    assert code_redeem(cart=cart, user=shopper, raw_code=plain.code, details={}).pk


def _redeemed(user, code) -> Redemption:
    card, course = code.fields
    cart = Cart.objects.get(user=user)
    return code_redeem(cart=cart, user=user, raw_code=code.code, details={card.pk: "12345678", course.pk: "Bio"})


def test_removing_the_code_deletes_its_details_at_once(client, shopper, student_code):
    _redeemed(shopper, student_code)
    assert RedemptionDetail.objects.count() == 2
    client.post(reverse("promotions:code_remove"))
    assert Redemption.objects.get().status == Redemption.Status.RELEASED
    assert not RedemptionDetail.objects.exists()


def test_cancelling_the_order_deletes_the_details(shopper, student_code):
    redemption = _redeemed(shopper, student_code)
    order = OrderFactory(user=shopper, status=OrderStatus.PLACED)
    Redemption.objects.filter(pk=redemption.pk).update(order=order)
    order_transition(order=order, to=OrderStatus.CANCELLED, reason="changed my mind")
    assert not RedemptionDetail.objects.exists()


def test_the_details_are_in_the_persons_export_and_gone_with_their_erasure(shopper, student_code):
    _redeemed(shopper, student_code)
    out = io.BytesIO()
    write_export(shopper, out)
    with zipfile.ZipFile(out) as archive:
        exported = " ".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".json"))
    assert "12345678" in exported
    with TestCase.captureOnCommitCallbacks(execute=True):
        erase_subject(shopper)
    assert not RedemptionDetail.objects.exists()


T0 = datetime.datetime(2026, 1, 15, 23, 50, tzinfo=datetime.UTC)


@pytest.mark.parametrize("preset", ["stampix", "default"])
def test_stx2_a_microsite_orders_details_go_and_its_code_loses_the_customer_at_6_months(preset, student_code):
    type(student_code.campaign).objects.filter(pk=student_code.campaign_id).update(
        starts_at=T0 - datetime.timedelta(days=1)
    )
    with time_machine.travel(T0, tick=False):
        user = UserFactory(last_activity=T0)
        Cart.objects.create(user=user)
        redemption = _redeemed(user, student_code)
        order = OrderFactory(user=user, placed_at=T0, channel=OrderChannel.MICROSITE, microsite=MicrositeFactory())
        Redemption.objects.filter(pk=redemption.pk).update(order=order)

    def sweep(moment):
        with time_machine.travel(moment, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
            run_sweep(preset=preset)

    sweep(T0 + relativedelta(months=6) - datetime.timedelta(days=1))
    assert RedemptionDetail.objects.count() == 2
    assert Redemption.objects.get().user == user
    sweep(T0 + relativedelta(months=6))
    assert not RedemptionDetail.objects.exists()
    kept = Redemption.objects.get()
    assert (kept.user, kept.order_id) == (None, order.pk)  # the sponsor's counts keep the order
    assert kept.anonymised_at is not None


def test_marketing_sets_the_questions_and_only_support_sees_the_answers(staff_client, student_code, shopper):
    redemption = _redeemed(shopper, student_code)
    answers = reverse("admin:promotions_redemption_change", args=[redemption.pk])

    marketing = staff_client("Marketing")
    campaign_page = marketing.get(reverse("admin:promotions_campaign_change", args=[student_code.campaign_id]))
    assert "Studentenkaartnummer" in campaign_page.content.decode()
    page = marketing.get(answers)
    assert page.status_code == 200
    assert "12345678" not in page.content.decode()

    page = staff_client("Support").get(answers)
    assert "12345678" in page.content.decode()


def test_an_invalid_pattern_is_refused_in_the_admin(student_code):
    field = EligibilityField(campaign=student_code.campaign, label_nl="Kaart", pattern="[0-9")
    with pytest.raises(ValidationError) as refused:
        field.full_clean()
    assert "pattern" in refused.value.message_dict
