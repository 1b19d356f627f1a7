"""ASGI entry point (uvicorn, daphne): production settings unless DJANGO_ENV says otherwise."""

import os

from django.conf import settings

if not settings.configured:
    os.environ.setdefault("DJANGO_ENV", "production")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photoshop.settings")

from django.core.asgi import get_asgi_application

application = get_asgi_application()
