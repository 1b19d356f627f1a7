"""Demo catalogue for ``manage.py seed_demo``: products, formats, finishes, pictures, shipping, VAT (idempotent)."""

from __future__ import annotations

import io
import random

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFilter

from orders.models import Finish, Format, Product, ProductImage, ProductKind, ShippingMethod, VatRate
from photos.demo import picture

# The demo shopper's photos: enough for a suggested 20-page photo book.
SUGGESTION_PHOTOS = 20

GLOSSY = ("glossy", "Glanzend", "Brillant", "Glossy")
MATTE = ("matte", "Mat", "Mat", "Matte")

# slug, kind, photos per item, names (nl, fr, en), descriptions (nl, fr, en),
# formats (code, name, long mm, short mm, price in cents), finishes (code, nl, fr, en, surcharge, default).
PRODUCTS = [
    (
        "classic-prints",
        ProductKind.PRINT,
        1,
        ("Klassieke foto's", "Tirages classiques", "Classic prints"),
        (
            "Je foto's afgedrukt op echt fotopapier, in de klassieke formaten. Kies glanzend of mat.",
            "Vos photos tirées sur du vrai papier photo, aux formats classiques. Brillant ou mat, à vous de choisir.",
            "Your photos printed on real photo paper in the classic sizes. Choose glossy or matte.",
        ),
        [
            ("10x15", "10 x 15 cm", 152, 102, 29),
            ("13x18", "13 x 18 cm", 178, 127, 59),
            ("20x30", "20 x 30 cm", 305, 203, 249),
        ],
        [(*GLOSSY, 0, True), (*MATTE, 0, False)],
    ),
    (
        "square-prints",
        ProductKind.SQUARE_PRINT,
        1,
        ("Vierkante foto's", "Tirages carrés", "Square prints"),
        (
            "Vierkant, zoals je ze op je telefoon maakt. Mooi in een rij aan de muur.",
            "Carrés, comme sur votre téléphone. Superbes alignés au mur.",
            "Square, the way your phone takes them. Lovely in a row on the wall.",
        ),
        [
            ("10x10", "10 x 10 cm", 102, 102, 35),
            ("13x13", "13 x 13 cm", 127, 127, 65),
            ("20x20", "20 x 20 cm", 203, 203, 229),
        ],
        [(*GLOSSY, 0, True), (*MATTE, 0, False)],
    ),
    (
        "posters",
        ProductKind.POSTER,
        1,
        ("Posters", "Posters", "Posters"),
        (
            "Je mooiste foto in het groot, op stevig posterpapier van 200 g/m². Opgerold verstuurd in een koker.",
            "Votre plus belle photo en grand, sur papier poster 200 g/m². Envoyée roulée dans un tube.",
            "Your best photo, large, on sturdy 200 g/m² poster paper. Shipped rolled in a tube.",
        ),
        [
            ("30x40", "30 x 40 cm", 406, 305, 995),
            ("50x70", "50 x 70 cm", 700, 500, 1995),
            ("60x90", "60 x 90 cm", 900, 600, 2995),
        ],
        [(*MATTE, 0, True), (*GLOSSY, 200, False)],
    ),
    (
        "photo-book",
        ProductKind.PHOTO_BOOK,
        20,
        ("Fotoboek", "Livre photo", "Photo book"),
        (
            "Een harde kaft en 20 pagina's met je mooiste momenten. Vraag een voorstel met je beste foto's.",
            "Une couverture rigide et 20 pages de vos plus beaux moments. Demandez une suggestion avec vos "
            "meilleures photos.",
            "A hard cover and 20 pages of your best moments. Ask for a suggestion made from your best photos.",
        ),
        [
            ("book-20x20", "20 x 20 cm, harde kaft", 200, 200, 2995),
            ("book-a4", "A4 liggend, harde kaft", 297, 210, 3995),
        ],
        [(*MATTE, 0, True), ("lay-flat", "Lay-flat", "Lay-flat", "Lay-flat", 800, False)],
    ),
    (
        "calendar",
        ProductKind.CALENDAR,
        12,
        ("Kalender", "Calendrier", "Calendar"),
        (
            "Een wandkalender met twaalf maanden en twaalf van je foto's, met ringband.",
            "Un calendrier mural de douze mois avec douze de vos photos, à reliure spirale.",
            "A wall calendar of twelve months with twelve of your photos, spiral bound.",
        ),
        [
            ("calendar-a4", "A4", 297, 210, 1995),
            ("calendar-a3", "A3", 420, 297, 2795),
        ],
        [(*MATTE, 0, True), (*GLOSSY, 0, False)],
    ),
    (
        "stamps",
        ProductKind.STAMP,
        1,
        ("Gepersonaliseerde postzegels", "Timbres personnalisés", "Personalised stamps"),
        (
            "Een vel van 10 postzegels met je eigen foto, geldig voor verzending binnen je land.",
            "Une feuille de 10 timbres avec votre photo, valables pour un envoi national.",
            "A sheet of 10 stamps with your own photo, valid for domestic post.",
        ),
        [("sheet-10", "Vel van 10", 40, 30, 1450)],
        [],
    ),
]

