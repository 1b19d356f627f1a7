"""Personal data of the accounts app, declared for the privacy engine."""

from typing import Any

from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from accounts.models import COMMUNICATION_DEFAULTS
from privacy.registry import Anonymise, Category, LegalBasis, PersonalData, Strategy, register, registry

S = Strategy


def user_triggers(prefix: str = "") -> dict[str, Any]:
    """Return the account's clocks, read from the user row at ``prefix`` (e.g. ``"user__"``).

    For any data that lives and ends with an account. A user who never came
    back counts from the sign-up.
    """
    return {
        "last_activity": lambda: Coalesce(F(f"{prefix}last_activity"), F(f"{prefix}date_joined")),
        "account_closed": F(f"{prefix}closed_at"),
    }


def _record_sweep(**change: Any) -> int:
    """Record what the sweep or an erasure does to accounts, in its transaction and before it.

    An AccountEvent per account (the sweep's own; an erasure writes its own),
    and, where the preset keeps them (STX-5), the mobile numbers as keyed hashes.
    """
    from accounts.services import account_events_record_sweep, phone_verifications_keep

    if change["action"] in ("anonymise", "delete"):
        phone_verifications_keep(rows=change["rows"])
    return account_events_record_sweep(**change)


def _last_message_to(user_ref: str):
    """Return when we last sent the user at ``user_ref`` (an OuterRef path) a message, or NULL."""
    from django.db.models import DateTimeField, Max, OuterRef, Subquery

    from accounts.models import MessageLog

    return Subquery(
        MessageLog.objects.filter(user=OuterRef(user_ref))
        .order_by()
        .values("user")
        .annotate(last=Max("sent_at"))
        .values("last")[:1],
        output_field=DateTimeField(),
    )


def opted_out_of_a_default(prefix: str = "user__") -> Q:
    """Return the preferences that turn off a kind of message sent by default, while the account lives.

    Deleting such a record would bring the default back and subscribe the
    person again, so retention keeps it (the choice, with when and how it was
    made, is what shows it is honoured); it goes with the account.
    """
    defaults_on = [kind for kind, enabled in COMMUNICATION_DEFAULTS.items() if enabled]
    return Q(
        kind__in=defaults_on,
        enabled=False,
        **{f"{prefix}closed_at__isnull": True, f"{prefix}anonymised_at__isnull": True},
    )


register(
    PersonalData(
        model="accounts.User",
        category=Category.ACCOUNT,
        purpose=_("Your account: signing in, your orders, your preferences."),
        record_purpose=_("Providing the customer's account: signing in, orders and preferences."),
        legal_basis=LegalBasis.CONTRACT,
        examples=_("e-mail address, password, name, gender, language, birth date, mobile phone, VAT number"),
        subject="",
        fields=(
            Anonymise("email", S.UNIQUE_PLACEHOLDER, "anonymised-{pk}@anonymised.invalid"),
            Anonymise("password", S.PLACEHOLDER, "!anonymised"),
            Anonymise("first_name", S.BLANK),
            Anonymise("last_name", S.BLANK),
            Anonymise("gender", S.BLANK),
            Anonymise("birth_date", S.GENERALISE_YEAR),
            Anonymise("mobile_phone", S.BLANK),
            Anonymise("company_name", S.BLANK),
            Anonymise("vat_number", S.BLANK),
            Anonymise("last_login", S.NULL),
        ),
        anonymise_also={"is_active": False, "is_business": False},
        audit=lambda **change: _record_sweep(**change),
        triggers=user_triggers(),
        anonymised_marker="anonymised_at",
        restricted_marker="restricted_at",
        # Staff accounts are employment records, handled by hand.
        exclude=Q(is_staff=True) | Q(is_superuser=True),
    )
)

# Staff roles: only staff accounts have them, and those are closed by hand
# (their records are evidence, PIX-2, PIX-9); no customer row links here.
registry.not_personal("accounts.User_groups", "the staff role of a staff account (customers have none)")
registry.not_personal("accounts.User_user_permissions", "permissions of a staff account (customers have none)")

register(
    PersonalData(
        model="accounts.Address",
        category=Category.ACCOUNT,
        purpose=_("Delivering your orders and invoicing them."),
        record_purpose=_("Delivering and invoicing the customer's orders."),
        legal_basis=LegalBasis.CONTRACT,
        examples=_("delivery and billing addresses, phone number"),
        subject="user",
        fields=(
            Anonymise("full_name", S.BLANK),
            Anonymise("company", S.BLANK),
            Anonymise("street_address", S.BLANK),
            Anonymise("address_line2", S.BLANK),
            Anonymise("postal_code", S.BLANK),
            Anonymise("city", S.BLANK),
            Anonymise("country", S.BLANK),
            Anonymise("phone", S.BLANK),
        ),
        anonymise_by_deleting=True,
        triggers=user_triggers("user__"),
        exclude=Q(user__is_staff=True) | Q(user__is_superuser=True),
    )
)

