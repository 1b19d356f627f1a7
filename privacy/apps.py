from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        # The checks register themselves; the policy clears its cached list of versions when one is saved.
        from privacy import checks, policy  # noqa: F401

        # Every app's personal-data declarations (<app>/privacy.py), this app's included.
        autodiscover_modules("privacy")