FORMAT_NAMES_FR_EN = {
    "20 x 20 cm, harde kaft": ("20 x 20 cm, couverture rigide", "20 x 20 cm, hard cover"),
    "A4 liggend, harde kaft": ("A4 paysage, couverture rigide", "A4 landscape, hard cover"),
    "Vel van 10": ("Feuille de 10", "Sheet of 10"),
}

# code, country, names (nl, fr, en), price in cents, carrier, tracking link
SHIPPING = [
    (
        "bpost-standard",
        "BE",
        ("Bpost, in je brievenbus", "Bpost, dans votre boîte aux lettres", "Bpost, to your letterbox"),
        295,
        "bpost",
        "https://track.bpost.cloud/btr/web/#/search?itemCode={code}",
    ),
    (
        "bpost-home",
        "BE",
        ("Bpost, thuislevering", "Bpost, livraison à domicile", "Bpost, home delivery"),
        595,
        "bpost",
        "https://track.bpost.cloud/btr/web/#/search?itemCode={code}",
    ),
    (
        "postnl-standard",
        "NL",
        ("PostNL, in je brievenbus", "PostNL, dans votre boîte aux lettres", "PostNL, to your letterbox"),
        395,
        "PostNL",
        "https://jouw.postnl.nl/track-and-trace/{code}",
    ),
    (
        "postnl-home",
        "NL",
        ("PostNL, thuisbezorgd", "PostNL, livraison à domicile", "PostNL, home delivery"),
        695,
        "PostNL",
        "https://jouw.postnl.nl/track-and-trace/{code}",
    ),
]

# VAT in basis points per country: books at the reduced rate (BE 6%, NL 9%), the rest at the standard 21%.
VAT_RATES = {
    "BE": {ProductKind.PHOTO_BOOK: 600},
    "NL": {ProductKind.PHOTO_BOOK: 900},
}
STANDARD_RATE = 2100


def vat_rates_seed() -> int:
    """Set the BE and NL VAT rates of every product kind and of shipping; return how many there are."""
    kinds = [*ProductKind.values, "shipping"]
    for country, reduced in VAT_RATES.items():
        for kind in kinds:
            VatRate.objects.update_or_create(
                kind=kind, country=country, defaults={"rate_bp": reduced.get(kind, STANDARD_RATE)}
            )
    return VatRate.objects.count()


