"""WSGI entry point (gunicorn): production settings unless DJANGO_ENV says otherwise."""

import os

from django.conf import settings

if not settings.configured:
    # A server starts here. runserver imports this module too, with its
    # (development) settings already loaded: those stay as they are.
    os.environ.setdefault("DJANGO_ENV", "production")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photoshop.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
