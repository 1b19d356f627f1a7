from django.apps import AppConfig


class PhotoshopConfig(AppConfig):
    """The project itself as an app: its system checks."""

    name = "photoshop"
    verbose_name = "photoshop"

    def ready(self) -> None:
        from photoshop import checks  # noqa: F401  (registers the checks)
