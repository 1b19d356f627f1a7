from django.apps import AppConfig, apps


class PhotoshopConfig(AppConfig):
    """The project itself as an app: its system checks and the Site record."""

    name = "photoshop"
    verbose_name = "photoshop"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from photoshop import (
            checks,  # noqa: F401  (registers the checks)
            pagecache,
        )
        from photoshop.sites import site_update_from_settings

        # post_migrate skips apps without models (this one), so listen to the
        # sites app's: connected after its own receiver, this runs once it has
        # created "example.com".
        post_migrate.connect(
            site_update_from_settings, sender=apps.get_app_config("sites"), dispatch_uid="photoshop.site_update"
        )
        pagecache.connect_signals()  # every statement that writes renews the kept pages' stamps
