"""STX-12: the sponsor's advert for a free product, matched to the customer, and MYS-4's promise of no profiling.

Each decision is kept with the customer's data it used (their access export
shows it); objection, restriction, a guest order or a preset without
profiling give an advert chosen by no target, from no personal data.
"""

import datetime
import io
import json
import zipfile

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.services import account_object_to_profiling
from accounts.tests.factories import UserFactory
from orders.models import Cart, OrderStatus
from orders.services.lab import lab_export_create
from orders.services.lifecycle import order_transition
from orders.tests.factories import FormatFactory, OrderFactory, OrderLineFactory
from photos.tests.factories import PhotoFactory
from privacy.exports import write_export
from promotions.models import AdvertDecision, Campaign, Redemption
from promotions.services import code_redeem
from promotions.tests.factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


def advert(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "orange").save(buffer, "PNG")
    return SimpleUploadedFile(f"{name}.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def fmt():
    return FormatFactory()


@pytest.fixture
def adverts(fmt):
    """Three running campaigns with an advert for the same free product: for French speakers, for Dutch-speaking
    students, and for everyone."""
    back = Campaign.Placement.BACK
    return {
        "fr": CampaignFactory(format=fmt, advert=advert("fr"), advert_placement=back, target_language="fr"),
        "students": CampaignFactory(
            format=fmt,
            advert=advert("students"),
            advert_placement=back,
            target_language="nl",
            target_age_min=18,
            target_age_max=25,
            target_region="BE-VOV",
        ),
        "everyone": CampaignFactory(format=fmt, advert=advert("all"), advert_placement=Campaign.Placement.INSERT),
    }


def paid_with_code(user, fmt, django_capture_on_commit_callbacks, *, campaign=None, **order_fields):
    """An order of free prints with a code of ``campaign`` (one without an advert by default), paid."""
    campaign = campaign or CampaignFactory(format=fmt)
    order = OrderFactory(user=user, **order_fields)
    OrderLineFactory(order=order, format=fmt, photo=PhotoFactory(user=user), quantity=10, fit="crop",
                     crop_left=0.0, crop_top=0.0, crop_right=1.0, crop_bottom=1.0)  # fmt: skip
    if user is not None:
        redemption = code_redeem(
            cart=Cart.objects.create(user=user), user=user, raw_code=CodeFactory(campaign=campaign).code
        )
    else:
        redemption = Redemption.objects.create(code=CodeFactory(campaign=campaign), campaign=campaign)
    Redemption.objects.filter(pk=redemption.pk).update(order=order, cart=None)
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=OrderStatus.PAID)
    return order


def student(**extra):
    born = timezone.localdate() - relativedelta(years=21, days=1)  # 21 years and a day old
    return UserFactory(language="nl", birth_date=born, **extra)


def test_the_advert_is_matched_to_the_customer_and_the_decision_kept_with_what_it_used(
    fmt, adverts, django_capture_on_commit_callbacks
):
    user = student(gender="female")
    order = paid_with_code(user, fmt, django_capture_on_commit_callbacks, ship_postal_code="9000")
    decision = AdvertDecision.objects.get(order=order)
    assert decision.campaign == adverts["students"]
    assert (decision.reason, decision.targeted) == (AdvertDecision.Reason.MATCHED, True)
    # Only the data the targets asked for: not the gender, which no campaign targets.
    assert decision.inputs == {"language": "nl", "age": 21, "region": "BE-VOV"}
    assert set(decision.candidates) == {c.pk for c in adverts.values()}
    # The customer sees the decision and its inputs in their data.
    out = io.BytesIO()
    write_export(user, out)
    with zipfile.ZipFile(out) as archive:
        exported = " ".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".json"))
    assert "BE-VOV" in exported
    assert "matched" in exported


def test_a_dutch_address_meets_its_province_s_target_and_the_netherlands(fmt, django_capture_on_commit_callbacks):
    back = Campaign.Placement.BACK
    south = CampaignFactory(format=fmt, advert=advert("zh"), advert_placement=back, target_region="NL-ZH")
    north = CampaignFactory(format=fmt, advert=advert("nh"), advert_placement=back, target_region="NL-NH")
    holland = CampaignFactory(format=fmt, advert=advert("nl"), advert_placement=back, target_region="NL")
    dutch = {"ship_country": "NL"}
    rotterdam = paid_with_code(UserFactory(), fmt, django_capture_on_commit_callbacks, ship_postal_code="3011 AA",
                               **dutch)  # fmt: skip
    decision = AdvertDecision.objects.get(order=rotterdam)
    assert (decision.campaign, decision.reason, decision.inputs) == (south, "matched", {"region": "NL-ZH"})
    # Between two provinces' codes the province is not guessed: only the campaign for all of the Netherlands fits.
    unknown = paid_with_code(UserFactory(), fmt, django_capture_on_commit_callbacks, ship_postal_code="3390 AA",
                             **dutch)  # fmt: skip
    assert AdvertDecision.objects.get(order=unknown).campaign == holland
    assert north.pk in AdvertDecision.objects.get(order=unknown).candidates


