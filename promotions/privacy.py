"""Personal data of the promotions app, declared for the privacy engine."""

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from orders.privacy import _last_order_of
from privacy.registry import Category, LegalBasis, PersonalData, register, registry

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
