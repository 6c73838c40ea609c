"""Reading what a photo's metadata gives away: GPS coordinates and text.

Sources, in the order they are reported:

* EXIF (JPEG, TIFF, WebP, PNG ``eXIf``, HEIC through pillow-heif): the GPS IFD
  (``0x8825``), ImageDescription, Artist, Copyright, the Windows XP tags
  (XPTitle, XPComment, XPAuthor, XPKeywords, XPSubject: UTF-16LE), and in the
  Exif IFD UserComment and CameraOwnerName;
* IPTC IIM (JPEG APP13, TIFF): object name, headline, caption, keywords,
  by-line, writer;
* XMP: ``dc:title``, ``dc:description``, ``dc:subject``, ``dc:creator``,
  ``photoshop:Headline``, ``Iptc4xmpExt:PersonInImage``, Lightroom's
  hierarchical keywords, Microsoft Photo face regions (``PersonDisplayName``),
  MWG face regions (``mwg-rs:Name``) and ``exif:GPSLatitude`` /
  ``exif:GPSLongitude``.

XMP is read by :mod:`postcheck.vision.xmp` (the standard library's XML parser,
never a document type declaration).

"Present but unreadable" is an outcome, never a silent skip: a block that
cannot be read correctly is listed in :attr:`Metadata.unreadable` (the checks
report it as ``unreadable-input``, which blocks the post). That covers an XMP
packet that still does not parse (its text content is also checked, as
``XMP (unparsed)``), GPS values that cannot be read correctly (a zero
denominator, more than three values, no N/S or E/W reference, a place off the
globe, a latitude without a longitude) and an EXIF block with corrupt fields.
GPS written with one or two values (degrees; degrees and minutes) instead of
three is read as what it is, with the precision those values give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postcheck.vision.gps import GPS, exif_position, haversine_m, human_metres
from postcheck.vision.xmp import SCAN, read_xmp, xmp_packet

__all__ = ["GPS", "Metadata", "Unreadable", "filename_text", "haversine_m", "human_metres", "read_metadata"]


@dataclass(frozen=True)
class TextField:
    source: str  # e.g. "EXIF Artist", "XMP PersonInImage"
    text: str


@dataclass(frozen=True)
class Unreadable:
    """A metadata block that is present but could not be read correctly.
    ``gps``: it holds, or may hold, the photo's location."""

    block: str  # "XMP", "EXIF GPS", "EXIF"
    reason: str
    gps: bool = False
    text: bool = False


@dataclass
class Metadata:
    gps: GPS | None = None
    texts: list[TextField] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)

    def add(self, source: str, value: Any) -> None:
        for text in _strings(value):
            text = _clean(text)
            if text:
                self.texts.append(TextField(source, text))

    def cannot_read(self, block: str, reason: str, gps: bool = False, text: bool = False) -> None:
        self.unreadable.append(Unreadable(block, reason, gps, text))


# --- text helpers --------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]+")


def _clean(text: str) -> str:
    text = _CONTROL.sub(" ", text.replace("\x00", " "))
    return " ".join(text.split())


