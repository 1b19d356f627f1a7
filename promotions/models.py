"""Sponsors, their campaigns and the promo codes that make products free (stampix.nl.txt)."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Gender, Language
from orders.models import in_active_language
from promotions.regions import Region


def advert_path(instance: Campaign, filename: str) -> str:
    dot = filename.rfind(".")
    return f"adverts/{uuid.uuid4().hex}{filename[dot:].lower()[:6] if dot != -1 else ''}"


# Codes use an alphabet without look-alike characters (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 10  # 25**10: about 46 bits of randomness


class Sponsor(models.Model):
    """A company (a "client") that pays for free products and hands out their codes."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """What a sponsor's codes give (a quantity of one format, shipping or not), when, and how often."""

    sponsor = models.ForeignKey(Sponsor, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("sponsor"))
    name = models.CharField(_("name"), max_length=120)
    format = models.ForeignKey(
        "orders.Format",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("free format"),
        help_text=_("The product format the code makes free, e.g. classic prints 10x15."),
    )
    quantity = models.PositiveSmallIntegerField(_("free quantity"), help_text=_("e.g. 20 prints"))
    shipping_included = models.BooleanField(_("shipping included"), default=True)
    starts_at = models.DateTimeField(_("valid from"))
    ends_at = models.DateTimeField(_("valid until"))
    quota = models.PositiveIntegerField(
        _("quota"), null=True, blank=True, help_text=_("How many redemptions in all; empty for no limit.")
    )
    redeemed = models.PositiveIntegerField(_("redeemed"), default=0, editable=False)
    per_user_limit = models.PositiveSmallIntegerField(
        _("limit per customer"), default=1, help_text=_("How many codes of this campaign one account may use.")
    )
    # Fair use (STX-9): limits per delivery address and phone number, and when staff look first.
    per_address_limit = models.PositiveSmallIntegerField(
        _("limit per delivery address"),
        null=True,
        blank=True,
        help_text=_("How many orders with this campaign's codes may go to one address; empty for no limit."),
    )
    per_phone_limit = models.PositiveSmallIntegerField(
        _("limit per phone number"),
        null=True,
        blank=True,
        help_text=_("How many orders with this campaign's codes may give one phone number; empty for no limit."),
    )
    review_after_accounts = models.PositiveSmallIntegerField(
        _("review from this many accounts per address or device"),
        null=True,
        blank=True,
        default=3,
        help_text=_(
            "An order is held for staff review when this many different accounts used this campaign's codes"
            " for one delivery address, or from one device (browser); empty to never hold."
        ),
    )
    web_shop = models.BooleanField(_("accepted in the web shop"), default=True)

    class Placement(models.TextChoices):
        NONE = "", _("no advert")
        BACK = "back", _("printed on the back of each free print")
        INSERT = "insert", _("a card in the parcel")

    # The sponsor's advert (STX-12) and whom it is for. Targets are optional; a customer who
    # objected to profiling, or a preset that promises none (MYS-4), gets an advert by no target.
    advert = models.ImageField(_("advert"), upload_to=advert_path, blank=True)
    advert_placement = models.CharField(
        _("advert placement"), max_length=8, choices=Placement.choices, blank=True, default=Placement.NONE
    )
    target_language = models.CharField(_("target language"), max_length=2, choices=Language.choices, blank=True)
    target_age_min = models.PositiveSmallIntegerField(_("target age from"), null=True, blank=True)
    target_age_max = models.PositiveSmallIntegerField(_("target age to"), null=True, blank=True)
    target_region = models.CharField(_("target region"), max_length=8, choices=Region.choices, blank=True)
    target_gender = models.CharField(_("target gender"), max_length=16, choices=Gender.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="promotions_campaign_window"),
            models.CheckConstraint(
                condition=Q(quota__isnull=True) | Q(redeemed__lte=F("quota")), name="promotions_campaign_quota"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="promotions_campaign_quantity"),
            models.CheckConstraint(condition=Q(per_user_limit__gte=1), name="promotions_campaign_user_limit"),
            models.CheckConstraint(
                condition=Q(advert_placement="") | ~Q(advert=""),
                name="promotions_campaign_advert_placed",
                violation_error_message=_("Upload the advert's image, or choose no advert."),
            ),
            models.CheckConstraint(
                condition=Q(target_age_min__isnull=True)
                | Q(target_age_max__isnull=True)
                | Q(target_age_min__lte=F("target_age_max")),
                name="promotions_campaign_age_band",
                violation_error_message=_("The target age from must not be above the target age to."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor} · {self.name}"

    @property
    def targets(self) -> dict[str, object]:
        """The targets this campaign's advert sets (empty: for everyone)."""
        wanted = {
            "language": self.target_language,
            "age_min": self.target_age_min,
            "age_max": self.target_age_max,
            "region": self.target_region,
            "gender": self.target_gender,
        }
        return {key: value for key, value in wanted.items() if value not in ("", None)}


class Code(models.Model):
    """A promo code of a campaign: single-use (``max_uses`` 1) or shared with a number of uses."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="codes", verbose_name=_("campaign"))
    code = models.CharField(_("code"), max_length=24)
    max_uses = models.PositiveIntegerField(_("uses allowed"), default=1)
    used = models.PositiveIntegerField(_("used"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        constraints = [
            # A constraint rather than unique=True: no second (LIKE) index to write with every code.
            models.UniqueConstraint(fields=["code"], name="promotions_code_unique"),
            models.CheckConstraint(condition=Q(used__lte=F("max_uses")), name="promotions_code_uses"),
            models.CheckConstraint(condition=Q(max_uses__gte=1), name="promotions_code_max_uses"),
        ]

    def __str__(self) -> str:
        return self.code


class CampaignUse(models.Model):
    """How many codes of a campaign an account holds: the per-customer limit, raised and checked in one UPDATE."""

    # Indexed by the unique constraint below, which starts with it.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign"), db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    count = models.PositiveIntegerField(_("codes used"), default=0)

    class Meta:
        verbose_name = _("campaign use")
        verbose_name_plural = _("campaign uses")
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="promotions_use_once_per_user")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.user_id}: {self.count}"


class Redemption(models.Model):
    """A code applied to a cart and, once ordered, to its order; released when the order is cancelled or unpaid."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        RELEASED = "released", _("released")

    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("code"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    cart = models.ForeignKey(
        "orders.Cart", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("cart")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("order")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("redeemed"), auto_now_add=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    release_reason = models.CharField(_("why released"), max_length=120, blank=True)
    # A microsite order's redemption loses its customer with the order (STX-2); the sponsor's counts stay.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    # STX-9: the delivery address and phone number the code's order counted against the campaign's
    # limits, as keyed hashes (``HouseholdUse``); given back with the code.
    # (Defaults in the database too: the redemption function of migration 0005 inserts without them.)
    address_digest = models.CharField(
        _("delivery address (keyed hash)"), max_length=64, blank=True, editable=False, default="", db_default=""
    )
    phone_digest = models.CharField(
        _("phone number (keyed hash)"), max_length=64, blank=True, editable=False, default="", db_default=""
    )
    # STX-9: the browser the order was placed from (its fair-use cookie, promotions.device), as a keyed hash.
    device_digest = models.CharField(
        _("device (keyed hash)"), max_length=64, blank=True, editable=False, default="", db_default=""
    )
    # STX-7: a code left in a cart is reminded once before its campaign ends.
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        indexes = [
            # Accounts per device and campaign (STX-9) are counted at every checkout with a code.
            models.Index(
                fields=["campaign", "device_digest"], condition=~Q(device_digest=""), name="promotions_red_device"
            ),
        ]
        constraints = [
            # One code per cart at a time.
            models.UniqueConstraint(
                fields=["cart"], condition=Q(status="active"), name="promotions_one_active_code_per_cart"
            ),
            models.CheckConstraint(
                condition=Q(status="active", released_at__isnull=True)
                | Q(status="released", released_at__isnull=False),
                name="promotions_redemption_released_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_status_display()})"


class HouseholdUse(models.Model):
    """How many orders of a campaign went to one delivery address or phone number (STX-9, fair use).

    The address or number is kept as a keyed hash only: it can be matched when
    given again, not read back. Raised and checked in one conditional UPDATE.
    """

    class Kind(models.TextChoices):
        ADDRESS = "address", _("delivery address")
        PHONE = "phone", _("phone number")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign"))
    kind = models.CharField(_("what"), max_length=8, choices=Kind.choices)
    digest = models.CharField(_("keyed hash"), max_length=64)
    count = models.PositiveIntegerField(_("orders"), default=0)
    last_used_at = models.DateTimeField(_("last used"))

    class Meta:
        verbose_name = _("use per address or phone")
        verbose_name_plural = _("uses per address or phone")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind", "digest"], name="promotions_household_use_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.digest[:8]}: {self.count}"


class EligibilityField(models.Model):
    """A detail the sponsor needs from whoever uses a code of the campaign (STX-8), e.g. a student card number.

    Asked when the code is applied; the answer is stored with that redemption
    only (``RedemptionDetail``), used for it only and deleted with it.
    """

    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        DIGITS = "digits", _("digits only")
        DATE = "date", _("date")
        EMAIL = "email", _("e-mail address")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="eligibility_fields", verbose_name=_("campaign")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label_nl = models.CharField(_("label (Dutch)"), max_length=80)
    label_fr = models.CharField(_("label (French)"), max_length=80, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=80, blank=True)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.TEXT)
    pattern = models.CharField(
        _("validation pattern"),
        max_length=200,
        blank=True,
        help_text=_("A regular expression the whole answer must match, e.g. [A-Z]{2}[0-9]{6}. Empty: any answer."),
    )
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("detail asked with the code")
        verbose_name_plural = _("details asked with the code (STX-8)")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return in_active_language(self, "label")

    def clean(self) -> None:
        if self.pattern:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValidationError(
                    {"pattern": _("This is not a valid pattern: %(error)s.") % {"error": exc}}
                ) from exc


class RedemptionDetail(models.Model):
    """A customer's answer to a campaign's ``EligibilityField``, kept with that redemption only (STX-8)."""

    redemption = models.ForeignKey(
        Redemption, on_delete=models.CASCADE, related_name="details", verbose_name=_("redemption")
    )
    field = models.ForeignKey(
        EligibilityField, on_delete=models.CASCADE, related_name="+", verbose_name=_("detail asked")
    )
    value = models.CharField(_("answer"), max_length=200)

    class Meta:
        verbose_name = _("detail given with a code")
        verbose_name_plural = _("details given with codes")
        constraints = [models.UniqueConstraint(fields=["redemption", "field"], name="promotions_one_answer_per_field")]

    def __str__(self) -> str:
        return f"{self.field}: {self.value}"


class AdvertDecision(models.Model):
    """Which sponsor's advert went with an order, why, and from which of the customer's data (STX-12).

    Matching an advert to a person is profiling: every decision is kept with
    its inputs, so the customer sees it in their data, and a customer who
    objected (or restricted processing) gets an advert chosen by no target.
    """

    class Reason(models.TextChoices):
        OWN_SPONSOR = "own_sponsor", _("the advert of the sponsor whose code made the product free")
        MATCHED = "matched", _("matched to the customer's language, age, region or gender")
        NO_MATCH = "no_match", _("no target matched: an advert for everyone")
        OBJECTED = "objected", _("the customer objected to profiling: not targeted")
        RESTRICTED = "restricted", _("processing restricted: not targeted")
        NO_PROFILING = "no_profiling", _("the privacy policy promises no profiling (MYS-4): not targeted")
        GUEST = "guest", _("ordered without an account: not targeted")

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="+", verbose_name=_("order"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("customer"),
    )  # fmt: skip
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("advert of")
    )
    reason = models.CharField(_("why"), max_length=16, choices=Reason.choices)
    targeted = models.BooleanField(_("targeted"), default=False)
    inputs = models.JSONField(_("customer data used"), default=dict, blank=True)
    candidates = models.JSONField(_("campaigns considered"), default=list, blank=True)
    created_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("advert decision")
        verbose_name_plural = _("advert decisions (STX-12)")

    def __str__(self) -> str:
        return f"{self.get_reason_display()}"


class SponsorMember(models.Model):
    """A sponsor's contact person with access to the sponsor portal (its own campaigns' figures only)."""

    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="members", verbose_name=_("sponsor"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sponsor_membership",
        verbose_name=_("contact person"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("portal user")
        verbose_name_plural = _("portal users")

    def __str__(self) -> str:
        return f"{self.user} · {self.sponsor}"


class PortalAction(models.Model):
    """What a sponsor's contact person did in the portal, and when (PIX-2: kept as evidence)."""

    class Kind(models.TextChoices):
        OVERVIEW = "overview", _("viewed the campaigns")
        CAMPAIGN = "campaign", _("viewed a campaign's figures")
        CSV = "csv", _("downloaded a campaign's figures")

    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="+", verbose_name=_("sponsor"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("who")
    )
    kind = models.CharField(_("action"), max_length=10, choices=Kind.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("campaign")
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("portal action")
        verbose_name_plural = _("portal actions")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_kind_display()}"
