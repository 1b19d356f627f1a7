from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts import services


@receiver(user_logged_in)
def record_login_activity(sender, request, user, **kwargs) -> None:
    """A login is activity: it moves the retention clock (STX-1)."""
    services.user_record_activity(user=user)
