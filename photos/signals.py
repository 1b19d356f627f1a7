from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from PIL import Image

from photos import services
from photos.selectors import VISITOR_KEY


@receiver(user_logged_in)
def claim_visitor_photos(sender, request, user, **kwargs) -> None:
    """Photos uploaded before signing in move to the account."""
    if request is not None and hasattr(request, "session"):
        services.photos_claim_for_user(session_key=request.session.get(VISITOR_KEY, ""), user=user)


def set_pixel_limit() -> None:
    """Pillow refuses images beyond this many pixels (decompression bombs); the bound is a setting."""
    from django.conf import settings

    Image.MAX_IMAGE_PIXELS = settings.PHOTOS_MAX_PIXELS


set_pixel_limit()
