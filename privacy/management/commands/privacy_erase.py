from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import services
from accounts.models import ERASURE_WITHIN, AccountEvent, User


class Command(BaseCommand):
    help = (
        "Erase a customer's personal data, as their own deletion with erasure does (SMP-9, ALB-3): the account is "
        "closed at once, a confirmation goes to the address, and the data is erased within 48 hours (STX-4), or at "
        "once with --now. What a legal hold keeps (invoices) is restricted, not deleted."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="The e-mail address of the account.")
        parser.add_argument("--now", action="store_true", help="Erase now instead of within 48 hours.")

    def handle(self, *args, **options) -> None:
        email = options["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {email!r} (an erased account no longer has one).")
        try:
            account = services.account_delete_request(user=user, erase=True)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        account.refresh_from_db()
        if options["now"] and account.anonymised_at is None:
            services.account_erase(user=account)
            account.refresh_from_db()
        if account.anonymised_at is None:
            due = timezone.localtime(account.erasure_requested_at + ERASURE_WITHIN)
            self.stdout.write(
                f"Account #{account.pk} closed; its erasure is queued and done by {due:%Y-%m-%d %H:%M %Z} at the "
                "latest. A confirmation was sent to the address."
            )
            return
        self.stdout.write(f"Account #{account.pk} closed and erased; a confirmation was sent to the address first.")
        erased = AccountEvent.objects.filter(user=account, kind=AccountEvent.Kind.ERASED).order_by("-at").first()
        for label, counts in sorted(erased.detail.get("records", {}).items() if erased else []):
            if counts["erased"] or counts["restricted"]:
                self.stdout.write(
                    f"  {label}: {counts['erased']} erased, {counts['restricted']} restricted (legal hold)"
                )
