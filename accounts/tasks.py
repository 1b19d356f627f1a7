"""Background work of the accounts app."""

from celery import shared_task


@shared_task(name="accounts.erase_requested_accounts")
def erase_requested_accounts() -> int:
    """Erase the accounts whose owners asked for it (queued at once, and on every sweep interval); return how many."""
    from accounts.services import account_erase_requested

    return account_erase_requested()
