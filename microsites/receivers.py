"""A microsite edit starts a new catalogue version: the cached table of sites (and their pages) is rebuilt."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from microsites.models import Microsite
from orders.services.catalogue import catalogue_changed
from promotions.models import Sponsor

# A sponsor switched off takes its sites off line.
for _model in (Microsite, Sponsor):
    post_save.connect(catalogue_changed, sender=_model, dispatch_uid=f"microsites-save-{_model.__name__}")
    post_delete.connect(catalogue_changed, sender=_model, dispatch_uid=f"microsites-delete-{_model.__name__}")
for _through in (Microsite.campaigns.through, Microsite.products.through):
    m2m_changed.connect(catalogue_changed, sender=_through, dispatch_uid=f"microsites-m2m-{_through.__name__}")
