"""Who reaches what: every URL of the site, walked from the URLconf, for every role.

Roles: a visitor, shopper A (who owns the objects in the URLs), shopper B, each
staff role (with its second factor), and two sponsors' contact people. Each URL
name has its expected answer per role in ``SITE``; a URL added to the site and
not to this table fails ``test_every_url_of_the_site_is_in_the_matrix``, so no
page goes unchecked. Another shopper, a staff member outside the admin or a
sponsor asking for shopper A's objects gets a 404: the same answer as for an
object that does not exist. Two staff roles read a customer's files outside
the admin because their job needs it (support an invoice, support and the
privacy officer a photo), and each such read is in the access log (PIX-9).
The admin is walked from its registry: each staff role reaches the lists its
job needs (``ADMIN``) and nothing else.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.tests.factories import AddressFactory, UserFactory
from microsites.tests.factories import MicrositeFactory
from orders.models import CartLine, Creation, CreationPage, OrderStatus
from orders.services.invoices import invoice_issue
from orders.tests.factories import (
    CartFactory,
    CartLineFactory,
    FormatFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)
from photos.tests.factories import AlbumFactory, PhotoFactory
from privacy.policy import current_version
from promotions.models import SponsorMember
from promotions.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

VISITOR, SHOPPER_A, SHOPPER_B = "visitor", "shopper A", "shopper B"
STAFF = {
    "support": "Support",
    "privacy officer": "Privacy officer",
    "marketing": "Marketing",
    "print lab": "Print lab",
}
SPONSOR_X, SPONSOR_Y = "sponsor X", "sponsor Y"
ROLES = [VISITOR, SHOPPER_A, SHOPPER_B, *STAFF, SPONSOR_X, SPONSOR_Y]
SIGNED_IN = [role for role in ROLES if role != VISITOR]

LOGIN = "login"  # a redirect to the sign-in page, coming back afterwards
AWAY = "away"  # a redirect elsewhere (a signed-in person on the sign-in page, ...)


def everyone(status: Any) -> dict[str, Any]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: Any = 200, *, visitor: Any = LOGIN) -> dict[str, Any]:
    """A page of one's own account: the visitor is sent to sign in."""
    return {**everyone(status), VISITOR: visitor}


def owner_only(status: Any = 200, *, visitor: Any = LOGIN) -> dict[str, Any]:
    """Shopper A's object: anyone else signed in gets the 404 of an object that does not exist."""
    return {**signed_in(404, visitor=visitor), SHOPPER_A: status}


def signed_out(status: Any = 200) -> dict[str, Any]:
    """A page for signing in or up: whoever is signed in already is sent on."""
    return {**everyone(AWAY), VISITOR: status}


def staff_only(staff: dict[str, Any]) -> dict[str, Any]:
    return {**signed_in(LOGIN), **staff}


def sponsor_x_only() -> dict[str, Any]:
    return {**signed_in(404), SPONSOR_X: 200}


@dataclass
class World:
    """Shopper A's objects (and the sponsors') that the URLs name."""

    a: Any
    photo: Any
    album: Any
    address: Any
    order: Any
    cart_line: Any
    creation: Any
    campaign_x: Any
    microsite: Any
    product: Any
    policy: Any


# Staff whose job includes looking at photos (a complaint about a print, a privacy request);
# each look is in the access log (test_staff_reading_a_customers_file_is_in_the_access_log).
STAFF_READING_PHOTOS = {"support": 200, "privacy officer": 200}

