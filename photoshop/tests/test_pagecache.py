"""A customer's own pages kept rendered (photoshop.pagecache): served again only while nothing they show changed.

Each test looks at what a shopper would see: the page after a change made by
them, by staff, by the system (a sweep's set-based UPDATE, raw SQL, another
account's write) shows the change at once; a page is served from the cache
(no query beyond the session's user) only while nothing changed.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import UserFactory
from orders.models import CartLine, Format, Order, OrderStatus
from orders.services.catalogue import catalogue_version_bump
from orders.tests.factories import (
    CartFactory,
    CartLineFactory,
    FormatFactory,
    OrderFactory,
    ProductFactory,
    VatRateFactory,
)
from photos.tests.factories import PhotoFactory
from photoshop import pagecache

pytestmark = pytest.mark.django_db

KEPT_QUERIES = 1  # the session's user: the rest of a kept page comes from the cache
PROFILE = {"first_name": "Emma", "last_name": "Peeters", "gender": "", "language": "en", "birth_date": ""}
PROFILE |= {"mobile_phone": "", "company_name": "", "vat_number": ""}
CACHED_PAGES = ["orders:cart", "photos:gallery", "orders:order_list", "accounts:profile"]


def en(name: str) -> str:
    with translation.override("en"):
        return reverse(name)


def queries_for(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.fixture
def shop(user):
    VatRateFactory()
    fmt = FormatFactory(product=ProductFactory(slug="classic"), code="10x15", price_cents=39)
    photo = PhotoFactory(user=user, width_px=1800, height_px=1200, filename="beach.jpg")
    cart = CartFactory(user=user)
    CartLineFactory(cart=cart, format=fmt, photo=photo, quantity=2)
    order = OrderFactory(user=user, number="PS-00000042")
    return {"fmt": fmt, "photo": photo, "cart": cart, "order": order}


def same_page(one: str, other: str) -> bool:
    """Whether two renders show the same page: each render masks the CSRF token anew."""
    token = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+')
    return token.sub(r"\1", one) == token.sub(r"\1", other)


def assert_served_from_cache(client, url: str) -> str:
    """The second view of an unchanged page is the kept one: it asks the database for the signed-in user only."""
    client.get(url)  # a first view may set the CSRF cookie: a response that sets a cookie is not kept
    first, _ = queries_for(client, url)
    again, count = queries_for(client, url)
    assert again == first
    assert count <= KEPT_QUERIES, f"{url} was rendered again ({count} queries) though nothing changed"
    return again


@pytest.mark.parametrize("name", CACHED_PAGES)
def test_each_page_is_kept_until_something_changes(shopper_client, shop, name):
    assert_served_from_cache(shopper_client, en(name))


def test_a_line_added_from_the_gallery_shows_in_the_kept_cart(shopper_client, shop, user):
    url = en("orders:cart")
    assert "€ 0,78" in assert_served_from_cache(shopper_client, url)  # 2 x € 0,39
    other = PhotoFactory(user=user, width_px=1800, height_px=1200)
    shopper_client.post(en("orders:cart_add"), {"format": shop["fmt"].pk, "photos": [str(other.pk)]})
    assert "€ 1,17" in shopper_client.get(url).content.decode()


def test_a_status_set_by_a_set_based_update_shows_at_once(shopper_client, shop):
    url = en("orders:order_list")
    assert "Placed" in assert_served_from_cache(shopper_client, url)
    Order.objects.filter(pk=shop["order"].pk).update(status=OrderStatus.SHIPPED)  # as a sweep or staff action does
    assert "Shipped" in shopper_client.get(url).content.decode()


def test_a_change_made_in_raw_sql_shows_at_once(shopper_client, shop):
    url = en("orders:cart")
    assert_served_from_cache(shopper_client, url)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE orders_cartline SET quantity = 5 WHERE cart_id = %s", [shop["cart"].pk.hex])
    assert "€ 1,95" in shopper_client.get(url).content.decode()  # 5 x € 0,39


def test_a_catalogue_price_change_shows_in_the_kept_cart(shopper_client, shop):
    url = en("orders:cart")
    assert_served_from_cache(shopper_client, url)
    Format.objects.filter(pk=shop["fmt"].pk).update(price_cents=50)
    catalogue_version_bump()
    assert "€ 1,00" in shopper_client.get(url).content.decode()


def test_a_write_rolled_back_changes_nothing_shown(shopper_client, shop):
    url = en("orders:cart")
    before = assert_served_from_cache(shopper_client, url)

    def change_then_fail() -> None:
        with transaction.atomic():
            CartLine.objects.filter(cart=shop["cart"]).update(quantity=9)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert same_page(shopper_client.get(url).content.decode(), before)


def test_another_accounts_own_writes_leave_this_accounts_pages_kept(shopper_client, shop):
    url = en("orders:cart")
    someone = UserFactory()
    assert_served_from_cache(shopper_client, url)
    with pagecache.writes_for(someone.pk):
        CartFactory(user=someone)
    _content, count = queries_for(shopper_client, url)
    assert count <= KEPT_QUERIES


def test_a_write_while_the_page_renders_is_not_hidden_by_the_kept_copy(rf, shop, user):
    """A page rendered from data read before a write must not be served after it."""
    from django.contrib.sessions.backends.cache import SessionStore

    order = shop["order"]
    seen = []

    @pagecache.cached_per_account
    def view(request):
        from django.http import HttpResponse

        status = Order.objects.get(pk=order.pk).status
        if not seen:  # the first render: someone ships the order after it was read
            Order.objects.filter(pk=order.pk).update(status=OrderStatus.SHIPPED)
        seen.append(status)
        return HttpResponse(status)

    def request():
        req = rf.get("/orders/")
        req.user = user
        req.session = session
        req.COOKIES["sessionid"] = "x"
        return req

    session = SessionStore()
    assert view(request()).content == b"placed"
    assert view(request()).content == b"shipped"
    assert view(request()).content == b"shipped"
    assert seen == ["placed", "shipped"]  # the third was the kept copy of the second


def test_pages_of_two_shoppers_never_mix(client, shop, user):
    other = UserFactory()
    OrderFactory(user=other, number="PS-00000077")
    client.force_login(user)
    assert "PS-00000042" in client.get(en("orders:order_list")).content.decode()
    client.force_login(other)
    page = client.get(en("orders:order_list")).content.decode()
    assert "PS-00000077" in page
    assert "PS-00000042" not in page


def test_each_language_is_kept_apart(shopper_client, shop):
    with translation.override("fr"):
        french = reverse("orders:order_list")
    assert "Placed" in shopper_client.get(en("orders:order_list")).content.decode()
    assert "Placed" not in shopper_client.get(french).content.decode()


def test_a_message_is_shown_once_and_then_gone(shopper_client, shop):
    url = en("accounts:profile")
    assert_served_from_cache(shopper_client, url)
    response = shopper_client.post(url, PROFILE, follow=True)
    assert "Your profile has been saved." in response.content.decode()
    page = shopper_client.get(url).content.decode()
    assert "Your profile has been saved." not in page
    assert 'value="Peeters"' in page


def test_a_page_kept_yesterday_is_rendered_again_today(shopper_client, shop, travel):
    url = en("orders:order_list")
    travel(datetime.datetime(2026, 11, 25, 23, 59, tzinfo=datetime.UTC))
    assert_served_from_cache(shopper_client, url)
    travel(datetime.datetime(2026, 11, 26, 23, 59, tzinfo=datetime.UTC))
    _content, count = queries_for(shopper_client, url)
    assert count > KEPT_QUERIES


def test_a_closed_or_erased_account_s_kept_pages_are_never_served(shopper_client, shop, user):
    url = en("orders:order_list")
    assert_served_from_cache(shopper_client, url)
    pagecache.forget(user.pk)
    _content, count = queries_for(shopper_client, url)
    assert count > KEPT_QUERIES


def kept_pages() -> list[str]:
    from django.core.cache import cache

    return [key for key in cache._cache if "pagecache:page:" in key]


def test_visitors_pages_and_posts_are_never_kept(client, shop, user):
    client.get(en("orders:cart"))
    client.get(en("orders:cart"))
    assert kept_pages() == []
    client.force_login(user)
    client.post(en("accounts:profile"), PROFILE)
    assert kept_pages() == []


def test_no_cached_page_reads_a_table_whose_writes_are_not_watched(shopper_client, shop):
    """UNSHOWN_TABLES renew no stamp: a cached page reading one of them could go stale."""
    read: set[str] = set()
    for name in CACHED_PAGES:
        pagecache.forget(shop["cart"].user_id)
        with CaptureQueriesContext(connection) as queries:
            assert shopper_client.get(en(name)).status_code == 200
        for query in queries.captured_queries:
            read |= {t.lower() for t in re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', query["sql"], re.I)}
    assert read, "no query captured"
    assert not read & pagecache.UNSHOWN_TABLES - {"accounts_session", "django_session"}


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('SELECT "orders_order"."id" FROM "orders_order"', False),
        ("SAVEPOINT s1", False),
        ('UPDATE "orders_order" SET "status" = %s', True),
        ('INSERT INTO "photos_photo" ("id") VALUES (%s)', True),
        ('DELETE FROM "orders_cartline" WHERE 1', True),
        ("WITH due AS (SELECT 1) UPDATE orders_order SET status = 'x'", True),
        ("CREATE TEMPORARY TABLE t AS SELECT 1", True),
        ("SELECT promotions_redeem(%s, %s)", True),
        ('INSERT INTO "photoshop_outboxmessage" ("task") VALUES (%s)', False),
        ('UPDATE "accounts_session" SET "session_data" = %s', False),
    ],
)
def test_which_statements_count_as_writes(sql, writes):
    assert pagecache.writes(sql) is writes


def test_a_visitors_own_rows_leave_customers_pages_kept(shopper_client, shop):
    url = en("orders:cart")
    assert_served_from_cache(shopper_client, url)
    with pagecache.writes_for(None):  # what the photo and cart services say for a visitor's own rows
        CartFactory(user=None, session_key="visitor-session")
    _content, count = queries_for(shopper_client, url)
    assert count <= KEPT_QUERIES


def test_a_shared_row_written_for_one_account_renews_everyones_pages(shopper_client, shop):
    """A campaign's or a product's row belongs to no account: writing it renews every kept page."""
    url = en("orders:cart")
    someone = UserFactory()
    assert_served_from_cache(shopper_client, url)
    with pagecache.writes_for(someone.pk):
        Format.objects.filter(pk=shop["fmt"].pk).update(price_cents=45)
    _content, count = queries_for(shopper_client, url)
    assert count > KEPT_QUERIES


def test_a_new_release_renders_every_page_again(shopper_client, shop, settings):
    url = en("orders:order_list")
    settings.RELEASE = "release-1"
    assert_served_from_cache(shopper_client, url)
    settings.RELEASE = "release-2"
    _content, count = queries_for(shopper_client, url)
    assert count > KEPT_QUERIES


def test_without_a_release_setting_the_code_s_files_stand_for_it(settings):
    settings.RELEASE = ""
    token = pagecache.release()
    assert re.fullmatch(r"[0-9a-f]{16}", token)
    pagecache.release.cache_clear()
    assert pagecache.release() == token  # the same files and settings give the same token in every process
    settings.PRIVACY_RETENTION_PRESET = "stampix"
    assert pagecache.release() != token  # a setting changed: pages are rendered again


# ---------------------------------------------------------------- visitors' pages


def visitor_page(url: str):
    """A new visitor's view of a page: a browser without cookies."""
    from django.test import Client

    browser = Client()
    return browser, browser.get(url)


