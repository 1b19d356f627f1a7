"""Personal data of the promotions app, declared for the privacy engine."""

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.privacy import user_triggers
from orders.privacy import _last_order_of
from privacy.registry import Anonymise, Category, LegalBasis, PersonalData, Strategy, register, registry


def _triggers(redemption: str, user: str) -> dict:
    """The moments a redemption's data counts from: its account's, or its order's (``redemption``: a path to it)."""

    def _last_order():
        return Coalesce(_last_order_of(user), F(f"{user}__date_joined"))

    triggers = {
        "last_activity": lambda: Coalesce(F(f"{user}__last_activity"), F(f"{user}__date_joined")),
        "account_closed": F(f"{user}__closed_at"),
        "last_order": _last_order,
        "order_date": _last_order,
        "order_completed": _last_order,
    }
    if redemption is not None:
        triggers["order_date"] = lambda: Coalesce(F(f"{redemption}order__placed_at"), F(f"{redemption}created_at"))
        triggers["order_completed"] = lambda: Coalesce(
            F(f"{redemption}order__completed_at"), F(f"{redemption}created_at")
        )
    return triggers


ORDER_DATA = {"category": Category.ORDER, "legal_basis": LegalBasis.CONTRACT, "anonymise_by_deleting": True}
# The keyed hashes of the delivery address and phone number a code's order counted against the campaign (STX-9).
# and of the browser it was placed from (its fair-use cookie, promotions.device).
DIGESTS = (
    Anonymise("address_digest", Strategy.BLANK),
    Anonymise("phone_digest", Strategy.BLANK),
    Anonymise("device_digest", Strategy.BLANK),
)
for _model, _examples, _redemption, _fields in (
    ("promotions.Redemption", _("which promo code you used on which order, and when"), "", DIGESTS),
    ("promotions.CampaignUse", _("how many codes of a sponsor's campaign your account used"), None, ()),
):
    register(
        PersonalData(
            model=_model,
            purpose=_("Giving you the free products of a sponsor's code, within the campaign's limits."),
            record_purpose=_("Applying sponsors' promo codes to the customer's orders within the campaign's limits."),
            examples=_examples,
            subject="user",
            triggers=_triggers(_redemption, "user"),
            fields=_fields,
            **ORDER_DATA,
        )
    )

# STX-8: details a sponsor asks with a code (e.g. a student card number), kept with that
# redemption only: they go when it is released and with the order's data.
register(
    PersonalData(
        model="promotions.RedemptionDetail",
        purpose=_("Checking that you may use a sponsor's code that asks for details, such as a student card."),
        record_purpose=_("Checking the eligibility details a sponsor's campaign asks with its code (STX-8)."),
        examples=_("the details a sponsor's code asked for, such as your student card number and course"),
        subject="redemption__user",
        triggers=_triggers("redemption__", "redemption__user"),
        fields=(),
        **ORDER_DATA,
    )
)

# STX-12: which sponsor's advert went with an order, why, and the customer's data it used (profiling).
register(
    PersonalData(
        model="promotions.AdvertDecision",
        purpose=_("Choosing which sponsor's advert goes with your free products; you can object to the matching."),
        record_purpose=_("Matching sponsors' adverts to customers (profiling, STX-12), logged with its inputs."),
        examples=_("which sponsor's advert went with your order, and the language, age, region or gender it used"),
        subject="user",
        triggers=_triggers("", "user"),
        fields=(),
        **ORDER_DATA,
    )
)

# STX-9: how often one delivery address or phone number received a campaign's free products,
# as a keyed hash linked to no account; it goes as order data does, counted from its last use.
_last_use = F("last_used_at")
register(
    PersonalData(
        model="promotions.HouseholdUse",
        purpose=_("Keeping a sponsor's free products fair: a limited number per address or phone number."),
        record_purpose=_("Applying a campaign's limits per delivery address and phone number (STX-9, fair use)."),
        examples=_("a keyed hash of a delivery address or phone number and how many free orders it received"),
        subject=None,
        subject_hint=_("the delivery address or phone number, given again"),
        triggers={"last_activity": _last_use, "last_order": _last_use, "order_date": _last_use,
                  "order_completed": _last_use},
        fields=(Anonymise("digest", Strategy.BLANK),),
        **ORDER_DATA,
    )
)  # fmt: skip

registry.not_personal("promotions.Sponsor", "sponsor companies")
registry.not_personal("promotions.EligibilityField", "the questions a campaign asks with its codes (not the answers)")
registry.not_personal("promotions.Campaign", "sponsors' campaigns")
registry.not_personal("promotions.Code", "promo codes (which customer used one is in promotions.Redemption)")

# The sponsor portal: who may sign in for a sponsor, and what they did there (PIX-2).
register(
    PersonalData(
        model="promotions.SponsorMember",
        category=Category.ACCOUNT,
        purpose=_("Letting a sponsor's contact person see the figures of the sponsor's campaigns."),
        record_purpose=_("Giving sponsors' contact people access to their campaigns' figures."),
        legal_basis=LegalBasis.CONTRACT,
        examples=_("which sponsor you represent in the sponsor portal"),
        subject="user",
        fields=(),
        anonymise_by_deleting=True,
        triggers=user_triggers("user__"),
    )
)
register(
    PersonalData(
        model="promotions.PortalAction",
        category=Category.ACCESS_LOG,
        purpose=_("Keeping evidence of what was done in the sponsor portal, and when."),
        record_purpose=_("Logging every action of sponsors' contact people in the sponsor portal (PIX-2)."),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        examples=_("which campaign figures you viewed or downloaded in the sponsor portal, and when"),
        subject="user",
        fields=(Anonymise("user", Strategy.NULL),),
        anonymise_by_deleting=True,
        triggers={"recorded": F("at")},
    )
)