# URL name -> (arguments from the world, expected answer per role to a GET).
# Forms that only take a POST answer 405 to a GET, after the sign-in check.
SITE: dict[str, tuple[Any, dict[str, Any]]] = {
    # Public pages.
    "home": (None, everyone(200)),
    "contact": (None, everyone(200)),
    "contact_sent": (None, everyone(200)),
    "privacy:policy": (None, everyone(200)),
    "privacy:policy_version": (lambda w: [w.policy.number], everyone(200)),
    "privacy:cookies": (None, everyone(200)),
    "privacy:cookie_choice": (None, everyone(405)),
    "privacy:request": (None, everyone(200)),
    "privacy:request_sent": (None, everyone(200)),
    "privacy:request_confirm": (lambda w: ["forged-token"], everyone(404)),
    "orders:catalogue": (None, everyone(200)),
    "orders:product": (lambda w: [w.product.slug], everyone(200)),
    "orders:product_image": (lambda w: [999999, "missing.jpg"], everyone(404)),
    "orders:order_guest": (lambda w: ["forged-token"], everyone(404)),
    "orders:unsubscribe": (lambda w: ["forged-token"], everyone(404)),
    "microsites:style": (lambda w: [w.microsite.slug, f"{w.microsite.updated_at:%Y%m%d%H%M%S%f}"], everyone(200)),
    "microsites:logo": (lambda w: [w.microsite.slug, "logo.png"], everyone(404)),
    "set_language": (None, everyone(405)),
    "stripe_webhook": (None, everyone(405)),
    # Signing in and up.
    "account_login": (None, signed_out()),
    "account_signup": (None, signed_out()),
    "account_reset_password": (None, everyone(200)),
    "account_reset_password_done": (None, everyone(200)),
    "account_reset_password_from_key": (lambda w: ["0", "forged-key"], everyone(200)),
    "account_reset_password_from_key_done": (None, everyone(200)),
    "account_confirm_email": (lambda w: ["forged-key"], everyone(200)),
    "account_email_verification_sent": (None, everyone(200)),
    "account_confirm_login_code": (None, everyone(AWAY)),
    "account_inactive": (None, everyone(200)),
    "account_logout": (None, signed_in(200, visitor=AWAY)),
    "mfa_authenticate": (None, everyone(AWAY)),
    "socialaccount_login_cancelled": (None, everyone(200)),
    "socialaccount_login_error": (None, everyone(401)),
    "socialaccount_signup": (None, everyone(AWAY)),
    "google_login": (None, everyone(404)),
    "google_callback": (None, everyone(404)),
    "google_login_by_token": (None, everyone(404)),
    "facebook_login": (None, everyone(404)),
    "facebook_callback": (None, everyone(404)),
    "facebook_login_by_token": (None, everyone(404)),
    "instagram_login": (None, everyone(404)),
    "instagram_callback": (None, everyone(404)),
    # One's own account.
    "accounts:profile": (None, signed_in()),
    "accounts:addresses": (None, signed_in()),
    "accounts:address_create": (None, signed_in()),
    "accounts:address_edit": (lambda w: [w.address.pk], owner_only()),
    "accounts:address_delete": (lambda w: [w.address.pk], owner_only()),
    "accounts:preferences": (None, signed_in()),
    "accounts:delete": (None, signed_in()),
    "accounts:delete_confirm": (lambda w: ["forged-token"], signed_in(400)),
    "account_reauthenticate": (None, signed_in()),
    "account_email": (None, signed_in()),
    "account_change_password": (None, signed_in()),
    "account_set_password": (None, signed_in(AWAY)),
    "mfa_index": (None, signed_in()),
    "mfa_reauthenticate": (None, signed_in(200) | {SHOPPER_A: AWAY, SHOPPER_B: AWAY}),
    "mfa_activate_totp": (None, signed_in(AWAY)),  # asks to confirm the password first
    "mfa_deactivate_totp": (None, signed_in(AWAY) | {SHOPPER_A: 404, SHOPPER_B: 404}),
    "mfa_view_recovery_codes": (None, signed_in(404)),  # none made in this world
    "mfa_generate_recovery_codes": (None, signed_in(AWAY)),
    "mfa_download_recovery_codes": (None, signed_in(404)),
    "socialaccount_connections": (None, signed_in()),
    "privacy:my_data": (None, signed_in()),
    "privacy:export_download": (lambda w: ["forged-token"], signed_in(410)),
    # Photos: the visitor has a gallery of their own (kept in the session).
    "photos:gallery": (None, everyone(200)),
    "photos:upload": (None, everyone(405)),
    "photos:presign": (None, everyone(405)),
    "photos:complete": (None, everyone(405)),
    "photos:status": (None, everyone(200)),
    "photos:consents": (None, signed_in()),
    "photos:detail": (lambda w: [w.photo.pk], owner_only(visitor=404)),
    "photos:delete": (lambda w: [w.photo.pk], owner_only(visitor=404)),
    "photos:file": (lambda w: [w.photo.pk, "original"], owner_only(visitor=404) | STAFF_READING_PHOTOS),
    "photos:album_delete": (lambda w: [w.album.pk], owner_only(visitor=404)),
    # The cart and checkout: a visitor has a cart of their own too.
    "orders:cart": (None, everyone(200)),
    "orders:cart_add": (None, everyone(405)),
    "orders:cart_line_update": (lambda w: [w.cart_line.pk], everyone(405)),
    "orders:cart_line_remove": (lambda w: [w.cart_line.pk], everyone(405)),
    "orders:checkout": (None, everyone(302) | {SHOPPER_A: 200}),  # an empty cart goes back to the cart
    "promotions:code_apply": (None, everyone(405)),
    "promotions:code_remove": (None, everyone(405)),
    "orders:order_pay": (lambda w: [w.order.pk], owner_only(302, visitor=404)),
    "orders:order_return": (lambda w: [w.order.pk], owner_only(visitor=404)),
    "orders:invoice_download": (
        lambda w: [w.order.pk],
        owner_only(visitor=404) | {"support": 200},
    ),  # support sends copies
    # Orders and creations of one's own.
    "orders:order_list": (None, signed_in()),
    "orders:order_detail": (lambda w: [w.order.pk], owner_only()),
    "orders:order_reorder": (lambda w: [w.order.pk], signed_in(405)),
    "orders:creation_list": (None, signed_in()),
    "orders:creation_suggest": (None, everyone(405)),
    "orders:creation_detail": (lambda w: [w.creation.pk], owner_only()),
    "orders:creation_page_move": (lambda w: [w.creation.pk, 1], everyone(405)),
    "orders:creation_page_swap": (lambda w: [w.creation.pk, 1], everyone(405)),
    "orders:creation_add_to_cart": (lambda w: [w.creation.pk], everyone(405)),
    "orders:creation_dismiss": (lambda w: [w.creation.pk], everyone(405)),
    # The sponsor portal: a sponsor's own campaigns; anyone else as if it did not exist.
    "portal:overview": (None, sponsor_x_only() | {SPONSOR_Y: 200}),
    "portal:campaign": (lambda w: [w.campaign_x.pk], sponsor_x_only()),
    "portal:campaign_csv": (lambda w: [w.campaign_x.pk], sponsor_x_only()),
    # Staff, outside the admin's registry.
    "privacy_records_of_processing": (lambda w: ["csv"], signed_in(403) | {"privacy officer": 200}),
}

