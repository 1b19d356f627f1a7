"""Writes of the cart: add photos, change a line, remove it, and move a visitor's cart to the account."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.locks import cart_qs_select_for_update
from orders.models import Cart, CartLine, Finish, Fit, Format
from orders.selectors.cart import SINGLE_PHOTO_KINDS
from photos.models import Photo
from photos.selectors import owner_for
from photoshop import pagecache

MAX_QUANTITY = 999


def cart_for_request_create(request: HttpRequest) -> Cart:
    """Return the request's cart, creating it (and the visitor's key) when there is none yet."""
    now = timezone.now()
    if request.user.is_authenticated:
        cart, _created = Cart.objects.get_or_create(user=request.user, defaults={"created_at": now, "updated_at": now})
        return cart
    owner = owner_for(request, create=True)
    cart, _created = Cart.objects.get_or_create(
        user=None, session_key=owner.session_key, defaults={"created_at": now, "updated_at": now}
    )
    return cart


def _touch(cart: Cart) -> None:
    cart.updated_at = timezone.now()
    cart.reminded_at = None
    cart.save(update_fields=["updated_at", "reminded_at"])


def crop_box(*, photo: Photo, fmt: Format, anchor: str = "center") -> dict[str, float | None]:
    """Return the crop box (fractions) that fills ``fmt`` from ``photo``, placed at ``anchor``.

    ``anchor`` is "center", "start" (top or left) or "end" (bottom or right).
    The format turns with the photo: a portrait photo is printed portrait.
    """
    if not photo.width or not photo.height:
        return {"crop_left": None, "crop_top": None, "crop_right": None, "crop_bottom": None}
    long_side, short_side = max(fmt.width_mm, fmt.height_mm), min(fmt.width_mm, fmt.height_mm)
    landscape = photo.width >= photo.height
    target = (long_side / short_side) if landscape else (short_side / long_side)  # width / height
    ratio = photo.width / photo.height
    if ratio > target:  # too wide: cut the sides
        width, height = target / ratio, 1.0
    else:  # too tall: cut top and bottom
        width, height = 1.0, ratio / target
    position = {"start": 0.0, "center": 0.5, "end": 1.0}.get(anchor, 0.5)
    left = round((1 - width) * position, 6)
    top = round((1 - height) * position, 6)
    return {
        "crop_left": left,
        "crop_top": top,
        "crop_right": round(min(1.0, left + width), 6),
        "crop_bottom": round(min(1.0, top + height), 6),
    }


def _check_format(fmt: Format) -> None:
    if not fmt.is_active or not fmt.product.is_active:
        raise ValidationError(_("This format is no longer on sale."), code="format_inactive")
    if fmt.product.kind not in SINGLE_PHOTO_KINDS:
        raise ValidationError(_("Photo books and calendars are made from a creation."), code="format_kind")


def _check_finish(finish: Finish | None, fmt: Format) -> None:
    if finish is not None and (finish.product_id != fmt.product_id or not finish.is_active):
        raise ValidationError(_("This finish is not offered for this product."), code="finish")


@transaction.atomic
def cart_add_photos(*, request: HttpRequest, photo_ids: Iterable[str], fmt: Format, quantity: int = 1) -> int:
    """Add each of the request owner's printable photos to the cart in ``fmt``; return how many lines changed.

    A photo already in the cart in the same format gets the quantity added.
    Photos of anyone else are refused as if they did not exist.
    """
    _check_format(fmt)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(_("Choose a quantity from 1 to 999."), code="quantity")
    owner = owner_for(request)
    ids = list(dict.fromkeys(str(pk) for pk in photo_ids))
    if owner is None or not ids:
        raise ValidationError(_("Choose at least one of your photos."), code="no_photos")
    photos = {str(p.pk): p for p in Photo.objects.filter(owner.filter(), pk__in=ids)}
    if len(photos) != len(ids):
        raise ValidationError(_("Choose at least one of your photos."), code="no_photos")
    unprintable = [p.filename for p in photos.values() if not p.printable]
    if unprintable:
        raise ValidationError(
            _("These photos cannot be printed (still processing, or held by our review): %(names)s")
            % {"names": ", ".join(sorted(unprintable))},
            code="unprintable",
        )
    with pagecache.writes_for(owner.user_id):
        return _cart_add_locked(request=request, photos=photos, ids=ids, fmt=fmt, quantity=quantity)


def _cart_add_locked(*, request: HttpRequest, photos: dict, ids: list[str], fmt: Format, quantity: int) -> int:
    cart = cart_qs_select_for_update().get(pk=cart_for_request_create(request).pk)
    finish = fmt.product.finishes.filter(is_default=True, is_active=True).first()
    existing = {
        line.photo_id: line for line in cart.lines.filter(photo_id__in=list(photos), format=fmt, finish=finish)
    }
    now = timezone.now()
    for pk in ids:
        photo = photos[pk]
        line = existing.get(photo.pk)
        if line is not None:
            line.quantity = min(MAX_QUANTITY, line.quantity + quantity)
            line.save(update_fields=["quantity"])
            continue
        line = CartLine(
            cart=cart, format=fmt, finish=finish, photo=photo, quantity=quantity, added_at=now, fit=Fit.CROP
        )
        for name, value in crop_box(photo=photo, fmt=fmt).items():
            setattr(line, name, value)
        line.full_clean()
        line.save()
    _touch(cart)
    return len(ids)


@transaction.atomic
def cart_line_update(
    *,
    line: CartLine,
    quantity: int,
    fmt: Format,
    finish: Finish | None,
    fit: str,
    anchor: str = "center",
) -> CartLine:
    """Change a line's quantity, format, finish, and crop or fit; refuse what the shop does not sell."""
    cart_qs_select_for_update().get(pk=line.cart_id)
    if line.creation_id:
        if fmt.pk != line.format_id:
            raise ValidationError(_("The format of a photo book or calendar is chosen in the creation."))
    else:
        _check_format(fmt)
    _check_finish(finish, fmt)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(_("Choose a quantity from 1 to 999."), code="quantity")
    if fit not in Fit.values:
        raise ValidationError(_("Choose crop or fit."), code="fit")
    line.quantity, line.format, line.finish, line.fit = quantity, fmt, finish, fit
    if line.photo_id:
        box = (
            crop_box(photo=line.photo, fmt=fmt, anchor=anchor)
            if fit == Fit.CROP
            else dict.fromkeys(("crop_left", "crop_top", "crop_right", "crop_bottom"))
        )
        for name, value in box.items():
            setattr(line, name, value)
    line.full_clean()
    with pagecache.writes_for(line.cart.user_id):
        line.save()
        _touch(line.cart)
    return line


