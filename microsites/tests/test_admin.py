"""Marketing staff set up a sponsor's microsite in the admin; a wrong entry is explained and nothing is lost."""

import pytest
from django.contrib.auth.models import Group

from accounts.tests.factories import UserFactory
from microsites.models import Microsite
from microsites.tests.factories import MicrositeFactory
from orders.tests.factories import FormatFactory
from promotions.tests.factories import CampaignFactory, SponsorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing(client, activate_totp):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Marketing"))
    activate_totp(user)
    client.force_login(user)
    return client


def _form(sponsor, **extra):
    return {
        "sponsor": sponsor.pk,
        "name": "Brand Prints",
        "is_active": "on",
        "slug": "brand",
        "host": "",
        "colour": "#7a1f5c",
        "accent": "#f0b400",
        "headline_nl": "Gratis foto's",
        "headline_fr": "Photos gratuites",
        "headline_en": "Free prints",
        **extra,
    }


def test_marketing_adds_a_site_and_it_answers_on_its_host_at_once(marketing, client):
    campaign = CampaignFactory()
    product = FormatFactory().product
    form = _form(campaign.sponsor, host="Prints.Brand.Example", campaigns=[campaign.pk], products=[product.pk])
    response = marketing.post("/admin/microsites/microsite/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    site = Microsite.objects.get()
    assert site.host == "prints.brand.example"
    assert list(site.campaigns.all()) == [campaign]
    assert "Gratis foto" in client.get("/", HTTP_HOST="prints.brand.example").content.decode()
    listing = marketing.get("/admin/microsites/microsite/").content.decode()
    assert "prints.brand.example · /m/brand/" in listing


def test_a_wrong_colour_host_or_another_sponsor_s_campaign_is_explained(marketing):
    sponsor = SponsorFactory()
    foreign = CampaignFactory()
    form = _form(sponsor, colour="purple", host="https://brand.example/shop", campaigns=[foreign.pk])
    page = marketing.post("/admin/microsites/microsite/add/", form).content.decode()
    assert "#1f6f5c" in page  # the colour's format, with an example
    assert "http://" in page  # the host name's format
    assert str(foreign) in page  # the campaign of another sponsor, named
    assert 'value="Gratis foto&#39;s"' in page  # what was typed is kept
    assert not Microsite.objects.exists()
    own_host = marketing.post("/admin/microsites/microsite/add/", _form(sponsor, host="localhost")).content.decode()
    assert not Microsite.objects.exists()
    assert "localhost" in own_host


def test_support_sees_sites_but_cannot_change_them(client, activate_totp):
    site = MicrositeFactory()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Support"))
    activate_totp(user)
    client.force_login(user)
    assert client.get("/admin/microsites/microsite/").status_code == 200
    page = client.post(f"/admin/microsites/microsite/{site.pk}/change/", _form(site.sponsor, name="Hacked"))
    assert page.status_code == 403
    assert Microsite.objects.get().name == site.name