# The admin lists each staff role opens ("v") and those it may add to ("a"): what its job needs.
# Support answers customers about their accounts, orders and codes; the privacy officer handles
# requests, the registers and erasure; marketing runs the catalogue and the campaigns; the print
# lab its batches. Everything else in the admin is a 403 for them.
ADMIN: dict[str, dict[str, str]] = {
    "support": {
        "account.emailaddress": "v",
        "accounts.accountevent": "v",
        "accounts.contactthread": "v",
        "accounts.user": "v",
        "django_celery_results.taskresult": "v",
        "microsites.microsite": "v",
        "orders.order": "v",
        "orders.shippingmethod": "v",
        "photos.photo": "v",
        "promotions.advertdecision": "v",
        "promotions.code": "v",
        "promotions.redemption": "v",
    },
    "privacy officer": {
        "account.emailaddress": "v",
        "accounts.accountdeletion": "v",
        "accounts.accountevent": "v",
        "accounts.user": "v",
        "django_celery_results.taskresult": "v",
        "orders.order": "v",
        "photos.photo": "v",
        "privacy.accesslogentry": "v",
        "privacy.breach": "va",
        "privacy.cookieconsent": "v",
        "privacy.policyversion": "v",
        "privacy.privacyrequest": "va",
        "privacy.sweeprun": "v",
    },
    "marketing": {
        "microsites.microsite": "va",
        "orders.format": "va",
        "orders.product": "va",
        "orders.shippingmethod": "va",
        "orders.vatrate": "va",
        "promotions.campaign": "va",
        "promotions.code": "v",
        "promotions.redemption": "v",
        "promotions.sponsor": "va",
    },
    "print lab": {
        "django_celery_results.taskresult": "v",
        "orders.labexport": "v",
        "orders.laborder": "v",
    },
}


