"""Serve no kept page again (photoshop.pagecache): after changing the database outside Django."""

from django.core.management.base import BaseCommand

from photoshop import pagecache


class Command(BaseCommand):
    help = (
        "Render every customer's and visitor's page anew on its next view. Writes made through Django do this "
        "by themselves; run it after changing the database by hand (psql, a restore)."
    )

    def handle(self, *args, **options) -> None:
        pagecache.forget_all()
        self.stdout.write(self.style.SUCCESS("Kept pages will be rendered anew."))
