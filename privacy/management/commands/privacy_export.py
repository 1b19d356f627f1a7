from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from privacy.exports import write_export


class Command(BaseCommand):
    help = (
        "Write a customer's data export (SMP-13, ALB-3) to a ZIP file: the same copy the account pages give, "
        "with every registered record as JSON, the stored files and a readable summary."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="The e-mail address of the account.")
        parser.add_argument("--output", required=True, help="The ZIP file to write (its folder must exist).")

    def handle(self, *args, **options) -> None:
        email = options["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {email!r} (an erased account no longer has one).")
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"The folder {str(output.parent)!r} does not exist.")
        try:
            with output.open("wb") as out:
                result = write_export(user, out)
        except OSError as exc:
            raise CommandError(f"Could not write {str(output)!r}: {exc.strerror}") from None
        self.stdout.write(f"Wrote the data of account #{user.pk} to {output} ({output.stat().st_size:,} bytes):")
        for label, count in sorted(result["counts"].items()):
            if count:
                self.stdout.write(f"  {label}: {count}")
        self.stdout.write(f"  files included: {result['files_included']}")
