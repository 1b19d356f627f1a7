"""Re-ordering: put the lines of an earlier order back into the customer's cart."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from orders.locks import cart_qs_select_for_update
from orders.models import Cart, CartLine, Finish, Order, OrderLine
from orders.selectors.cart import SINGLE_PHOTO_KINDS
from orders.services.cart import MAX_QUANTITY


@dataclass
class ReorderOutcome:
    """What went back into the cart, and each line that could not, with the reason in words."""

    added: list[OrderLine] = field(default_factory=list)
    skipped: list[tuple[OrderLine, str]] = field(default_factory=list)


def _refusal(line: OrderLine, user: User) -> str:
    """Return why a line cannot go back into the cart, or "" when it can."""
    if line.photos_per_item > 1 or line.product_kind not in SINGLE_PHOTO_KINDS:
        return _("a photo book or calendar is re-ordered from your creations")
    photo = line.photo
    if photo is None or photo.user_id != user.pk:
        return _("the photo is no longer in your account")
    if not photo.printable:
        return _("the photo can no longer be printed")
    fmt = line.format
    if fmt is None or not fmt.is_active or not fmt.product.is_active:
        return _("this format is no longer on sale")
    return ""


def _finish_for(line: OrderLine, finishes: dict[tuple[int, str], Finish]) -> Finish | str | None:
    """Return the finish to use now, None for none, or "" when the finish sold is no longer offered."""
    if not line.finish_code:
        return None
    return finishes.get((line.format.product_id, line.finish_code), "")


@transaction.atomic
def order_reorder(*, order: Order, user: User) -> ReorderOutcome:
    """Add the lines of ``order`` to ``user``'s cart where the photo and the format still exist.

    The same checks as adding to the cart (``orders.services.cart``): single
    photo products only, on sale, printable photos of this customer. A line
    already in the cart with the same photo, format, finish and crop gets the
    quantity added (at most MAX_QUANTITY). Lines that cannot come back are
    returned with the reason, for the customer to read.
    """
    lines = list(
        order.lines.select_related("photo", "format__product").order_by("position")
    )  # one order: bounded by its lines
    product_ids = {line.format.product_id for line in lines if line.format_id}
    finishes = {
        (finish.product_id, finish.code): finish
        for finish in Finish.objects.filter(product_id__in=product_ids, is_active=True)
    }
    outcome = ReorderOutcome()
    wanted: list[tuple[OrderLine, Finish | None]] = []
    for line in lines:
        reason = _refusal(line, user)
        finish = None
        if not reason:
            finish = _finish_for(line, finishes)
            if finish == "":
                reason = _("the finish %(finish)s is no longer offered") % {"finish": line.finish_name}
        if reason:
            outcome.skipped.append((line, reason))
        else:
            wanted.append((line, finish))
    if not wanted:
        return outcome
    now = timezone.now()
    cart, _created = Cart.objects.get_or_create(user=user, defaults={"created_at": now, "updated_at": now})
    cart = cart_qs_select_for_update().get(pk=cart.pk)
    existing = list(cart.lines.all())
    for line, finish in wanted:
        crop = {
            "fit": line.fit,
            "crop_left": line.crop_left,
            "crop_top": line.crop_top,
            "crop_right": line.crop_right,
            "crop_bottom": line.crop_bottom,
        }
        same = next(
            (
                c
                for c in existing
                if c.photo_id == line.photo_id
                and c.format_id == line.format_id
                and c.finish_id == (finish.pk if finish else None)
                and all(getattr(c, key) == value for key, value in crop.items())
            ),
            None,
        )
        if same is not None:
            same.quantity = min(MAX_QUANTITY, same.quantity + line.quantity)
            same.full_clean()
            same.save(update_fields=["quantity"])
        else:
            new = CartLine(
                cart=cart,
                format=line.format,
                finish=finish,
                photo=line.photo,
                quantity=line.quantity,
                added_at=now,
                **crop,
            )
            new.full_clean()
            new.save()
            existing.append(new)
        outcome.added.append(line)
    # A changed cart may be reminded of again a day later (as every cart change does).
    cart.updated_at = now
    cart.reminded_at = None
    cart.save(update_fields=["updated_at", "reminded_at"])
    return outcome
