"""The sponsor portal: own campaigns only, behind a second factor, counts without people, every action logged."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import UserFactory
from orders.tests.factories import OrderFactory, OrderLineFactory
from promotions.models import PortalAction, Redemption, SponsorMember
from promotions.portal_figures import campaign_figures
from promotions.tests.factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db

DAY1 = datetime.datetime(2026, 10, 5, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def campaign():
    return CampaignFactory(starts_at=DAY1 - datetime.timedelta(days=30), ends_at=DAY1 + datetime.timedelta(days=90))


@pytest.fixture
def member(client, activate_totp, campaign):
    user = UserFactory()
    SponsorMember.objects.create(sponsor=campaign.sponsor, user=user)
    activate_totp(user)
    client.force_login(user)
    return user


def redeemed_orders(campaign, count, *, at=DAY1, postal_code="9000", status="shipped", **order_fields):
    """``count`` customers who each ordered with a code of the campaign, at ``at``."""
    for _ in range(count):
        with time_machine.travel(at, tick=False):
            user = UserFactory()
            order = OrderFactory(user=user, status=status, ship_postal_code=postal_code, placed_at=at, **order_fields)
            OrderLineFactory(order=order, quantity=20)
            code = CodeFactory(campaign=campaign, used=1)
            Redemption.objects.create(code=code, campaign=campaign, user=user, order=order)
    campaign.redeemed += count
    campaign.save()


def test_a_contact_person_sees_the_campaign_s_figures_and_every_visit_is_logged(client, member, campaign):
    redeemed_orders(campaign, 6)
    CodeFactory.create_batch(4, campaign=campaign)  # handed out, not used
    overview = client.get(reverse("portal:overview"))
    assert campaign.name in overview.content.decode()
    page = client.get(reverse("portal:campaign", args=[campaign.pk])).content.decode()
    assert "<dd>10</dd>" in page  # codes issued
    assert "<dd>6</dd>" in page  # codes redeemed, orders
    assert "<dd>4</dd>" in page  # codes remaining
    assert "<dd>120</dd>" in page  # products shipped: 6 x 20 prints
    assert "Oost-Vlaanderen" in page  # 9000 Gent
    assert "2026-10-05" in page
    actions = list(PortalAction.objects.order_by("at").values_list("user", "kind", "campaign"))
    assert actions == [(member.pk, "overview", None), (member.pk, "campaign", campaign.pk)]


def test_no_figure_is_shown_for_fewer_than_five_people(client, member, campaign):
    redeemed_orders(campaign, 5, postal_code="2000")  # Antwerp: five people
    redeemed_orders(campaign, 2, postal_code="3500", at=DAY1 + datetime.timedelta(days=1))  # Limburg: two
    figures = campaign_figures(campaign)
    regions = {f.label: f.shown for f in figures.per_region}
    assert regions == {"Antwerpen": "5", "Limburg (BE)": "< 5"}
    days = {f.label: f.shown for f in figures.per_day}
    assert days == {"2026-10-05": "5", "2026-10-06": "< 5"}
    csv = client.get(reverse("portal:campaign_csv", args=[campaign.pk])).content.decode("utf-8-sig")
    assert "2026-10-06,< 5" in csv
    assert ",2\r\n" not in csv  # the two of Limburg are never a number


def test_dutch_orders_are_counted_per_province(client, member, campaign):
    """Dutch postcodes give their province (CBS's PC4 table), enclaves included; the figures stay counts of 5 or
    more."""
    dutch = {"ship_country": "NL"}
    redeemed_orders(campaign, 3, postal_code="3011 AA", **dutch)  # Rotterdam
    redeemed_orders(campaign, 2, postal_code="4213 AB", **dutch)  # Dalem: Zuid-Holland amid Gelderland's codes
    redeemed_orders(campaign, 5, postal_code="1012 AB", **dutch)  # Amsterdam
    redeemed_orders(campaign, 1, postal_code="6811 AA", **dutch)  # Arnhem
    figures = campaign_figures(campaign)
    assert {f.label: f.shown for f in figures.per_region} == {
        "Zuid-Holland": "5", "Noord-Holland": "5", "Gelderland": "< 5",
    }  # fmt: skip
    page = client.get(reverse("portal:campaign", args=[campaign.pk])).content.decode()
    assert "Zuid-Holland" in page
    assert "Noord-Holland" in page
    csv = client.get(reverse("portal:campaign_csv", args=[campaign.pk])).content.decode("utf-8-sig")
    assert "Zuid-Holland,5" in csv
    assert "Gelderland,< 5" in csv


def test_a_small_campaign_shows_no_totals_either(member, campaign):
    redeemed_orders(campaign, 3)
    figures = campaign_figures(campaign)
    assert (figures.codes_redeemed.shown, figures.orders.shown, figures.products_shipped.shown) == ("< 5",) * 3


def test_the_csv_has_counts_and_no_customer(client, member, campaign):
    redeemed_orders(campaign, 5)
    response = client.get(reverse("portal:campaign_csv", args=[campaign.pk]))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "Emma" not in text
    assert "@" not in text
    assert "Kerkstraat" not in text
    assert PortalAction.objects.filter(kind="csv", campaign=campaign).count() == 1


def test_another_sponsor_s_campaign_is_not_found(client, member):
    other = CampaignFactory()
    assert client.get(reverse("portal:campaign", args=[other.pk])).status_code == 404
    assert client.get(reverse("portal:campaign_csv", args=[other.pk])).status_code == 404
    assert not PortalAction.objects.filter(campaign=other).exists()


def test_only_contact_people_with_a_second_factor_get_in(client, campaign):
    url = reverse("portal:overview")
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    customer = UserFactory()
    client.force_login(customer)
    assert client.get(url).status_code == 404
    SponsorMember.objects.create(sponsor=campaign.sponsor, user=customer)
    response = client.get(url)
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert not PortalAction.objects.exists()


def test_the_campaign_page_s_queries_do_not_grow_with_orders(client, member, campaign, django_assert_max_num_queries):
    redeemed_orders(campaign, 12, postal_code="8000")
    redeemed_orders(campaign, 6, postal_code="1000", at=DAY1 + datetime.timedelta(days=3))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("portal:campaign", args=[campaign.pk])).status_code == 200


def test_a_contact_person_signing_in_lands_in_the_portal_and_a_shopper_does_not(client, campaign, password):
    contact = UserFactory(password=password)
    SponsorMember.objects.create(sponsor=campaign.sponsor, user=contact)
    page = client.post(reverse("account_login"), {"login": contact.email, "password": password})
    assert page.status_code == 302
    assert page["Location"] == reverse("portal:overview")
    client.logout()
    shopper = UserFactory(password=password)
    page = client.post(reverse("account_login"), {"login": shopper.email, "password": password})
    assert page["Location"] != reverse("portal:overview")
