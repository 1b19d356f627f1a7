from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        # Catalogue edits change the cached catalogue's version (signal receivers).
        from orders import signals  # noqa: F401
        from orders.services import catalogue  # noqa: F401