@transaction.atomic
def cart_line_remove(*, line: CartLine) -> None:
    """Take a line out of the cart."""
    cart = cart_qs_select_for_update().get(pk=line.cart_id)
    with pagecache.writes_for(cart.user_id):
        line.delete()
        _touch(cart)


@transaction.atomic
def cart_claim_for_user(*, session_key: str, user) -> int:
    """Move a visitor's cart lines to the account's cart at sign-in (after their photos moved); return how many."""
    if not session_key:
        return 0
    visitor = Cart.objects.filter(user__isnull=True, session_key=session_key).first()
    if visitor is None:
        return 0
    now = timezone.now()
    cart, _created = Cart.objects.get_or_create(user=user, defaults={"created_at": now, "updated_at": now})
    cart = cart_qs_select_for_update().get(pk=cart.pk)
    mine = {(line.photo_id, line.format_id, line.finish_id): line for line in cart.lines.filter(photo__isnull=False)}
    moved = 0
    for line in visitor.lines.select_related("photo"):
        # The visitor's photos moved to the account just before; one that was a duplicate became the account's copy.
        photo = line.photo
        if photo is None or photo.user_id != user.pk:
            continue
        same = mine.get((line.photo_id, line.format_id, line.finish_id))
        if same is not None:
            same.quantity = min(MAX_QUANTITY, same.quantity + line.quantity)
            same.save(update_fields=["quantity"])
        else:
            line.cart = cart
            line.save(update_fields=["cart"])
        moved += 1
    visitor.delete()
    _touch(cart)
    return moved