register(
    PersonalData(
        model="accounts.CommunicationPreference",
        category=Category.COMMUNICATION,
        purpose=_("Sending you only the messages you chose."),
        record_purpose=_("Sending the customer only the messages chosen."),
        legal_basis=LegalBasis.CONSENT,
        examples=_("your choices for service messages, news and partner offers, and when you made them"),
        subject="user",
        fields=(
            Anonymise("kind", S.BLANK),
            Anonymise("enabled", S.BLANK),
            Anonymise("changed_at", S.NULL),
            Anonymise("changed_via", S.BLANK),
        ),
        anonymise_by_deleting=True,
        triggers={
            **user_triggers("user__"),
            # SMP-4: from the choice or the last message we sent, whichever is later (not from a sign-in).
            "last_communication": lambda: Greatest(
                F("changed_at"), Coalesce(_last_message_to("user"), F("changed_at"))
            ),
            # PIX-5: an opt-out of news or partner offers needs no record once in force.
            "unsubscribed": lambda: Case(
                When(Q(enabled=False) & ~Q(kind="service"), then=F("changed_at")), default=None
            ),
        },
        objection=opted_out_of_a_default(),
        exclude=Q(user__is_staff=True) | Q(user__is_superuser=True),
    )
)

register(
    PersonalData(
        model="accounts.Session",
        category=Category.VISITOR,
        purpose=_("Remembering your visit: language, basket and uploads before you sign in."),
        record_purpose=_("Remembering a visit: language, basket and uploads before signing in."),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        examples=_("session cookie and the choices made during the visit"),
        subject=None,
        subject_hint=_("the visitor's session cookie"),
        fields=(Anonymise("session_data", S.BLANK),),
        anonymise_by_deleting=True,
        triggers={"session_end": F("modified_at")},
        scope=Q(account__isnull=True),
    )
)

register(
    PersonalData(
        model="accounts.Session",
        category=Category.ACCOUNT,
        purpose=_("Keeping you signed in."),
        record_purpose=_("Keeping the customer signed in."),
        legal_basis=LegalBasis.CONTRACT,
        examples=_("session cookie of a signed-in visit"),
        subject="account",
        fields=(Anonymise("session_data", S.BLANK),),
        anonymise_by_deleting=True,
        triggers=user_triggers("account__"),
        scope=Q(account__isnull=False),
    )
)

# The record of closing or erasing an account (accounts.services). It has no
# personal field of its own, only links: to the account, which an erasure
# anonymises rather than deletes, and to the staff member who acted. It is
# still declared, not listed as non-personal: while the account lives the
# record is about its owner, and the staff link is an access log (PIX-9), so
# it ends 2 years after it was recorded. An erasure deletes the person's
# earlier records with the rest and then writes its own, which names no one.
register(
    PersonalData(
        model="accounts.AccountEvent",
        category=Category.ACCESS_LOG,
        purpose=_("Evidence that an account was closed or erased, when and by whom."),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        examples=_("that your account was closed or erased, when, and which staff member did it"),
        subject="user",
        fields=(),
        triggers={"recorded": F("at")},
    )
)
registry.not_personal(
    "accounts.AccountDeletion",
    "the privacy officer's view of accounts.User (a proxy: the same rows, declared as accounts.User)",
)

register(
    PersonalData(
        model="accounts.PhoneVerification",
        category=Category.PHONE_VERIFICATION,
        purpose=_("Recognising your phone number if you register again after deleting your account."),
        record_purpose=_("Recognising a deleted account's mobile number when it is registered again (a keyed hash)."),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        examples=_("a keyed hash of your mobile number, never the number itself"),
        subject=None,  # linked to no account: only the same number finds it
        fields=(),
        anonymise_by_deleting=True,
        triggers={"last_activity": F("last_activity")},
    )
)

register(
    PersonalData(
        model="accounts.MessageLog",
        category=Category.COMMUNICATION,
        purpose=_("Knowing which messages we sent you and when, so that we keep your choices no longer than needed."),
        record_purpose=_("Logging the messages sent to the customer (kind and moment), from which SMP-4 counts."),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        examples=_("which of our e-mails we sent you and when"),
        subject="user",
        fields=(),
        anonymise_by_deleting=True,
        triggers={
            **user_triggers("user__"),
            "last_communication": lambda: _last_message_to("user"),
        },
        exclude=Q(user__is_staff=True) | Q(user__is_superuser=True),
    )
)

_CONTACT_PURPOSE = _("Answering your questions to customer service.")
_CONTACT_RECORD = _("Answering the customer's questions to customer service.")

register(
    PersonalData(
        model="accounts.ContactThread",
        category=Category.CONTACT,
        purpose=_CONTACT_PURPOSE,
        record_purpose=_CONTACT_RECORD,
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        examples=_("your name, e-mail address and questions, and our answers"),
        subject="user",
        fields=(
            Anonymise("name", S.BLANK),
            Anonymise("email", S.PLACEHOLDER, "anonymised@anonymised.invalid"),
            Anonymise("subject", S.BLANK),
        ),
        anonymise_by_deleting=True,
        triggers={
            **user_triggers("user__"),
            "last_communication": F("last_message_at"),
            "ticket_resolved": F("resolved_at"),
        },
    )
)
register(
    PersonalData(
        model="accounts.ContactMessage",
        category=Category.CONTACT,
        purpose=_CONTACT_PURPOSE,
        record_purpose=_CONTACT_RECORD,
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        subject="thread__user",
        fields=(Anonymise("body", S.BLANK),),
        anonymise_by_deleting=True,
        triggers={
            **user_triggers("thread__user__"),
            "last_communication": F("thread__last_message_at"),
            "ticket_resolved": F("thread__resolved_at"),
        },
    )
)