def token_in(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("name", ["home", "orders:catalogue", "privacy:policy", "account_login"])
def test_a_visitors_page_is_kept_and_each_visitor_gets_a_token_of_their_own(db, name):
    url = en(name)
    visitor_page(url)  # the first view of the policy page publishes the version in force: not kept
    _first, rendered = visitor_page(url)
    _browser, kept = visitor_page(url)
    assert not kept.templates, f"{url} was rendered again though nothing changed"
    page, other = kept.content.decode(), rendered.content.decode()
    assert pagecache.CSRF_PLACEHOLDER not in page
    assert token_in(page) != token_in(other)
    assert same_page(page, other)
    assert settings_csrf_cookie() in kept.cookies  # the visitor's CSRF cookie is set as on any page


def settings_csrf_cookie() -> str:
    from django.conf import settings

    return settings.CSRF_COOKIE_NAME


def test_the_token_in_a_kept_sign_in_page_is_accepted_for_its_visitor(db, user):
    from django.test import Client

    visitor_page(en("account_login"))  # someone else's view keeps the page
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(en("account_login"))
    assert not page.templates
    answer = browser.post(
        en("account_login"),
        {"csrfmiddlewaretoken": token_in(page.content.decode()), "login": user.email, "password": "wrong"},
    )
    assert answer.status_code == 200  # the form's error, not a CSRF refusal (403)
    assert "are not correct" in answer.content.decode()


def test_a_new_policy_version_shows_at_once_to_visitors(db):
    from privacy.models import PolicyVersion

    url = en("privacy:policy")
    visitor_page(url)
    visitor_page(url)
    _browser, kept = visitor_page(url)
    assert not kept.templates
    PolicyVersion.objects.update(published_at=timezone.now())  # as publishing a new version writes
    _browser, fresh = visitor_page(url)
    assert fresh.templates  # the shop's data changed: rendered again


def test_a_catalogue_edit_shows_at_once_on_a_kept_product_page(db):
    VatRateFactory()
    fmt = FormatFactory(product=ProductFactory(slug="classic", is_active=True), code="10x15", price_cents=39)
    with translation.override("en"):
        url = reverse("orders:product", kwargs={"slug": "classic"})
    visitor_page(url)
    _browser, kept = visitor_page(url)
    assert not kept.templates
    Format.objects.filter(pk=fmt.pk).update(price_cents=55)
    catalogue_version_bump()
    _browser, fresh = visitor_page(url)
    assert "0,55" in fresh.content.decode()


def test_a_visitor_with_a_session_or_a_message_gets_the_page_rendered(client, shop):
    url = en("home")
    visitor_page(url)
    client.get(en("orders:cart"))
    client.cookies[settings_csrf_cookie()] = "x" * 32
    from django.conf import settings

    client.cookies[settings.SESSION_COOKIE_NAME] = "some-session"
    assert client.get(url).templates


def test_staff_can_make_every_kept_page_render_anew_after_editing_the_database_by_hand(shopper_client, shop):
    from django.core.management import call_command

    url = en("orders:order_list")
    assert_served_from_cache(shopper_client, url)
    call_command("pages_forget")
    _content, count = queries_for(shopper_client, url)
    assert count > KEPT_QUERIES


def test_an_erased_account_s_kept_pages_are_deleted_from_the_cache(shopper_client, shop, user):
    from accounts.services import account_erase

    for name in CACHED_PAGES:
        shopper_client.get(en(name))
        shopper_client.get(en(name))
    assert any(f"pagecache:page:{user.pk}:" in key for key in kept_pages())
    account_erase(user=user)
    assert not any(f"pagecache:page:{user.pk}:" in key for key in kept_pages())
