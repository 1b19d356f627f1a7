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


def jpeg_with_tags(*, base: dict | None = None, gps: dict | None = None, seed: int = 1) -> bytes:
    """A JPEG whose EXIF holds exactly the tags given (what a broken camera or an attacker writes)."""
    data = Image.Exif()
    for tag, value in (base or {}).items():
        data[tag] = value
    if gps is not None:
        data[ExifTags.IFD.GPSInfo] = gps
    return encode(picture(640, 480, seed), "JPEG", quality=85, exif=data)


def damaged_png(seed: int = 1) -> bytes:
    """A PNG whose chunks are intact (right lengths and CRCs) but whose compressed pixels are garbage."""
    import struct
    import zlib

    data = bytearray(encode(picture(320, 240, seed), "PNG"))
    start = data.index(b"IDAT") - 4
    length = struct.unpack(">I", data[start : start + 4])[0]
    payload = start + 8
    for index in range(payload + 40, payload + length - 40, 7):
        data[index] ^= 0x5A
    data[payload + length : payload + length + 4] = struct.pack(">I", zlib.crc32(data[start + 4 : payload + length]))
    return bytes(data)


def mpo(seed: int = 1, *, gps: bool = False) -> bytes:
    """A multi-picture JPEG as phones and 3D cameras write it: the primary image, then a second one."""
    out = io.BytesIO()
    first, second = picture(640, 480, seed), picture(640, 480, seed + 1)
    first.save(out, "MPO", save_all=True, append_images=[second], exif=exif(gps=gps), quality=85)
    return out.getvalue()


def motion_photo(seed: int = 1) -> bytes:
    """A JPEG followed by a short MP4-like video (Google/Samsung motion photos append it after the image)."""
    video = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 40
    return jpeg(seed=seed) + video
