"""On a microsite: its campaigns' codes, forms protected against other origins, and orders that record the site."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from microsites.tests.factories import MicrositeFactory
from orders.models import Cart, Order, OrderChannel, OrderStatus
from orders.tests.factories import CartLineFactory, ShippingMethodFactory, VatRateFactory
from promotions.models import Redemption
from promotions.tests.factories import CampaignFactory, CodeFactory
from promotions.tests.test_codes import CHECKOUT_ADDRESS

pytestmark = pytest.mark.django_db

HOST = "prints.brand.example"


@pytest.fixture
def campaign():
    VatRateFactory(kind="print", country="BE", rate_bp=2100)
    VatRateFactory(kind="shipping", country="BE", rate_bp=2100)
    return CampaignFactory(quantity=20, shipping_included=True, web_shop=False)


@pytest.fixture
def site(campaign):
    return MicrositeFactory(
        host=HOST, slug="brand", sponsor=campaign.sponsor, campaigns=[campaign], products=[campaign.format.product]
    )


def test_a_campaign_s_code_works_on_its_site_only(client, site, campaign):
    user = UserFactory()
    client.force_login(user)
    code = CodeFactory(campaign=campaign)
    shop = client.post(reverse("promotions:code_apply"), {"code": code.code}, follow=True)
    assert "Deze code is alleen geldig op de eigen site van de sponsor." in shop.content.decode()
    other_site = MicrositeFactory(host="other.example", slug="other")
    other = client.post(reverse("promotions:code_apply"), {"code": code.code}, HTTP_HOST="other.example", follow=True)
    assert "Deze code is niet geldig op deze site." in other.content.decode()
    assert not Redemption.objects.exists()
    # On the site the code comes first: the customer has no cart yet, one is made for the code.
    page = client.post(reverse("promotions:code_apply"), {"code": code.code}, HTTP_HOST=HOST, follow=True)
    assert page.redirect_chain[-1][0] == reverse("orders:cart")
    assert code.code in page.content.decode()
    assert Redemption.objects.get().cart.user == user
    assert other_site.campaigns.count() == 0


def test_the_site_s_forms_accept_its_own_origin_and_refuse_others(site, campaign):
    user = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    page = browser.get("/", HTTP_HOST=HOST, secure=True)
    token = page.context["csrf_token"]
    code = CodeFactory(campaign=campaign)
    url = reverse("promotions:code_apply")
    evil = browser.post(
        url,
        {"code": code.code, "csrfmiddlewaretoken": token},
        HTTP_HOST=HOST,
        secure=True,
        HTTP_ORIGIN="https://evil.example",
    )
    assert evil.status_code == 403
    ours = browser.post(
        url,
        {"code": code.code, "csrfmiddlewaretoken": token},
        HTTP_HOST=HOST,
        secure=True,
        HTTP_ORIGIN=f"https://{HOST}",
    )
    assert ours.status_code == 302
    assert Redemption.objects.filter(code=code).exists()


def test_an_order_placed_on_the_site_records_it_and_one_in_the_shop_does_not(client, site, campaign):
    user = UserFactory()
    cart = Cart.objects.create(user=user)
    CartLineFactory(cart=cart, format=campaign.format, quantity=20)
    code = CodeFactory(campaign=campaign)
    client.force_login(user)
    client.post(reverse("promotions:code_apply"), {"code": code.code}, HTTP_HOST=HOST)
    shipping = ShippingMethodFactory(country="BE")
    client.post(reverse("orders:checkout"), {**CHECKOUT_ADDRESS, "shipping": shipping.pk}, HTTP_HOST=HOST)
    order = Order.objects.get(user=user)
    assert (order.channel, order.microsite) == (OrderChannel.MICROSITE, site)
    assert order.total_cents == 0
    assert order.status == OrderStatus.PAID

    other = UserFactory()
    CartLineFactory(cart=Cart.objects.create(user=other))
    client.force_login(other)
    client.post(reverse("orders:checkout"), {**CHECKOUT_ADDRESS, "shipping": shipping.pk})
    web = Order.objects.get(user=other)
    assert (web.channel, web.microsite) == (OrderChannel.WEB, None)


def test_a_microsite_orders_e_mails_carry_the_sites_name_and_colour_and_a_shop_order_the_shops(
    django_capture_on_commit_callbacks, mailoutbox
):
    from orders.services.lifecycle import order_transition
    from orders.tests.factories import OrderFactory

    site = MicrositeFactory(name="Studentenraad Gent · foto's", colour="#7a1f5c")
    ours = OrderFactory(channel=OrderChannel.MICROSITE, microsite=site)
    web = OrderFactory()
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=ours, to=OrderStatus.PAID)
        order_transition(order=web, to=OrderStatus.PAID)
    branded, plain = (next(m for m in mailoutbox if m.to == [o.email] and o.number in m.subject) for o in (ours, web))
    html = branded.alternatives[0][0]
    assert "Studentenraad Gent · foto&#x27;s" in html
    assert "background:#7a1f5c" in html
    assert "Studentenraad Gent · foto's" in branded.body
    assert "#7a1f5c" not in plain.alternatives[0][0]
    assert "Studentenraad" not in plain.body
