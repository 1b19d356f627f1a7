"""Removal of the GPS location from an image file itself (PIX-7), leaving the picture untouched.

Every edit keeps the length of what it edits: the GPS sub-IFD of an EXIF
block and its values are zeroed and the pointer to it is taken out of the
IFD that holds it; XMP GPS properties are overwritten with spaces. So no
offset anywhere else moves, and the maker notes and the EXIF thumbnail,
which Pillow's ``Exif.tobytes()`` drops or relocates (breaking the maker
notes' own offsets), stay as they were.

Per format:

- JPEG: the marker segments before the first scan are parsed; only APP1
  EXIF and XMP segments (extended XMP included) change. The scan header and
  the entropy-coded data after it are copied byte for byte: no re-encoding.
- PNG: the ``eXIf`` chunk, the XMP ``iTXt`` chunk and ImageMagick's legacy
  "Raw profile type exif/APP1" text chunks are rewritten with a new CRC;
  the image data chunks are copied as they are.
- WebP: the ``EXIF`` and ``XMP `` chunks are rewritten in place in the RIFF
  container (same sizes); the bitstream is copied as it is.
- HEIC/HEIF: the EXIF and XMP items are found by their exact bytes (as
  pillow-heif reads them) and rewritten in place, so the item locations
  stay valid. Only if an item cannot be found exactly once is the image
  re-saved by pillow-heif with its EXIF minus GPS, which re-encodes it: the
  one case where pixels may change, accepted because the location must go.
"""

from __future__ import annotations

import io
import re
import struct
import tempfile
import zlib
from typing import IO

from PIL import ExifTags, Image
from pillow_heif import register_heif_opener

register_heif_opener()

GPS_IFD_TAG = int(ExifTags.IFD.GPSInfo)  # 0x8825
# Bytes per value of each TIFF field type (TIFF 6.0, section 2; 13 is an IFD offset).
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
MAX_IFDS = 16  # a chain longer than this is damaged (or a loop)

JPEG_EXIF = b"Exif\x00\x00"
JPEG_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
JPEG_XMP_EXTENSION = b"http://ns.adobe.com/xmp/extension/\x00"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_XMP_KEYWORD = b"XML:com.adobe.xmp"
PNG_RAW_PROFILES = (b"Raw profile type exif", b"Raw profile type APP1")