def test_no_target_met_gives_the_advert_for_everyone(fmt, adverts, django_capture_on_commit_callbacks):
    order = paid_with_code(UserFactory(language="en"), fmt, django_capture_on_commit_callbacks)
    decision = AdvertDecision.objects.get(order=order)
    assert (decision.campaign, decision.reason, decision.targeted) == (
        adverts["everyone"], AdvertDecision.Reason.NO_MATCH, False,
    )  # fmt: skip


@pytest.mark.parametrize("how", ["objected", "restricted"])
def test_objection_or_restriction_gives_an_untargeted_advert_from_no_data(
    how, fmt, adverts, django_capture_on_commit_callbacks
):
    user = student()
    if how == "objected":
        account_object_to_profiling(user=user, actor=user)
    else:
        type(user).objects.filter(pk=user.pk).update(processing_restricted_at=datetime.datetime.now(datetime.UTC))
        user.refresh_from_db()
    order = paid_with_code(user, fmt, django_capture_on_commit_callbacks, ship_postal_code="9000")
    decision = AdvertDecision.objects.get(order=order)
    assert decision.campaign == adverts["everyone"]
    assert decision.reason == how
    assert (decision.targeted, decision.inputs) == (False, {})


def test_under_mystamp_no_one_is_profiled_mys4(settings, fmt, adverts, django_capture_on_commit_callbacks):
    settings.PRIVACY_RETENTION_PRESET = "mystamp"
    order = paid_with_code(student(), fmt, django_capture_on_commit_callbacks, ship_postal_code="9000")
    decision = AdvertDecision.objects.get(order=order)
    assert (decision.reason, decision.targeted, decision.inputs) == (AdvertDecision.Reason.NO_PROFILING, False, {})
    assert decision.campaign == adverts["everyone"]


def test_the_sponsor_of_the_free_product_prints_its_own_advert_without_profiling(
    fmt, adverts, django_capture_on_commit_callbacks
):
    own = CampaignFactory(format=fmt, advert=advert("own"), advert_placement=Campaign.Placement.BACK)
    order = paid_with_code(student(), fmt, django_capture_on_commit_callbacks, campaign=own)
    decision = AdvertDecision.objects.get(order=order)
    assert (decision.campaign, decision.reason, decision.inputs) == (own, AdvertDecision.Reason.OWN_SPONSOR, {})


def test_an_order_without_a_code_carries_no_advert(fmt, adverts, django_capture_on_commit_callbacks):
    order = OrderFactory(user=student())
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=OrderStatus.PAID)
    assert not AdvertDecision.objects.filter(order=order).exists()


def test_the_lab_gets_the_advert_with_the_prints(fmt, adverts, django_capture_on_commit_callbacks):
    order = paid_with_code(student(), fmt, django_capture_on_commit_callbacks, ship_postal_code="9000")
    export = lab_export_create(orders=[order])
    with zipfile.ZipFile(export.archive.open("rb")) as archive:
        names = set(archive.namelist())
        ticket = json.loads(archive.read("ticket.json"))
        stored = archive.read(ticket[0]["advert"])
    assert ticket[0]["advert"] == f"adverts/campaign-{adverts['students'].pk}.png"
    assert ticket[0]["advert_placement"] == "back"
    assert ticket[0]["advert"] in names
    assert stored == adverts["students"].advert.open("rb").read()


def test_stx2_the_decision_of_a_microsite_order_goes_at_6_months(fmt, adverts, django_capture_on_commit_callbacks):
    from django.test import TestCase

    from microsites.tests.factories import MicrositeFactory
    from orders.models import OrderChannel
    from privacy.sweep import run_sweep

    order = paid_with_code(
        student(),
        fmt,
        django_capture_on_commit_callbacks,
        channel=OrderChannel.MICROSITE,
        microsite=MicrositeFactory(),
    )
    placed = order.placed_at
    for moment, left in ((placed + relativedelta(months=6, days=-1), 1), (placed + relativedelta(months=6), 0)):
        with time_machine.travel(moment, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
            run_sweep(preset="stampix")
        assert AdvertDecision.objects.filter(order=order).count() == left
