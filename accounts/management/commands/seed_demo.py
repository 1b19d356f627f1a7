from django.core.management.base import BaseCommand

from accounts.demo import seed_accounts


class Command(BaseCommand):
    help = "Create or refresh the demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        logins = seed_accounts()
        # Each app's demo data for the shopper.
        from accounts.models import User
        from orders.demo import SUGGESTION_PHOTOS, seed_catalogue
        from photos.demo import seed_photos

        products = seed_catalogue()
        self.stdout.write(f"The shop has {products} products on sale.")
        # Enough photos for a suggested photo book (ALB-5).
        photos = seed_photos(User.objects.get(email=logins[0].email), count=SUGGESTION_PHOTOS)
        self.stdout.write(f"The demo shopper has {photos} photos.")
        from promotions.demo import seed_promotions

        codes = seed_promotions()
        if codes:
            self.stdout.write(f"Promo codes for 20 free 10x15 prints (one use each): {', '.join(codes)}")
        from promotions.demo import seed_sponsor_contact

        contact = seed_sponsor_contact()
        if contact:
            self.stdout.write(
                f"Sponsor portal (/portal/): {contact[0]}  password: {contact[1]}  TOTP secret: {contact[2]}"
            )
        from microsites.demo import seed_microsites

        sites = seed_microsites()
        if sites:
            self.stdout.write(f"The sponsor's microsite: {' or '.join(sites)}")
        self.stdout.write(self.style.SUCCESS("Demo data is in place. Logins:"))
        for login in logins:
            line = f"  {login.role:<16} {login.email:<24} password: {login.password}"
            if login.totp_secret:
                line += f"  TOTP secret: {login.totp_secret}"
            self.stdout.write(line)
        self.stdout.write(
            "Staff sign in with a code from an authenticator app holding the TOTP secret, "
            "or print the current code with: python manage.py totp_code EMAIL"
        )