def walk(patterns, prefix: str = "") -> list[str]:
    """Return the name of every URL of the site outside the admin (namespaced as ``reverse`` takes it)."""
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names += walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(prefix + pattern.name)
    return names


def unnamed(patterns) -> list[str]:
    """Return the routes without a name (redirects), which ``walk`` cannot reverse."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            found += [f"{pattern.pattern}{inner}" for inner in unnamed(pattern.url_patterns)]
        elif not pattern.name:
            found.append(str(pattern.pattern))
    return found


def test_every_url_of_the_site_is_in_the_matrix():
    walked = set(walk(get_resolver().url_patterns))
    assert walked - set(SITE) == set(), "new URLs: give each its expected answer per role in SITE"
    assert set(SITE) - walked == set(), "URLs gone from the site: remove them from SITE"
    # The unnamed routes are redirects only: the admin's own sign-in and allauth's old social paths.
    assert sorted(unnamed(get_resolver().url_patterns)) == [
        "accounts/social/connections/",
        "accounts/social/login/cancelled/",
        "accounts/social/login/error/",
        "accounts/social/signup/",
        "admin/login/",
    ]


@pytest.fixture
def world(activate_totp) -> World:
    a = UserFactory(email="a@example.com")
    product = ProductFactory(slug="prints")
    fmt = FormatFactory(product=product)
    photo = PhotoFactory(user=a)
    album = AlbumFactory(user=a)
    order = OrderFactory(user=a, status=OrderStatus.PAID, placed_at=timezone.now())
    OrderLineFactory(order=order, format=fmt, photo=photo)
    invoice_issue(order=order)
    cart_line = CartLineFactory(cart=CartFactory(user=a), photo=photo, format=fmt)
    creation = Creation.objects.create(user=a, format=fmt, title="Holiday")
    CreationPage.objects.create(creation=creation, position=1, photo=photo)
    address = AddressFactory(user=a)
    campaign_x = CampaignFactory(
        starts_at=timezone.now() - datetime.timedelta(days=1), ends_at=timezone.now() + datetime.timedelta(days=30)
    )
    return World(
        a=a,
        photo=photo,
        album=album,
        address=address,
        order=order,
        cart_line=cart_line,
        creation=creation,
        campaign_x=campaign_x,
        microsite=MicrositeFactory(sponsor=campaign_x.sponsor),
        product=product,
        policy=current_version(),
    )


def client_for(role: str, world: World, activate_totp) -> Client:
    """A browser signed in as ``role``: staff and sponsors with their second factor set up."""
    client = Client()
    if role == VISITOR:
        return client
    if role == SHOPPER_A:
        client.force_login(world.a)
        return client
    person = UserFactory(email=f"{role.replace(' ', '-')}@example.com", is_staff=role in STAFF)
    if role in STAFF:
        person.groups.add(Group.objects.get(name=STAFF[role]))
    if role == SPONSOR_X:
        SponsorMember.objects.create(sponsor=world.campaign_x.sponsor, user=person)
    if role == SPONSOR_Y:
        other = CampaignFactory()
        SponsorMember.objects.create(sponsor=other.sponsor, user=person)
    if role in STAFF or role in (SPONSOR_X, SPONSOR_Y):
        activate_totp(person)
    client.force_login(person)
    return client


def answer(response) -> Any:
    """The answer as the matrix writes it: a status, or where a redirect goes."""
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if "/login/" in location and "next=" in location:
            return LOGIN
        if response.status_code == 302 and expected_302(response):
            return 302
        return AWAY
    return response.status_code


def expected_302(response) -> bool:
    """A page that sends on within the same flow (the empty cart's checkout, the order's payment page)."""
    path = response.wsgi_request.path
    return "/checkout/" in path or path.endswith(("/pay/", "/return/"))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_from_every_url(role, world, activate_totp):
    client = client_for(role, world, activate_totp)
    wrong = {}
    for name, (args, expected) in sorted(SITE.items()):
        url = reverse(name, args=args(world) if args else None)
        got = answer(client.get(url))
        if got != expected[role]:
            wrong[name] = f"{name} {url}: expected {expected[role]}, got {got}"
    assert not wrong, "\n".join(wrong.values())


# Forms on shopper A's objects: anyone else posting gets the 404 of an object that does not exist,
# and the object is left as it was.
POSTED_ON_A: dict[str, Any] = {
    "accounts:address_edit": lambda w: [w.address.pk],
    "accounts:address_delete": lambda w: [w.address.pk],
    "photos:delete": lambda w: [w.photo.pk],
    "photos:album_delete": lambda w: [w.album.pk],
    "orders:cart_line_update": lambda w: [w.cart_line.pk],
    "orders:cart_line_remove": lambda w: [w.cart_line.pk],
    "orders:order_reorder": lambda w: [w.order.pk],
    "orders:creation_page_move": lambda w: [w.creation.pk, 1],
    "orders:creation_page_swap": lambda w: [w.creation.pk, 1],
    "orders:creation_add_to_cart": lambda w: [w.creation.pk],
    "orders:creation_dismiss": lambda w: [w.creation.pk],
}


@pytest.mark.parametrize("role", [role for role in ROLES if role != SHOPPER_A])
def test_nobody_else_changes_shopper_a_s_objects(role, world, activate_totp):
    client = client_for(role, world, activate_totp)
    wrong = {}
    for name, args in sorted(POSTED_ON_A.items()):
        url = reverse(name, args=args(world))
        got = answer(client.post(url, {"quantity": "3", "direction": "up", "photo": str(world.photo.pk)}))
        if got not in (404, LOGIN):
            wrong[name] = f"{name} {url}: got {got}"
    assert not wrong, "\n".join(wrong.values())
    world.address.refresh_from_db()
    world.photo.refresh_from_db()
    world.album.refresh_from_db()
    world.cart_line.refresh_from_db()
    world.creation.refresh_from_db()
    assert world.cart_line.quantity == 1
    assert world.creation.status == Creation.Status.SAVED
    assert CartLine.objects.filter(cart__user=world.a).count() == 1


def test_the_owner_s_own_posts_reach_the_objects(world, activate_totp):
    """The same forms work for shopper A: the 404s above are about who asks, not about the forms."""
    client = client_for(SHOPPER_A, world, activate_totp)
    response = client.post(reverse("orders:cart_line_update", args=[world.cart_line.pk]), {"quantity": "3"})
    assert response.status_code == 302
    world.cart_line.refresh_from_db()
    assert world.cart_line.quantity == 3


def admin_models() -> list[str]:
    return sorted(model._meta.label_lower for model in admin.site._registry)


@pytest.mark.parametrize("role", list(STAFF))
def test_each_staff_role_reaches_only_the_admin_lists_its_job_needs(role, world, activate_totp):
    client = client_for(role, world, activate_totp)
    assert client.get(reverse("admin:index")).status_code == 200
    allowed = ADMIN[role]
    assert set(allowed) <= set(admin_models())
    wrong = []
    for label in admin_models():
        app_label, model_name = label.split(".")
        rights = allowed.get(label, "")
        changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
        if changelist.status_code != (200 if "v" in rights else 403):
            wrong.append(f"{label} list: {changelist.status_code}")
        add = client.get(reverse(f"admin:{app_label}_{model_name}_add"))
        if add.status_code != (200 if "a" in rights else 403):
            wrong.append(f"{label} add: {add.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", [VISITOR, SHOPPER_A, SHOPPER_B, SPONSOR_X, SPONSOR_Y])
def test_no_one_but_staff_reaches_the_admin(role, world, activate_totp):
    client = client_for(role, world, activate_totp)
    expected = LOGIN if role == VISITOR else 403  # signed in, but not staff
    for label in ["accounts.user", "orders.order", "privacy.privacyrequest", "promotions.campaign"]:
        app_label, model_name = label.split(".")
        assert answer(client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))) == expected
    assert answer(client.get(reverse("admin:index"))) == expected


@pytest.mark.parametrize("role", list(STAFF))
def test_no_staff_role_opens_another_staff_account(role, world, activate_totp):
    client = client_for(role, world, activate_totp)
    boss = UserFactory(is_staff=True, is_superuser=True, email="boss@staff.example")
    colleague = UserFactory(is_staff=True, email="colleague@staff.example")
    for account in (boss, colleague):
        response = client.get(reverse("admin:accounts_user_change", args=[account.pk]))
        assert response.status_code in (403, 404) or response["Location"] == reverse("admin:index")


def test_staff_without_their_second_factor_reach_no_admin_page(world):
    member = UserFactory(is_staff=True, email="new@staff.example")
    member.groups.add(Group.objects.get(name="Support"))
    client = Client()
    client.force_login(member)
    response = client.get(reverse("admin:orders_order_changelist"))
    assert response.status_code == 302
    assert "/2fa/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "variant", "action"), [("support", "original", "download"), ("privacy officer", "large", "view")]
)
def test_staff_reading_a_customers_file_is_in_the_access_log(role, variant, action, world, activate_totp):
    from privacy.models import AccessLogEntry

    client = client_for(role, world, activate_totp)
    world.photo.thumbnail_large = world.photo.original.name
    world.photo.save(update_fields=["thumbnail_large"])
    assert client.get(reverse("photos:file", args=[world.photo.pk, variant])).status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.subject_id, entry.action, entry.record_type, entry.record_id) == (
        world.a.pk,
        action,
        "photos.Photo",
        str(world.photo.pk),
    )


def test_support_reading_an_invoice_is_in_the_access_log_and_the_owner_s_own_is_not(world, activate_totp):
    from privacy.models import AccessLogEntry

    url = reverse("orders:invoice_download", args=[world.order.pk])
    assert client_for(SHOPPER_A, world, activate_totp).get(url).status_code == 200
    assert not AccessLogEntry.objects.exists()
    assert client_for("support", world, activate_totp).get(url).status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.subject_id, entry.action, entry.record_type) == (world.a.pk, "download", "orders.Invoice")


def test_a_restricted_person_s_photos_are_hidden_from_support_but_not_from_the_privacy_officer(world, activate_totp):
    world.a.processing_restricted_at = timezone.now()
    world.a.save(update_fields=["processing_restricted_at"])
    url = reverse("photos:file", args=[world.photo.pk, "original"])
    assert client_for("support", world, activate_totp).get(url).status_code == 404
    assert client_for("privacy officer", world, activate_totp).get(url).status_code == 200


# Posted without the form's token, every form is refused (403) before it does anything. The
# exceptions carry their own proof: Stripe's signature; the upload's token, checked once the files
# are read; the signed link of a one-click unsubscribe (RFC 8058: the mail client posts it);
# Google's signed ID token (allauth; a 404 while Google sign-in is not configured).
CSRF_EXEMPT = {"stripe_webhook", "photos:upload", "orders:unsubscribe", "google_login_by_token"}


@pytest.mark.parametrize("role", [VISITOR, SHOPPER_A])
def test_every_form_refuses_a_post_without_its_csrf_token(role, world, activate_totp):
    client = client_for(role, world, activate_totp)
    client.handler.enforce_csrf_checks = True
    wrong = []
    for name, (args, _expected) in sorted(SITE.items()):
        if name in CSRF_EXEMPT:
            continue
        url = reverse(name, args=args(world) if args else None)
        response = client.post(url, {"quantity": "2", "choice": "refuse", "code": "X"})
        if response.status_code != 403:
            wrong.append(f"{name} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert world.cart_line.__class__.objects.get(pk=world.cart_line.pk).quantity == 1


def test_the_upload_checks_its_csrf_token_itself(client):
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("photos:upload"), {"files": []})
    assert response.status_code == 403
