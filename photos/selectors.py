"""Reads of the photos app, always limited to what the asker may see."""

from __future__ import annotations

import secrets

from django.db.models import QuerySet
from django.http import HttpRequest

from photos.models import Album, Photo
from photos.services import Owner

# The visitor's photo key lives in the session data, so it survives the new
# session key that signing in gives; then the photos move to the account.
VISITOR_KEY = "photos_visitor_key"

SORTS = {"newest": ["-uploaded_at"], "best": ["-quality_score", "-uploaded_at"], "oldest": ["uploaded_at"]}


def owner_for(request: HttpRequest, *, create: bool = False) -> Owner | None:
    """Return who the request's photos belong to (None for a visitor who has none yet)."""
    if request.user.is_authenticated:
        return Owner(user_id=request.user.pk)
    key = request.session.get(VISITOR_KEY)
    if not key and create:
        key = request.session[VISITOR_KEY] = secrets.token_hex(20)
    return Owner(session_key=key) if key else None


def photos_for(owner: Owner | None, *, sort: str = "newest") -> QuerySet[Photo]:
    if owner is None:
        return Photo.objects.none()
    return (
        Photo.objects.filter(owner.filter())
        .select_related("album")
        .defer("nsfw_labels")
        .order_by(*SORTS.get(sort, SORTS["newest"]))
    )


def albums_for(owner: Owner | None) -> QuerySet[Album]:
    if owner is None:
        return Album.objects.none()
    return Album.objects.filter(owner.filter()).order_by("title")


def photo_visible_to(request: HttpRequest, pk) -> Photo | None:
    """Return the photo if the request may see it: its owner, or staff allowed to view photos."""
    if request.user.is_authenticated and request.user.is_staff and request.user.has_perm("photos.view_photo"):
        return Photo.objects.filter(pk=pk).first()
    owner = owner_for(request)
    if owner is None:
        return None
    return Photo.objects.filter(owner.filter(), pk=pk).first()
