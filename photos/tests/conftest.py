import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from photos import nsfw


class FixedScanner(nsfw.Scanner):
    """A scanner whose answer the test sets (the real backends have tests of their own)."""

    answer: dict[str, float] = {}
    unavailable = False

    def labels(self, image):
        if FixedScanner.unavailable:
            raise nsfw.ScannerUnavailable("scanner down")
        return dict(FixedScanner.answer)


@pytest.fixture(autouse=True)
def _english():
    """The photo tests read the messages in English: reversed URLs carry /en/."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fixed_scanner(settings):
    settings.PHOTOS_NSFW_SCANNER = "photos.tests.conftest.FixedScanner"
    FixedScanner.answer = {}
    FixedScanner.unavailable = False
    return FixedScanner


def upload_file(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Post files to the upload view and run what is queued on commit (the processing)."""
    from django.urls import reverse

    def post(client, *files, album="", json=False):
        headers = {"HTTP_ACCEPT": "application/json"} if json else {}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("photos:upload"), {"files": list(files), "album": album}, **headers)

    return post


# The print sizes the photo tests measure against: the shop's formats on sale
# (code, long side, short side in mm), as the catalogue's classic prints and posters have them.
PRINT_FORMATS = [("10x15", 152, 102), ("13x18", 178, 127), ("20x30", 305, 203), ("30x40", 406, 305)]


@pytest.fixture
def print_formats(db):
    """Put the classic print formats on sale: the DPI check reads its sizes from the catalogue."""
    from orders.tests.factories import FormatFactory, ProductFactory

    product = ProductFactory(slug="classic-prints")
    return [
        FormatFactory(product=product, code=code, width_mm=long, height_mm=short, position=position)
        for position, (code, long, short) in enumerate(PRINT_FORMATS)
    ]
