"""Writes of the catalogue: the cached pages' version, changed by every catalogue edit.

The receivers below run on every save and delete of a catalogue row, from
the admin, ``seed_demo`` or a shell alike; a new version starts at once and
again once the edit is committed, so a page rebuilt in between never keeps
the state before the edit under the final version.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from orders.models import Finish, Format, Product, ProductImage, ShippingMethod, VatRate
from orders.selectors.catalogue import VERSION_KEY, remember_version, version_timeout

CATALOGUE_MODELS = (Product, Format, Finish, ProductImage, VatRate, ShippingMethod)


def catalogue_version_bump() -> str:
    """Start a new catalogue version now: every cached catalogue page and print format list is rebuilt."""
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, timeout=version_timeout())
    remember_version(version)
    return version


def catalogue_changed(sender, **kwargs) -> None:
    # Now, so the editing transaction itself (and a test inside one) reads the edit; again after
    # commit, so a page rebuilt from the state before the commit is not kept under the new version.
    catalogue_version_bump()
    transaction.on_commit(catalogue_version_bump)


# Bulk updates (``QuerySet.update``, ``bulk_create``) send no signal: code doing
# them on these models calls ``catalogue_version_bump`` itself.
for _model in CATALOGUE_MODELS:
    post_save.connect(catalogue_changed, sender=_model, dispatch_uid=f"catalogue-save-{_model.__name__}")
    post_delete.connect(catalogue_changed, sender=_model, dispatch_uid=f"catalogue-delete-{_model.__name__}")
