from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MicrositesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "microsites"
    verbose_name = _("Microsites")

    def ready(self) -> None:
        from microsites import receivers  # noqa: F401  (a site edit starts a new catalogue version)
