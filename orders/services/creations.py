"""Suggested products (ALB-5): a photo book or calendar made from a customer's best photos, on request.

A suggestion is made only when the customer asks for one (the "suggest one
from my best photos" button), only from that customer's own printable
photos, ranked by the photos app's print-quality score. The customer may
then swap photos, move pages, put it in the cart, or dismiss it; dismissing
drops its pages, so no list of their photos stays behind.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Cart, CartLine, Creation, CreationPage, Finish, Format, Product, ProductKind
from orders.selectors.creations import printable_photos_for

# Multi-photo products that can be suggested; the number of photos is the product's photos_per_item.
SUGGESTIBLE_KINDS = (ProductKind.PHOTO_BOOK, ProductKind.CALENDAR)


def _format_of(product: Product) -> Format:
    fmt = product.formats.filter(is_active=True).order_by("position", "id").first()
    if fmt is None:
        raise ValidationError(_("This product has no format on sale right now."))
    return fmt


@transaction.atomic
def creation_suggest(*, user, product: Product) -> Creation:
    """Make a suggestion of the product from the customer's best photos, placed in the order they were taken.

    An earlier suggestion of the same format the customer has not touched is
    replaced; one they edited or put in their cart stays.
    """
    if user.profiling_objected_at is not None or user.processing_restricted_at is not None:
        # ALB-3: an objection to profiling, or a restriction, stops suggestions at once.
        raise ValidationError(
            _("You asked us not to use your photos for suggestions. You can still make a photo book yourself.")
        )
    if not product.is_active or product.kind not in SUGGESTIBLE_KINDS:
        raise ValidationError(_("We can only suggest photo books and calendars."))
    fmt = _format_of(product)
    pages = product.photos_per_item
    best = list(printable_photos_for(user=user, fmt=fmt)[:pages])
    if len(best) < pages:
        raise ValidationError(
            _(
                "A %(product)s needs %(needed)d photos that print well in this size; you have %(have)d. "
                "Upload a few more photos and ask again."
            )
            % {"product": product.name.lower(), "needed": pages, "have": len(best)}
        )
    Creation.objects.filter(user=user, format=fmt, status=Creation.Status.SUGGESTED).delete()
    # Best photos chosen by score, placed in the order they were taken: a year or a story reads in time order.
    best.sort(key=lambda photo: (photo.taken_at or photo.uploaded_at, photo.uploaded_at))
    creation = Creation(
        user=user,
        format=fmt,
        title=_("%(product)s from your best photos") % {"product": product.name},
        status=Creation.Status.SUGGESTED,
        created_at=timezone.now(),
    )
    creation.full_clean()
    creation.save()
    page_rows = [CreationPage(creation=creation, position=number, photo=photo) for number, photo in enumerate(best, 1)]
    for row in page_rows:
        # The creation and the photos were just read: no lookup per page to check them again.
        row.full_clean(exclude=["creation", "photo"], validate_unique=False, validate_constraints=False)
    CreationPage.objects.bulk_create(page_rows)
    return creation


def _keep(creation: Creation) -> None:
    """Mark an edited suggestion as the customer's own: a new suggestion no longer replaces it."""
    if creation.status == Creation.Status.SUGGESTED:
        creation.status = Creation.Status.SAVED
        creation.save(update_fields=["status", "updated_at"])
    else:
        creation.save(update_fields=["updated_at"])


def _locked(creation: Creation) -> Creation:
    return Creation.objects.select_for_update().get(pk=creation.pk)


@transaction.atomic
def creation_page_swap(*, creation: Creation, position: int, photo_id) -> CreationPage:
    """Put another of the customer's printable photos on a page."""
    creation = _locked(creation)
    page = creation.pages.filter(position=position).first()
    if page is None:
        raise ValidationError(_("This page does not exist."))
    photo = printable_photos_for(user=creation.user, fmt=creation.format).filter(pk=photo_id).first()
    if photo is None:
        raise ValidationError(_("Choose one of your photos that prints well in this size."))
    page.photo = photo
    page.save(update_fields=["photo"])
    _keep(creation)
    return page


@transaction.atomic
def creation_page_move(*, creation: Creation, position: int, offset: int) -> None:
    """Swap a page with the page ``offset`` (-1: earlier, +1: later) from it."""
    if offset not in (-1, 1):
        raise ValidationError(_("A page moves one place at a time."))
    creation = _locked(creation)
    pages = {page.position: page for page in creation.pages.filter(position__in=[position, position + offset])}
    if len(pages) != 2:
        raise ValidationError(_("This page cannot move further."))
    first, second = pages[position], pages[position + offset]
    first.photo_id, second.photo_id = second.photo_id, first.photo_id
    CreationPage.objects.bulk_update([first, second], ["photo"])
    _keep(creation)


@transaction.atomic
def creation_dismiss(*, creation: Creation) -> None:
    """Dismiss a creation: it leaves the customer's list (and cart) and its pages (their photos) are dropped."""
    creation = _locked(creation)
    CartLine.objects.filter(creation=creation).delete()
    creation.pages.all().delete()
    creation.status = Creation.Status.DISMISSED
    creation.save(update_fields=["status", "updated_at"])


@transaction.atomic
def cart_add_creation(*, user, creation: Creation, quantity: int = 1) -> CartLine:
    """Put a creation in the customer's cart (once: adding it again raises the quantity)."""
    creation = _locked(creation)
    if creation.user_id != user.pk or creation.status == Creation.Status.DISMISSED:
        raise ValidationError(_("This creation is not yours to order."))
    if creation.pages.count() != creation.format.product.photos_per_item:
        raise ValidationError(_("Fill every page before you order."))
    if not (creation.format.is_active and creation.format.product.is_active):
        raise ValidationError(_("This product is no longer on sale."))
    cart, _created = Cart.objects.get_or_create(user=user)
    line = CartLine.objects.select_for_update().filter(cart=cart, creation=creation).first()
    if line is None:
        finish = Finish.objects.filter(product_id=creation.format.product_id, is_active=True, is_default=True).first()
        line = CartLine(cart=cart, format=creation.format, finish=finish, creation=creation, quantity=quantity)
        line.full_clean()
        line.save()
    else:
        line.quantity = min(line.quantity + quantity, 999)
        line.full_clean()
        line.save(update_fields=["quantity"])
    cart.updated_at = timezone.now()
    cart.save(update_fields=["updated_at"])
    _keep(creation)
    return line