def product_picture(kind: str, seed: int) -> bytes:
    """Draw a simple picture of a product (a PNG): photos on a table, a poster, a book, a calendar, stamps."""
    rng = random.Random(seed)  # noqa: S311 (pictures, not secrets)
    width, height = 800, 600
    image = Image.new("RGB", (width, height), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 3 // 4, width, height], fill=(214, 206, 192))

    def photo(w: int, h: int, photo_seed: int, border: int = 12) -> Image.Image:
        card = Image.new("RGB", (w, h), (255, 255, 255))
        card.paste(picture(w - 2 * border, h - 2 * border, seed=photo_seed), (border, border))
        return card

    def place(card: Image.Image, x: int, y: int, angle: float = 0) -> None:
        rotated = card.convert("RGBA").rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
        shadow = Image.new("RGBA", rotated.size, (0, 0, 0, 0))
        shadow.paste((0, 0, 0, 70), mask=rotated.getchannel("A"))
        shadow = shadow.filter(ImageFilter.GaussianBlur(8))
        image.paste(shadow, (x + 6, y + 8), shadow)
        image.paste(rotated, (x, y), rotated)

    if kind in (ProductKind.PRINT, ProductKind.SQUARE_PRINT):
        square = kind == ProductKind.SQUARE_PRINT
        for index, angle in enumerate((-9, 4, -2)):
            w, h = (260, 260) if square else (330, 230)
            place(photo(w, h, seed * 10 + index), 90 + index * 170, 120 + rng.randrange(-30, 60), angle)
    elif kind == ProductKind.POSTER:
        draw.rectangle([0, 0, width, height * 3 // 4], fill=(226, 220, 210))
        frame = Image.new("RGB", (300, 400), (40, 40, 40))
        frame.paste(photo(276, 376, seed, border=20), (12, 12))
        place(frame, 250, 40)
    elif kind == ProductKind.PHOTO_BOOK:
        book = Image.new("RGB", (560, 300), (250, 250, 248))
        book.paste(picture(250, 250, seed=seed), (20, 25))
        book.paste(picture(250, 250, seed=seed + 1), (290, 25))
        ImageDraw.Draw(book).line([280, 0, 280, 300], fill=(200, 200, 196), width=3)
        place(book, 120, 150, -3)
    elif kind == ProductKind.CALENDAR:
        sheet = Image.new("RGB", (340, 480), (255, 255, 255))
        sheet.paste(picture(300, 220, seed=seed), (20, 40))
        grid = ImageDraw.Draw(sheet)
        for row in range(5):
            for col in range(7):
                x, y = 24 + col * 42, 285 + row * 36
                grid.rectangle([x, y, x + 34, y + 28], outline=(190, 190, 190))
        for ring in range(8):
            grid.ellipse([40 + ring * 38, 10, 52 + ring * 38, 22], fill=(90, 90, 90))
        place(sheet, 230, 50, 2)
    else:
        sheet = Image.new("RGB", (520, 340), (255, 255, 255))
        for index in range(10):
            x, y = 20 + (index % 5) * 100, 20 + (index // 5) * 160
            stamp = picture(80, 110, seed=seed + index)
            sheet.paste(stamp, (x + 6, y + 6))
            edge = ImageDraw.Draw(sheet)
            for step in range(0, 120, 10):
                edge.ellipse([x - 2, y + step, x + 4, y + step + 6], fill=(236, 232, 224))
        place(sheet, 140, 120, -4)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


@transaction.atomic
def seed_catalogue() -> int:
    """Create or refresh the demo catalogue, shipping methods and VAT rates; return the number of products."""
    for position, (slug, kind, per_item, names, descriptions, formats, finishes) in enumerate(PRODUCTS):
        product, _created = Product.objects.update_or_create(
            slug=slug,
            defaults={
                "kind": kind,
                "photos_per_item": per_item,
                "name_nl": names[0],
                "name_fr": names[1],
                "name_en": names[2],
                "description_nl": descriptions[0],
                "description_fr": descriptions[1],
                "description_en": descriptions[2],
                "position": position * 10,
                "is_active": True,
            },
        )
        for fmt_position, (code, name, long_mm, short_mm, price) in enumerate(formats):
            name_fr, name_en = FORMAT_NAMES_FR_EN.get(name, (name, name))
            Format.objects.update_or_create(
                product=product,
                code=code,
                defaults={
                    "name_nl": name,
                    "name_fr": name_fr,
                    "name_en": name_en,
                    # Portrait for the tall products (posters, calendars), landscape for the rest.
                    "width_mm": short_mm if kind in (ProductKind.POSTER, ProductKind.CALENDAR) else long_mm,
                    "height_mm": long_mm if kind in (ProductKind.POSTER, ProductKind.CALENDAR) else short_mm,
                    "price_cents": price,
                    "position": fmt_position,
                    "is_active": True,
                },
            )
        # The default flag moves in two steps: the database allows one default per product at any time.
        product.finishes.update(is_default=False)
        for finish_position, (code, nl, fr, en, surcharge, default) in enumerate(finishes):
            Finish.objects.update_or_create(
                product=product,
                code=code,
                defaults={
                    "name_nl": nl,
                    "name_fr": fr,
                    "name_en": en,
                    "surcharge_cents": surcharge,
                    "is_default": default,
                    "position": finish_position,
                    "is_active": True,
                },
            )
        if not product.images.exists():
            # No alt text of its own: the pages describe the picture with the product name in their language.
            image = ProductImage(product=product, position=0)
            image.image.save(f"{slug}.png", ContentFile(product_picture(kind, seed=position + 3)), save=False)
            image.full_clean()
            image.save()
    for position, (code, country, names, price, carrier, tracking) in enumerate(SHIPPING):
        ShippingMethod.objects.update_or_create(
            code=code,
            country=country,
            defaults={
                "name_nl": names[0],
                "name_fr": names[1],
                "name_en": names[2],
                "price_cents": price,
                "carrier": carrier,
                "tracking_url": tracking,
                "position": position,
                "is_active": True,
            },
        )
    vat_rates_seed()
    # ``update`` above sends no signal: start a new catalogue version for the cached pages.
    from orders.services.catalogue import catalogue_version_bump

    transaction.on_commit(catalogue_version_bump)
    return len(PRODUCTS)
