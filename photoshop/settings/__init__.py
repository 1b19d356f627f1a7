"""Pick the settings overlay named by DJANGO_ENV (development by default)."""

import os

_ENV = os.environ.get("DJANGO_ENV", "development")

if _ENV == "production":
    from photoshop.settings.production import *  # noqa: F403
elif _ENV == "test":
    from photoshop.settings.test import *  # noqa: F403
else:
    from photoshop.settings.base import *  # noqa: F403
