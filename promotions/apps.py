from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "promotions"
    verbose_name = _("Promotions")

    def ready(self) -> None:
        from orders.signals import lab_export_extras, order_status_changed
        from promotions import receivers

        order_status_changed.connect(receivers.follow_the_order, dispatch_uid="promotions_release")
        lab_export_extras.connect(receivers.adverts_for_the_lab, dispatch_uid="promotions_adverts")
