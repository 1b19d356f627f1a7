"""Accounts: the user (e-mail login), delivery/billing addresses, communication preferences."""

from __future__ import annotations

import datetime
import uuid
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from accounts.validators import normalize_postal_code, normalize_vat_number
from privacy.models import RetentionState


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NON_BINARY = "non_binary", _("Non-binary")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields["is_staff"] is not True or extra_fields["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


# Nobody alive is older: an earlier birth date is a typing error (1894 for 1994).
MAX_AGE_YEARS = 120


def oldest_birth_date(today: date) -> date:
    """Return the earliest birth date accepted on ``today`` (MAX_AGE_YEARS ago; 29 February → 1 March)."""
    try:
        return today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:
        return date(today.year - MAX_AGE_YEARS, 3, 1)


# STX-4: what the owner asks to be erased is erased within 48 hours of the request.
ERASURE_WITHIN = datetime.timedelta(hours=48)


class User(AbstractBaseUser, PermissionsMixin, RetentionState):
    """A customer or staff member; the e-mail address is the login."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.DUTCH)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    mobile_phone = PhoneNumberField(_("mobile phone"), blank=True)
    is_business = models.BooleanField(_("business account"), default=False)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Whether the user can log into the admin site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Last login, order, upload or other activity on any channel; retention
    # periods count from it (STX-1, STX-5). Written at most once a day.
    last_activity = models.DateTimeField(_("last activity"), null=True, blank=True, db_index=True)
    # When the account was closed (deleted by its owner); retention rules
    # on account data count from it (STX-4, SMP-2, PIX-6).
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    # When the owner asked for their data to be erased (SMP-9, ALB-3): done
    # within ERASURE_WITHIN of it, whatever the time of day (STX-4).
    erasure_requested_at = models.DateTimeField(_("erasure asked for at"), null=True, blank=True, db_index=True)
    # Restriction of processing (ALB-3): kept, not used. No marketing, service
    # messages or profiling, and hidden from everyday staff views, until lifted.
    processing_restricted_at = models.DateTimeField(_("processing restricted since"), null=True, blank=True)
    # Objection to profiling (ALB-3): no suggestions from their photos, no sponsor matching.
    profiling_objected_at = models.DateTimeField(_("objected to profiling at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # Closing and erasing go through services that leave a record
        # (AccountEvent); no staff role deletes a user row.
        permissions = [
            ("close_account", _("Can close an account")),
            ("erase_account", _("Can erase an account's personal data now")),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("An account with this e-mail address already exists."),
            ),
            # MYS-5: a business account carries its VAT number.
            models.CheckConstraint(
                condition=models.Q(is_business=False) | ~models.Q(vat_number=""),
                name="accounts_user_business_has_vat_number",
                violation_error_message=_("A business account needs a VAT number."),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @cached_property
    def has_second_factor(self) -> bool:
        """Whether the user has an authenticator app set up (every login then asks for its code)."""
        from allauth.mfa.models import Authenticator
        from allauth.mfa.utils import is_mfa_enabled

        return is_mfa_enabled(self, [Authenticator.Type.TOTP])

    def _staff_powers_locked(self) -> bool:
        # Every staff capability (admin, photo view, records of processing, any
        # staff page to come) is a permission check: without the second factor
        # a staff account, superusers included, holds none of them.
        return (self.is_staff or self.is_superuser) and not self.has_second_factor

    def has_perm(self, perm: str, obj=None) -> bool:
        return False if self._staff_powers_locked() else super().has_perm(perm, obj)

    def has_perms(self, perm_list, obj=None) -> bool:
        return False if self._staff_powers_locked() else super().has_perms(perm_list, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return False if self._staff_powers_locked() else super().has_module_perms(app_label)

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.vat_number:
            self.vat_number = normalize_vat_number(self.vat_number)
        if self.is_business and not self.vat_number:
            raise ValidationError({"vat_number": _("A business account needs a VAT number.")})
        if self.birth_date:
            today = timezone.localdate()
            if self.birth_date > today:
                raise ValidationError({"birth_date": _("The birth date cannot be in the future.")})
            if self.birth_date < oldest_birth_date(today):
                raise ValidationError(
                    {
                        "birth_date": _("Enter a birth date no more than %(years)d years ago.")
                        % {"years": MAX_AGE_YEARS}
                    }
                )

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class Address(models.Model):
    """A delivery or billing address of a user, validated for its country."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery", _("Delivery address")
        BILLING = "billing", _("Billing address")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.DELIVERY)
    full_name = models.CharField(_("full name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    street_address = models.CharField(_("street and number"), max_length=200)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    phone = PhoneNumberField(_("phone"), blank=True)
    is_default = models.BooleanField(_("default delivery address"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["kind", "-is_default", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(kind="billing"),
                name="accounts_address_one_billing_per_user",
                violation_error_message=_("You already have a billing address: edit that one instead."),
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(kind="delivery", is_default=True),
                name="accounts_address_one_default_delivery_per_user",
                violation_error_message=_("Only one delivery address can be the default."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="delivery") | models.Q(is_default=False),
                name="accounts_address_only_delivery_is_default",
                violation_error_message=_("Only a delivery address can be the default delivery address."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.street_address}, {self.postal_code} {self.city}, {self.country.code}"

    def clean(self) -> None:
        super().clean()
        if self.country and self.postal_code:
            try:
                self.postal_code = normalize_postal_code(self.country.code, self.postal_code)
            except ValidationError as exc:
                raise ValidationError({"postal_code": exc.messages}) from exc


# The fields a customer edits on the account pages (forms, admin and services share them).
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "gender",
    "language",
    "birth_date",
    "mobile_phone",
    "is_business",
    "company_name",
    "vat_number",
)
ADDRESS_FIELDS = (
    "kind",
    "full_name",
    "company",
    "street_address",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "phone",
    "is_default",
)


class CommunicationKind(models.TextChoices):
    """The optional kinds of message (STX-7, SMP-11); transactional mail is always sent."""

    SERVICE = "service", _("Service messages")
    MARKETING = "marketing", _("News and offers")
    THIRD_PARTY = "third_party", _("Offers from partners")


# Service messages are opt-out; marketing and third-party offers are opt-in (STX-7).
COMMUNICATION_DEFAULTS: dict[str, bool] = {
    CommunicationKind.SERVICE: True,
    CommunicationKind.MARKETING: False,
    CommunicationKind.THIRD_PARTY: False,
}


class CommunicationPreference(models.Model):
    """A user's choice for one kind of message, with when and how it last changed."""

    class Source(models.TextChoices):
        SIGNUP = "signup", _("at sign-up")
        ACCOUNT_PAGE = "account_page", _("on the account page")
        UNSUBSCRIBE_LINK = "unsubscribe_link", _("through an unsubscribe link")
        STAFF = "staff", _("by customer service")
        PRIVACY_REQUEST = "privacy_request", _("through a privacy request")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="communication_preferences", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CommunicationKind.choices)
    enabled = models.BooleanField(_("enabled"))
    changed_at = models.DateTimeField(_("changed at"))
    changed_via = models.CharField(_("changed via"), max_length=20, choices=Source.choices)

    class Meta:
        verbose_name = _("communication preference")
        verbose_name_plural = _("communication preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="accounts_commpref_one_per_kind"),
        ]

    def __str__(self) -> str:
        state = _("on") if self.enabled else _("off")
        return f"{self.user} · {self.get_kind_display()}: {state}"


class Session(AbstractBaseSession):
    """A web session that knows whether it belongs to an account.

    Visitor sessions (no account) fall under SMP-1 and go 24 hours after the
    visit; telling them apart needs no decoding of the session data.
    """

    account = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("account"),
        db_index=False,  # covered by the (account, session_key) index
    )
    modified_at = models.DateTimeField(_("last modified"), auto_now=True)

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [
            # Serves "sessions of this account" and the sweep's walk over visitor
            # sessions (account IS NULL) in key order.
            models.Index(fields=["account", "session_key"], name="accounts_session_account_key"),
        ]

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore


class CloseReason(models.TextChoices):
    """Why an account was closed: a code, so the record never holds free text about the person."""

    CUSTOMER_REQUEST = "customer_request", _("the customer asked for it")
    DUPLICATE = "duplicate", _("duplicate account")
    FAKE = "fake", _("fake account (fair use)")


class AccountEvent(models.Model):
    """A record of something done to an account: what, for whom, by whom and when.

    Written by the service that does it, in the same transaction (Zulip's
    RealmAuditLog). It holds no personal data of its own: the account it
    points at is anonymised, not deleted, by an erasure, so the record of
    the erasure survives it and names no one (ALB-3, PIX-9).
    """

    class Kind(models.TextChoices):
        CLOSED = "closed", _("account closed")
        ERASURE_REQUESTED = "erasure_requested", _("erasure asked for by the customer")
        ERASED = "erased", _("personal data erased")
        PHONE_RECOGNISED = "phone_recognised", _("mobile number of a deleted account given again")
        PROCESSING_RESTRICTED = "processing_restricted", _("processing restricted at the customer's request")
        RESTRICTION_LIFTED = "restriction_lifted", _("restriction of processing lifted")
        PROFILING_OBJECTED = "profiling_objected", _("objected to profiling")
        DETAILS_CHANGED = "details_changed", _("details corrected (rectification)")
        # Written by the retention sweep (no actor), with the rule in ``detail``.
        ANONYMISED = "anonymised", _("anonymised by the retention schedule")
        DELETED = "deleted", _("deleted by the retention schedule")
        RESTRICTED = "restricted", _("restricted by the retention schedule")

    user = models.ForeignKey(
        User,
        null=True,
        on_delete=models.SET_NULL,
        related_name="account_events",
        verbose_name=_("account"),
    )
    # Empty when the system acted (the retention sweep, a scheduled task).
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("done by"),
    )
    kind = models.CharField(_("what"), max_length=32, choices=Kind.choices)
    at = models.DateTimeField(_("when"), db_index=True)
    # Counts and codes only, never names or addresses.
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.user_id} · {self.at:%Y-%m-%d %H:%M}"


