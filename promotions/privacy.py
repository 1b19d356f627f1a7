"""Personal data of the promotions app, declared for the privacy engine."""

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.privacy import user_triggers
from orders.privacy import _last_order_of
from privacy.registry import Anonymise, Category, LegalBasis, PersonalData, Strategy, register, registry

for _model, _examples in (
    ("promotions.Redemption", _("which promo code you used on which order, and when")),
    ("promotions.CampaignUse", _("how many codes of a sponsor's campaign your account used")),
):
    register(
        PersonalData(
            model=_model,
            category=Category.ORDER,
            purpose=_("Giving you the free products of a sponsor's code, within the campaign's limits."),
            record_purpose=_("Applying sponsors' promo codes to the customer's orders within the campaign's limits."),
            legal_basis=LegalBasis.CONTRACT,
            examples=_examples,
            subject="user",
            fields=(),
            anonymise_by_deleting=True,
            triggers={
                "last_activity": lambda: Coalesce(F("user__last_activity"), F("user__date_joined")),
                "account_closed": F("user__closed_at"),
                "last_order": lambda: Coalesce(_last_order_of("user"), F("user__date_joined")),
                "order_date": (
                    (lambda: Coalesce(F("order__placed_at"), F("created_at")))
                    if _model == "promotions.Redemption"
                    else (lambda: Coalesce(_last_order_of("user"), F("user__date_joined")))
                ),
                "order_completed": (
                    (lambda: Coalesce(F("order__completed_at"), F("created_at")))
                    if _model == "promotions.Redemption"
                    else (lambda: Coalesce(_last_order_of("user"), F("user__date_joined")))
                ),
            },
        )
    )

registry.not_personal("promotions.Sponsor", "sponsor companies")
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
