"""Real image files made in the tests: JPEG with EXIF, PNG, WebP, HEIC, bombs and broken files."""

from __future__ import annotations

import io

from PIL import ExifTags, Image
from pillow_heif import register_heif_opener

from photos.demo import picture

register_heif_opener()


def exif(*, orientation: int = 1, gps: bool = False, make: str = "Canon", model: str = "EOS R6") -> Image.Exif:
    data = Image.Exif()
    data[ExifTags.Base.Make] = make
    data[ExifTags.Base.Model] = model
    data[ExifTags.Base.Orientation] = orientation
    data[ExifTags.Base.DateTime] = "2025:07:14 15:30:00"
    if gps:
        data[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (50.0, 50.0, 48.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (4.0, 21.0, 36.0),
        }
    return data


# An XMP packet with a GPS position, as phones and Lightroom write it (attributes and an element).
XMP_GPS = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
    b' exif:GPSLatitude="50,50.8N" exif:GPSLongitude="4,21.6E" xmp:Rating="4">'
    b"<exif:GPSAltitude>12/1</exif:GPSAltitude></rdf:Description></rdf:RDF></x:xmpmeta>"
    b'<?xpacket end="w"?>'
)


def encode(image: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    out = io.BytesIO()
    if fmt == "HEIF":
        image.save(out, format="HEIF", **{"quality": 80, **options})
    else:
        image.save(out, fmt, **options)
    return out.getvalue()


def jpeg(width: int = 800, height: int = 600, *, seed: int = 1, xmp: bytes = b"", **exif_options) -> bytes:
    options = {"xmp": xmp} if xmp else {}
    return encode(picture(width, height, seed), "JPEG", quality=90, exif=exif(**exif_options), **options)


def decompression_bomb(pixels_side: int = 20_000) -> bytes:
    """A tiny PNG that claims a huge canvas (a one-colour image compresses to almost nothing)."""
    return encode(Image.new("1", (pixels_side, pixels_side)), "PNG", optimize=True)