def _decode_bytes(raw: bytes) -> str:
    for enc in ("utf-8", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        return [_decode_bytes(value)]
    if isinstance(value, list | tuple):
        out: list[str] = []
        for v in value:
            out += _strings(v)
        return out
    return [str(value)]


def _xp(value: Any) -> str:
    """Windows XP* tags: UTF-16LE bytes (or a tuple of byte values)."""
    if isinstance(value, tuple | list):
        value = bytes(int(v) & 0xFF for v in value)
    if isinstance(value, str):
        return value
    if not isinstance(value, bytes | bytearray):
        return str(value)
    return bytes(value).decode("utf-16-le", errors="replace").rstrip("\x00")


def _user_comment(value: Any, big_endian: bool = False) -> str:
    """Exif UserComment: an 8-byte character-code prefix, then the text."""
    if isinstance(value, str):
        return value
    if not isinstance(value, bytes | bytearray):
        return str(value)
    raw = bytes(value)
    head, body = raw[:8], raw[8:]
    if head.startswith(b"UNICODE"):
        if body.startswith(b"\xff\xfe") or body.startswith(b"\xfe\xff"):
            return body.decode("utf-16", errors="replace")
        enc = "utf-16-be" if big_endian else "utf-16-le"
        text = body.decode(enc, errors="replace")
        # Writers disagree about the byte order: keep the reading with fewer oddities.
        other = body.decode("utf-16-le" if big_endian else "utf-16-be", errors="replace")
        return min((text, other), key=lambda t: sum(1 for c in t if not (c.isprintable() or c.isspace())))
    if head.startswith(b"ASCII") or head == b"\x00" * 8 or head.startswith(b"JIS"):
        return _decode_bytes(body)
    return _decode_bytes(raw)


# --- EXIF ----------------------------------------------------------------------------

_IFD0_TEXT = {
    0x010E: "EXIF ImageDescription",
    0x013B: "EXIF Artist",
    0x8298: "EXIF Copyright",
}
_XP_TAGS = {
    0x9C9B: "EXIF XPTitle",
    0x9C9C: "EXIF XPComment",
    0x9C9D: "EXIF XPAuthor",
    0x9C9E: "EXIF XPKeywords",
    0x9C9F: "EXIF XPSubject",
}
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825


def _exif_gps(exif: Any, meta: Metadata) -> GPS | None:
    """The EXIF GPS position; a GPS block that cannot be read correctly is listed
    in ``meta.unreadable`` instead of giving a wrong place."""
    try:
        gps = exif.get_ifd(_GPS_IFD)
    except Exception as exc:
        meta.unreadable.append(Unreadable("EXIF GPS", f"the GPS block is corrupt ({exc})", gps=True))
        return None
    if not gps or (2 not in gps and 4 not in gps):
        return None
    try:
        return exif_position(gps)
    except (TypeError, ValueError, ZeroDivisionError, KeyError) as exc:
        meta.unreadable.append(Unreadable("EXIF GPS", str(exc), gps=True))
        return None


def _exif_texts(exif: Any, meta: Metadata) -> None:
    for tag, source in _IFD0_TEXT.items():
        if tag in exif:
            meta.add(source, exif.get(tag))
    for tag, source in _XP_TAGS.items():
        if tag in exif:
            meta.add(source, _xp(exif.get(tag)))
    try:
        sub = exif.get_ifd(_EXIF_IFD)
    except Exception as exc:
        meta.unreadable.append(Unreadable("EXIF", f"its Exif sub-block is corrupt ({exc})", text=True))
        sub = {}
    big_endian = getattr(exif, "endian", "<") == ">"
    if 0x9286 in sub:
        meta.add("EXIF UserComment", _user_comment(sub[0x9286], big_endian))
    if 0xA430 in sub:
        meta.add("EXIF CameraOwnerName", sub[0xA430])


# --- IPTC ----------------------------------------------------------------------------

_IPTC = {
    (2, 5): "IPTC Object Name",
    (2, 105): "IPTC Headline",
    (2, 120): "IPTC Caption",
    (2, 25): "IPTC Keywords",
    (2, 80): "IPTC By-line",
    (2, 122): "IPTC Writer",
}


def _iptc_texts(loaded: Any, meta: Metadata) -> None:
    if "iptc" in loaded.info:  # read with the frame (a TIFF page's own IPTC)
        info = loaded.info["iptc"] or {}
    elif loaded.format not in ("jpeg", "tiff", "mpo") or (loaded.path is None and loaded.data is None):
        return
    else:
        info = _iptc_of(loaded, meta)
    for key, source in _IPTC.items():
        if key in info:
            meta.add(source, info[key])


def _iptc_of(loaded: Any, meta: Metadata) -> dict[Any, Any]:
    import io

    from PIL import Image, IptcImagePlugin

    source = loaded.path if loaded.path is not None else io.BytesIO(loaded.data)
    try:
        with Image.open(source) as im:
            return IptcImagePlugin.getiptcinfo(im) or {}
    except Exception:
        head = loaded.data if loaded.data is not None else _head(loaded.path, 1 << 20)
        meta.add("IPTC (unparsed)", _raw_iptc(head[: 1 << 20]))
        return {}


def _head(path: Path, n: int) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(n)
    except OSError:
        return b""


def _raw_iptc(data: bytes) -> list[str]:
    out = []
    for m in re.finditer(rb"\x1c\x02([\x05\x19\x50\x69\x78\x7a])(..)", data, re.S):
        n = int.from_bytes(m.group(2), "big")
        if n < 0x8000:
            out.append(_decode_bytes(data[m.end() : m.end() + n]))
    return out


def _exif_intact(raw: Any, meta: Metadata) -> None:
    """List the EXIF block as unreadable when a field of it cannot be read whole
    (Pillow would skip it: :mod:`postcheck.vision.exif_check`)."""
    if not raw:
        return
    from postcheck.vision.exif_check import exif_problem

    problem = exif_problem(raw)
    if problem:
        meta.unreadable.append(
            Unreadable("EXIF", f"some of its fields are corrupt ({problem})", gps=True, text=True)
        )


# --- entry point ---------------------------------------------------------------------


def read_metadata(loaded: Any) -> Metadata:
    """GPS and text fields of a :class:`postcheck.images.LoadedImage`, and the
    blocks that are present but could not be read."""
    meta = Metadata()
    exif = loaded.exif
    if exif is not None:
        _exif_intact(loaded.info.get("exif"), meta)
        meta.gps = _exif_gps(exif, meta)
        _exif_texts(exif, meta)
    _iptc_texts(loaded, meta)
    path = loaded.path
    packet = xmp_packet(loaded.info, lambda: loaded.data if path is None else _head(path, SCAN))
    if packet:
        xmp_gps = read_xmp(packet, meta)
        if meta.gps is None:
            meta.gps = xmp_gps
    return meta


_CAMERA_WORDS = {
    "img",
    "dsc",
    "dscn",
    "dscf",
    "pxl",
    "mvimg",
    "image",
    "photo",
    "pic",
    "screenshot",
    "whatsapp",
    "whats",
    "app",
    "edited",
    "copy",
    "burst",
    "cover",
    "portrait",
    "hdr",
    "jpg",
    "jpeg",
    "heic",
    "at",
    "am",
    "pm",
    "e",
    "p",
}
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def filename_text(name: str) -> str | None:
    """The words of a file name ("amelia_smith_sports-day.jpg" -> "amelia smith sports day"),
    or None for a camera's own name (IMG_1234, PXL_20240701_101500123)."""
    stem = Path(name).stem
    words = [w for w in re.split(r"[\W_]+", _CAMEL.sub(" ", stem)) if w]
    meaningful = [w for w in words if not w.isdigit() and w.lower() not in _CAMERA_WORDS]
    if not any(sum(c.isalpha() for c in w) >= 2 for w in meaningful):
        return None
    return " ".join(words)
