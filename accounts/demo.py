"""Demo data of the accounts app, used by ``manage.py seed_demo``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.db import transaction

from accounts import services
from accounts.models import CommunicationPreference, Gender, Language, User

SHOPPER_EMAIL = "shopper@example.com"
SHOPPER_PASSWORD = "demo-shopper-2026"  # noqa: S105 (published demo login)
STAFF_PASSWORD = "demo-staff-2026"  # noqa: S105 (published demo login)
STAFF = [
    # (e-mail, role group or None for the superuser, first name)
    ("admin@example.com", None, "Ada"),
    ("support@example.com", "Support", "Sam"),
    ("privacy@example.com", "Privacy officer", "Pim"),
    ("marketing@example.com", "Marketing", "Mila"),
    ("printlab@example.com", "Print lab", "Lars"),
]


@dataclass
class DemoLogin:
    email: str
    password: str
    role: str
    totp_secret: str = ""


def _user(email: str, password: str, **fields) -> User:
    # A demo account swept by a time-travelling retention run comes back to life.
    fields |= {"is_active": True, "closed_at": None, "anonymised_at": None, "restricted_at": None}
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, **fields)
    else:
        for name, value in fields.items():
            setattr(user, name, value)
        user.set_password(password)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _totp_secret(user: User) -> str:
    """Return the user's TOTP secret, activating a new authenticator the first time."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        return get_mfa_adapter().decrypt(authenticator.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@transaction.atomic
def seed_accounts() -> list[DemoLogin]:
    """Create or refresh the demo shopper and one staff user per role; return their logins."""
    shopper = _user(
        SHOPPER_EMAIL,
        SHOPPER_PASSWORD,
        first_name="Sofie",
        last_name="Peeters",
        gender=Gender.FEMALE,
        language=Language.DUTCH,
        birth_date=datetime.date(1990, 4, 17),
        mobile_phone="+32470123456",
        is_business=True,
        company_name="Peeters Fotografie",
        vat_number="BE0403170701",
    )
    if not shopper.addresses.exists():
        services.address_create(
            user=shopper,
            data={
                "kind": "delivery",
                "full_name": "Sofie Peeters",
                "street_address": "Grote Markt 1",
                "postal_code": "1000",
                "city": "Brussel",
                "country": "BE",
                "phone": "+32470123456",
            },
        )
        services.address_create(
            user=shopper,
            data={
                "kind": "delivery",
                "full_name": "Jan Peeters",
                "street_address": "Damrak 12",
                "postal_code": "1012LG",
                "city": "Amsterdam",
                "country": "NL",
            },
        )
        services.address_create(
            user=shopper,
            data={
                "kind": "billing",
                "full_name": "Sofie Peeters",
                "company": "Peeters Fotografie",
                "street_address": "Meir 50",
                "postal_code": "2000",
                "city": "Antwerpen",
                "country": "BE",
            },
        )
    services.communication_preferences_set(
        user=shopper, choices={"marketing": True}, via=CommunicationPreference.Source.SIGNUP
    )
    logins = [DemoLogin(SHOPPER_EMAIL, SHOPPER_PASSWORD, "shopper")]

    for email, role, first_name in STAFF:
        staff = _user(
            email,
            STAFF_PASSWORD,
            first_name=first_name,
            last_name="Demo",
            language=Language.ENGLISH,
            is_staff=True,
            is_superuser=role is None,
        )
        if role:
            staff.groups.set([Group.objects.get(name=role)])
        logins.append(DemoLogin(email, STAFF_PASSWORD, role or "superuser", _totp_secret(staff)))
    return logins