class ContactThread(models.Model):
    """A question to customer service and its answers, one thread per question (SMP-4, PIX-4)."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for an answer")
        ANSWERED = "answered", _("answered")
        RESOLVED = "resolved", _("resolved")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contact_threads",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.DUTCH)
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    last_message_at = models.DateTimeField(_("last message at"), default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("question to customer service")
        verbose_name_plural = _("questions to customer service")
        ordering = ["-last_message_at"]
        indexes = [models.Index(fields=["status", "-last_message_at"], name="accounts_contact_status")]

    def __str__(self) -> str:
        return _("question %(number)s") % {"number": str(self.pk)[:8]}


class ContactMessage(models.Model):
    """One message of a thread: the customer's, or a staff member's answer."""

    thread = models.ForeignKey(
        ContactThread, on_delete=models.CASCADE, related_name="messages", verbose_name=_("question")
    )
    from_staff = models.BooleanField(_("answer from customer service"), default=False)
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )
    body = models.TextField(_("message"), max_length=5000)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"message {self.pk}"


class MessageLog(models.Model):
    """A message sent to an account: which, what kind, when. SMP-4 counts from the last real communication."""

    class Kind(models.TextChoices):
        TRANSACTIONAL = "transactional", _("about an order or the account")
        SERVICE = "service", _("service message")
        MARKETING = "marketing", _("news and offers")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="messages_sent", verbose_name=_("account"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    template = models.CharField(_("message"), max_length=100)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("message sent")
        verbose_name_plural = _("messages sent")
        indexes = [models.Index(fields=["user", "-sent_at"], name="accounts_message_user_sent")]

    def __str__(self) -> str:
        return f"message {self.pk}"


class PhoneVerification(models.Model):
    """STX-5: a deleted account's mobile number, kept as a keyed hash (HMAC) to recognise a re-activation.

    Not the number itself, and linked to no account: only someone who gives
    the same number again can be matched to it. Deleted 10 years after the
    account's last activity (STX-5).
    """

    digest = models.CharField(_("keyed hash of the number"), max_length=64, unique=True)
    last_activity = models.DateTimeField(_("last activity of the account"), db_index=True)
    kept_at = models.DateTimeField(_("kept since"), default=timezone.now)

    class Meta:
        verbose_name = _("phone number kept for verification")
        verbose_name_plural = _("phone numbers kept for verification")

    def __str__(self) -> str:
        return f"phone verification {self.pk}"


class AccountDeletionQuerySet(models.QuerySet):
    def pending(self) -> AccountDeletionQuerySet:
        return self.filter(erasure_requested_at__isnull=False, anonymised_at__isnull=True)


class AccountDeletion(User):
    """An account whose owner asked for its erasure: the privacy officer's list of pending and late ones."""

    objects = AccountDeletionQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return _("account #%(number)s") % {"number": self.pk}