# An XMP property whose local name starts with "GPS" (exif:GPSLatitude, exif:GPSLongitude,
# exif:GPSAltitude, ...; DJI writes drone-dji:GpsLatitude), as an attribute or as an element.
_GPS_NAME = rb"[A-Za-z_][\w.-]*:(?i:gps)[\w.-]*"
_XMP_ATTRIBUTE = re.compile(rb"\s" + _GPS_NAME + rb"\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_XMP_ELEMENT = re.compile(rb"<(" + _GPS_NAME + rb")(?=[\s/>])[^>]*?(?:/>|>.*?</\1\s*>)", re.DOTALL)

COPY_CHUNK = 1024 * 1024
SPOOL_BYTES = 8 * 1024 * 1024


class _Sink:
    """An output that counts what it is given and keeps none of it (for a presence check)."""

    def write(self, data: bytes) -> int:
        return len(data)


# --- EXIF (TIFF structure) ----------------------------------------------------------------------


def tiff_without_gps(data: bytes) -> bytes | None:
    """Return an EXIF block (TIFF, optionally after ``Exif\\0\\0``) without its GPS IFD; None if it has none.

    The result has the same length: the GPS IFD and its values are zeroed,
    and its entry leaves each IFD of the main chain that points to it.
    """
    start = len(JPEG_EXIF) if data.startswith(JPEG_EXIF) else 0
    tiff = bytearray(data[start:])
    if tiff[:4] == b"II*\x00":
        order = "<"
    elif tiff[:4] == b"MM\x00*":
        order = ">"
    else:
        return None
    changed = False
    offset = struct.unpack_from(order + "I", tiff, 4)[0]
    seen: set[int] = set()
    while offset and offset not in seen and len(seen) < MAX_IFDS and offset + 2 <= len(tiff):
        seen.add(offset)
        changed |= _drop_gps_entry(tiff, offset, order)
        count = struct.unpack_from(order + "H", tiff, offset)[0]
        pointer = offset + 2 + 12 * count
        offset = struct.unpack_from(order + "I", tiff, pointer)[0] if pointer + 4 <= len(tiff) else 0
    if not changed:
        return None
    return data[:start] + bytes(tiff)


def _drop_gps_entry(tiff: bytearray, ifd: int, order: str) -> bool:
    """Take the GPS pointer out of one IFD (zeroing what it points to); return whether there was one."""
    count = struct.unpack_from(order + "H", tiff, ifd)[0]
    count = min(count, (len(tiff) - ifd - 2) // 12)
    for index in range(count):
        entry = ifd + 2 + 12 * index
        if struct.unpack_from(order + "H", tiff, entry)[0] != GPS_IFD_TAG:
            continue
        _zero_ifd(tiff, struct.unpack_from(order + "I", tiff, entry + 8)[0], order)
        # Move the later entries and the next-IFD pointer up by one entry; zero the freed bytes.
        end = min(ifd + 2 + 12 * count + 4, len(tiff))
        tail = bytes(tiff[entry + 12 : end])
        tiff[entry : entry + len(tail)] = tail
        tiff[entry + len(tail) : end] = bytes(end - entry - len(tail))
        struct.pack_into(order + "H", tiff, ifd, count - 1)
        return True
    return False


def _zero_ifd(tiff: bytearray, ifd: int, order: str) -> None:
    """Overwrite an IFD, and every value stored outside it, with zeros."""
    if not 8 <= ifd <= len(tiff) - 2:
        return
    count = min(struct.unpack_from(order + "H", tiff, ifd)[0], (len(tiff) - ifd - 2) // 12)
    for index in range(count):
        entry = ifd + 2 + 12 * index
        kind, number, pointer = struct.unpack_from(order + "HII", tiff, entry + 2)
        size = TYPE_SIZES.get(kind, 0) * number
        if size > 4 and 8 <= pointer < len(tiff):
            tiff[pointer : min(pointer + size, len(tiff))] = bytes(min(size, len(tiff) - pointer))
    end = min(ifd + 2 + 12 * count + 4, len(tiff))
    tiff[ifd:end] = bytes(end - ifd)


def xmp_without_gps(data: bytes) -> bytes | None:
    """Return an XMP packet with its GPS properties blanked out (same length); None if it has none."""

    def blank(match: re.Match) -> bytes:
        return b" " * len(match.group())

    cleaned = _XMP_ELEMENT.sub(blank, _XMP_ATTRIBUTE.sub(blank, data))
    return cleaned if cleaned != data else None


# --- Files ----------------------------------------------------------------------------------------


class Unparsable(ValueError):
    """The file's structure is not what its format prescribes (Pillow may still decode it)."""


def strip(source: IO[bytes], image_format: str) -> IO[bytes] | None:
    """Return a copy of an image file without its GPS location, positioned at 0; None if it carries none.

    ``image_format`` is Pillow's name for it (JPEG, PNG, WEBP, HEIF). A file
    whose structure cannot be followed is re-saved by Pillow without GPS, as
    close to the original as Pillow allows (the location must not stay).
    """
    output = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned to the caller)
    try:
        try:
            changed = _rewrite(source, output, image_format)
        except Unparsable:
            output.seek(0)
            output.truncate()
            changed = _resave(source, output)
    except BaseException:
        output.close()
        raise
    if not changed:
        output.close()
        return None
    output.seek(0)
    return output


def has_location(source: IO[bytes], image_format: str) -> bool:
    """Whether an image file carries a GPS location (in EXIF or XMP); a file that cannot be followed may."""
    try:
        return _rewrite(source, _Sink(), image_format)
    except Unparsable:
        return True


def _rewrite(source: IO[bytes], output, image_format: str) -> bool:
    source.seek(0)
    try:
        if image_format == "JPEG":
            return _jpeg(source, output)
        if image_format == "PNG":
            return _png(source, output)
        if image_format == "WEBP":
            return _webp(source, output)
        if image_format == "HEIF":
            return _heif(source, output)
        return False
    except Unparsable:
        raise
    except (struct.error, zlib.error, ValueError, IndexError) as exc:
        raise Unparsable(str(exc)) from exc
    finally:
        source.seek(0)


def _resave(source: IO[bytes], output) -> bool:
    """Re-save an image with Pillow, keeping its EXIF minus GPS; XMP is left out."""
    source.seek(0)
    with Image.open(source) as image:
        exif = image.info.get("exif") or b""
        options: dict = {"exif": tiff_without_gps(exif) or exif}
        if image.info.get("icc_profile"):
            options["icc_profile"] = image.info["icc_profile"]
        if image.format == "JPEG":
            options.update(quality="keep", subsampling="keep")  # the original's tables: least loss
        elif image.format in ("WEBP", "HEIF"):
            options["quality"] = 95
        image_format = image.format
        image.load()
        image.save(output, image_format, **options)
    source.seek(0)
    return True


def _read_exactly(source: IO[bytes], size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise Unparsable("the file ends inside a segment")
    return data


def _copy_rest(source: IO[bytes], output) -> None:
    for chunk in iter(lambda: source.read(COPY_CHUNK), b""):
        output.write(chunk)


def _copy_exactly(source: IO[bytes], output, size: int) -> None:
    while size > 0:
        chunk = _read_exactly(source, min(size, COPY_CHUNK))
        output.write(chunk)
        size -= len(chunk)


def _jpeg(source: IO[bytes], output) -> bool:
    """Rewrite the APP1 EXIF and XMP segments of a JPEG; copy everything else byte for byte."""
    if _read_exactly(source, 2) != b"\xff\xd8":
        raise Unparsable("not a JPEG")
    # The segments before the first scan are small (each at most 64 KB): read them all first,
    # since extended XMP is split over several segments and must be edited as one.
    segments: list[list[bytes]] = []  # [marker bytes, payload]
    while True:
        byte = _read_exactly(source, 1)
        if byte != b"\xff":
            raise Unparsable("no marker where one was expected")
        marker = _read_exactly(source, 1)
        while marker == b"\xff":  # fill bytes before a marker
            marker = _read_exactly(source, 1)
        code = marker[0]
        if code == 0x01 or 0xD0 <= code <= 0xD9:  # markers without a length
            segments.append([b"\xff" + marker, b""])
            if code == 0xD9:
                break
            continue
        length = struct.unpack(">H", _read_exactly(source, 2))[0]
        if length < 2:
            raise Unparsable("bad segment length")
        segments.append([b"\xff" + marker, _read_exactly(source, length - 2)])
        if code == 0xDA:  # start of scan: the rest is image data, copied untouched
            break
    changed = False
    extended: dict[bytes, list[list[bytes]]] = {}
    for segment in segments:
        marker, payload = segment
        if marker != b"\xff\xe1":
            continue
        if payload.startswith(JPEG_EXIF):
            edited = tiff_without_gps(payload)
        elif payload.startswith(JPEG_XMP):
            edited = xmp_without_gps(payload)
        elif payload.startswith(JPEG_XMP_EXTENSION):
            guid = payload[len(JPEG_XMP_EXTENSION) : len(JPEG_XMP_EXTENSION) + 32]
            extended.setdefault(guid, []).append(segment)
            continue
        else:
            continue
        if edited is not None:
            segment[1] = edited
            changed = True
    changed |= _jpeg_extended_xmp(extended)
    output.write(b"\xff\xd8")
    for marker, payload in segments:
        output.write(marker)
        if marker[1] != 0x01 and not 0xD0 <= marker[1] <= 0xD9:
            output.write(struct.pack(">H", len(payload) + 2) + payload)
    _copy_rest(source, output)
    return changed


def _jpeg_extended_xmp(extended: dict[bytes, list[list[bytes]]]) -> bool:
    """Edit each extended XMP packet as a whole and put the pieces back where they were."""
    header = len(JPEG_XMP_EXTENSION) + 32 + 8  # namespace, GUID, full length, offset
    changed = False
    for pieces in extended.values():
        located = sorted((struct.unpack(">I", p[1][header - 4 : header])[0], p) for p in pieces)
        whole = b"".join(p[1][header:] for _offset, p in located)
        edited = xmp_without_gps(whole)
        if edited is None:
            continue
        changed = True
        position = 0
        for _offset, piece in located:
            size = len(piece[1]) - header
            piece[1] = piece[1][:header] + edited[position : position + size]
            position += size
    return changed


def _png(source: IO[bytes], output) -> bool:
    """Rewrite the PNG chunks that carry EXIF or XMP; copy every other chunk as it is."""
    if _read_exactly(source, 8) != PNG_SIGNATURE:
        raise Unparsable("not a PNG")
    output.write(PNG_SIGNATURE)
    changed = False
    while True:
        head = source.read(8)
        if not head:
            return changed
        if len(head) != 8:
            raise Unparsable("the file ends inside a chunk")
        length, kind = struct.unpack(">I4s", head)
        if kind not in (b"eXIf", b"iTXt", b"tEXt", b"zTXt"):
            output.write(head)
            _copy_exactly(source, output, length + 4)  # data and CRC
            if kind == b"IEND":
                _copy_rest(source, output)
                return changed
            continue
        data = _read_exactly(source, length)
        crc = _read_exactly(source, 4)
        edited = _png_chunk_without_gps(kind, data)
        if edited is None:
            output.write(head + data + crc)
            continue
        changed = True
        output.write(struct.pack(">I4s", len(edited), kind) + edited)
        output.write(struct.pack(">I", zlib.crc32(kind + edited) & 0xFFFFFFFF))


def _png_chunk_without_gps(kind: bytes, data: bytes) -> bytes | None:
    if kind == b"eXIf":
        return tiff_without_gps(data)
    keyword, _sep, rest = data.partition(b"\x00")
    if kind == b"iTXt" and keyword == PNG_XMP_KEYWORD and len(rest) >= 2:
        compressed, method, tail = rest[0], rest[1:2], rest[2:]
        language, _sep, tail = tail.partition(b"\x00")
        translated, _sep, text = tail.partition(b"\x00")
        packet = zlib.decompress(text) if compressed else text
        edited = xmp_without_gps(packet)
        if edited is None:
            return None
        body = zlib.compress(edited) if compressed else edited
        return keyword + b"\x00" + bytes([compressed]) + method + language + b"\x00" + translated + b"\x00" + body
    if kind in (b"tEXt", b"zTXt") and keyword in PNG_RAW_PROFILES:
        # ImageMagick's legacy form: "\n<name>\n<length>\n<hex, 72 per line>", zlib-compressed in zTXt.
        text = zlib.decompress(rest[1:]) if kind == b"zTXt" else rest
        lines = text.split(b"\n")
        try:
            profile = bytes.fromhex(b"".join(lines[3:]).decode("ascii"))
        except ValueError:
            return None
        edited = tiff_without_gps(profile)
        if edited is None:
            return None
        hexed = edited.hex().encode("ascii")
        body = b"\n".join([*lines[:3], *(hexed[i : i + 72] for i in range(0, len(hexed), 72))]) + b"\n"
        if kind == b"zTXt":
            return keyword + b"\x00" + rest[:1] + zlib.compress(body)
        return keyword + b"\x00" + body
    return None


def _webp(source: IO[bytes], output) -> bool:
    """Rewrite the EXIF and XMP chunks of a WebP in place (same sizes); copy the rest as it is."""
    header = _read_exactly(source, 12)
    if header[:4] != b"RIFF" or header[8:12] != b"WEBP":
        raise Unparsable("not a WebP")
    output.write(header)
    changed = False
    while True:
        head = source.read(8)
        if not head:
            return changed
        if len(head) != 8:
            raise Unparsable("the file ends inside a chunk")
        kind, size = struct.unpack("<4sI", head)
        padded = size + (size & 1)
        output.write(head)
        if kind not in (b"EXIF", b"XMP "):
            _copy_exactly(source, output, padded)
            continue
        data = _read_exactly(source, padded)
        edited = tiff_without_gps(data[:size]) if kind == b"EXIF" else xmp_without_gps(data[:size])
        if edited is not None:
            changed = True
            data = edited + data[size:]
        output.write(data)


def _heif(source: IO[bytes], output) -> bool:
    """Rewrite the EXIF and XMP items of a HEIF file in place: the same lengths, so every location stays valid."""
    data = bytearray(source.read())
    changed = False
    for kind, extents in _heif_metadata_items(data):
        payload = b"".join(bytes(data[start : start + length]) for start, length in extents)
        if kind == "exif":
            if len(payload) < 4:
                continue
            # The item starts with the offset of the TIFF header within the rest.
            skip = 4 + struct.unpack(">I", payload[:4])[0]
            edited = tiff_without_gps(payload[skip:])
            edited = payload[:skip] + edited if edited is not None else None
        else:
            edited = xmp_without_gps(payload)
        if edited is None:
            continue
        changed = True
        position = 0
        for start, length in extents:
            data[start : start + length] = edited[position : position + length]
            position += length
    if changed:
        # pillow-heif is the reader that matters: a GPS block it still finds means an item was missed.
        with Image.open(io.BytesIO(data)) as image:
            exif = image.info.get("exif") or b""
            if tiff_without_gps(exif) is not None or xmp_without_gps(image.info.get("xmp") or b"") is not None:
                raise Unparsable("a GPS block is stored where it could not be edited")
    output.write(data)
    return changed


def _boxes(data: bytearray, start: int, end: int):
    """Yield (type, content start, box end) for each ISO base media box between two offsets."""
    while start + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, start)
        header = 8
        if size == 1:
            size = struct.unpack_from(">Q", data, start + 8)[0]
            header = 16
        elif size == 0:
            size = end - start
        if size < header or start + size > end:
            raise Unparsable("a box runs past its parent")
        yield kind, start + header, start + size
        start += size


def _heif_metadata_items(data: bytearray) -> list[tuple[str, list[tuple[int, int]]]]:
    """Return the EXIF and XMP items of a HEIF file, each as ("exif" or "xmp", [(file offset, length), ...])."""
    meta = next(((s, e) for kind, s, e in _boxes(data, 0, len(data)) if kind == b"meta"), None)
    if meta is None:
        return []
    children = {kind: (s, e) for kind, s, e in _boxes(data, meta[0] + 4, meta[1])}  # meta is a full box
    if b"iinf" not in children or b"iloc" not in children:
        return []
    kinds = _heif_item_kinds(data, *children[b"iinf"])
    if not kinds:
        return []
    idat = children.get(b"idat", (0, 0))[0]
    items = []
    for item_id, method, extents in _heif_locations(data, *children[b"iloc"]):
        if item_id not in kinds:
            continue
        if method not in (0, 1):
            raise Unparsable("a metadata item is built from another item")
        base = idat if method == 1 else 0
        # A length of 0 means "to the end" (of the file, or of the idat box).
        limit = children[b"idat"][1] if method == 1 and b"idat" in children else len(data)
        located = [(base + offset, length or limit - base - offset) for offset, length in extents]
        if any(offset + length > len(data) for offset, length in located):
            raise Unparsable("a metadata item lies past the end of the file")
        items.append((kinds[item_id], located))
    return items


def _heif_item_kinds(data: bytearray, start: int, end: int) -> dict[int, str]:
    """Map item ids to "exif" or "xmp" from the item information box."""
    version = data[start]
    position = start + 4 + (2 if version == 0 else 4)
    kinds = {}
    for kind, s, box_end in _boxes(data, position, end):
        if kind != b"infe" or data[s] < 2:
            continue
        id_size = 2 if data[s] == 2 else 4
        item_id = int.from_bytes(data[s + 4 : s + 4 + id_size], "big")
        type_at = s + 4 + id_size + 2  # after the protection index
        item_type = bytes(data[type_at : type_at + 4])
        if item_type == b"Exif":
            kinds[item_id] = "exif"
        elif item_type == b"mime":
            name_end = data.index(b"\x00", type_at + 4, box_end)
            content_type = bytes(data[name_end + 1 : data.index(b"\x00", name_end + 1, box_end)])
            if content_type == b"application/rdf+xml":
                kinds[item_id] = "xmp"
    return kinds


def _heif_locations(data: bytearray, start: int, end: int):
    """Yield (item id, construction method, [(offset, length), ...]) from the item location box."""
    version = data[start]
    position = start + 4
    offset_size, length_size = data[position] >> 4, data[position] & 15
    base_size, index_size = data[position + 1] >> 4, data[position + 1] & 15
    position += 2

    def number(size: int) -> int:
        nonlocal position
        if position + size > end:
            raise Unparsable("the item location box is cut short")
        value = int.from_bytes(data[position : position + size], "big")
        position += size
        return value

    for _ in range(number(2 if version < 2 else 4)):
        item_id = number(2 if version < 2 else 4)
        method = number(2) & 15 if version in (1, 2) else 0
        number(2)  # data reference index
        base = number(base_size)
        extents = []
        for _ in range(number(2)):
            if version in (1, 2) and index_size:
                number(index_size)
            extents.append((base + number(offset_size), number(length_size)))
        yield item_id, method, extents
