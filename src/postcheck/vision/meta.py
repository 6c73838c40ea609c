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

XMP is parsed with the standard library's XML parser after refusing any
document type declaration (XMP never needs one, and entity expansion is how
XML parsers are attacked). A packet that still does not parse is not skipped:
its text content is taken as one field, ``XMP (unparsed)``, so that nothing
hidden in it escapes the text rules.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

# Metres per degree of latitude (mean); a degree of longitude is this times cos(lat).
M_PER_DEG = 111_320.0
# What a phone's GPS typically achieves when the file does not say.
TYPICAL_GPS_ERROR_M = 5.0


@dataclass(frozen=True)
class GPS:
    lat: float
    lon: float
    resolution_m: float  # what the recorded digits can express
    error_m: float | None  # GPSHPositioningError, when recorded
    source: str  # "EXIF" or "XMP"

    @property
    def precision_m(self) -> float:
        """How closely a stranger can place the photo, in metres."""
        err = self.error_m if self.error_m is not None else TYPICAL_GPS_ERROR_M
        return max(self.resolution_m, err, 1.0)

    @property
    def decimals(self) -> int:
        """Decimal places worth showing for these coordinates."""
        deg = max(self.resolution_m, 1.0) / M_PER_DEG
        return max(0, min(6, math.ceil(-math.log10(deg))))

    def text(self) -> str:
        return f"{self.lat:.{self.decimals}f}, {self.lon:.{self.decimals}f}"


@dataclass(frozen=True)
class TextField:
    source: str  # e.g. "EXIF Artist", "XMP PersonInImage"
    text: str


@dataclass
class Metadata:
    gps: GPS | None = None
    texts: list[TextField] = field(default_factory=list)

    def add(self, source: str, value: Any) -> None:
        for text in _strings(value):
            text = _clean(text)
            if text:
                self.texts.append(TextField(source, text))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def human_metres(m: float) -> str:
    if m < 20:
        return f"{max(1, round(m))} m"
    if m < 1000:
        return f"{round(m, -1):.0f} m"
    return f"{m / 1000:.1f} km"


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


def _rational(v: Any) -> tuple[Fraction, int]:
    """An EXIF rational (Pillow's IFDRational, a (num, den) pair, or a number) and
    the denominator as written, which says how finely the value was recorded."""
    if isinstance(v, tuple) and len(v) == 2:
        num, den = v
        return Fraction(int(num), int(den) or 1), max(1, int(den))
    num = getattr(v, "_numerator", getattr(v, "numerator", None))
    den = getattr(v, "_denominator", getattr(v, "denominator", None))
    if num is not None and den is not None:
        try:
            return Fraction(int(num), int(den) or 1), max(1, int(den))
        except (TypeError, ValueError):
            pass
    f = Fraction(float(v)).limit_denominator(10**7)
    return f, f.denominator


def _dms(parts: Any) -> tuple[float, float]:
    """(degrees, resolution in degrees) from an EXIF (d, m, s) triple."""
    (d, dd), (m, md), (s, sd) = (_rational(p) for p in parts)
    value = float(d + m / 60 + s / 3600)
    if sd > 1:
        res = 1 / (3600 * sd)
    elif s:
        res = 1 / 3600
    elif md > 1:
        res = 1 / (60 * md)
    elif m:
        res = 1 / 60
    elif dd > 1:
        res = 1 / dd
    else:
        res = 1 / 3600  # "53/1 0/1 0/1": trust the writer to whole seconds at least
    return value, res


def _exif_gps(exif: Any) -> GPS | None:
    try:
        gps = exif.get_ifd(_GPS_IFD)
    except Exception:
        gps = {}
    if not gps or 2 not in gps or 4 not in gps:
        return None
    try:
        lat, lat_res = _dms(gps[2])
        lon, lon_res = _dms(gps[4])
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if str(gps.get(1, "N")).strip().upper().startswith("S"):
        lat = -lat
    if str(gps.get(3, "E")).strip().upper().startswith("W"):
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:
        return None  # "null island": a placeholder some apps write, not a place
    err = None
    if 31 in gps:
        try:
            err = float(_rational(gps[31])[0])
        except (TypeError, ValueError, ZeroDivisionError):
            err = None
    res_m = max(lat_res * M_PER_DEG, lon_res * M_PER_DEG * math.cos(math.radians(lat)))
    return GPS(lat, lon, res_m, err, "EXIF")


def _exif_texts(exif: Any, meta: Metadata) -> None:
    for tag, source in _IFD0_TEXT.items():
        if tag in exif:
            meta.add(source, exif.get(tag))
    for tag, source in _XP_TAGS.items():
        if tag in exif:
            meta.add(source, _xp(exif.get(tag)))
    try:
        sub = exif.get_ifd(_EXIF_IFD)
    except Exception:
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


# --- XMP -----------------------------------------------------------------------------

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
    "MPRI": "http://ns.microsoft.com/photo/1.2/t/RegionInfo#",
    "MPReg": "http://ns.microsoft.com/photo/1.2/t/Region#",
    "mwg-rs": "http://www.metadataworkinggroup.com/schemas/regions/",
    "lr": "http://ns.adobe.com/lightroom/1.0/",
    "exif": "http://ns.adobe.com/exif/1.0/",
}

_XMP_TEXT = {
    f"{{{NS['dc']}}}title": "XMP dc:title",
    f"{{{NS['dc']}}}description": "XMP dc:description",
    f"{{{NS['dc']}}}subject": "XMP dc:subject",
    f"{{{NS['dc']}}}creator": "XMP dc:creator",
    f"{{{NS['photoshop']}}}Headline": "XMP Headline",
    f"{{{NS['Iptc4xmpExt']}}}PersonInImage": "XMP PersonInImage",
    f"{{{NS['MPReg']}}}PersonDisplayName": "XMP face region (Microsoft)",
    f"{{{NS['mwg-rs']}}}Name": "XMP face region (MWG)",
    f"{{{NS['lr']}}}hierarchicalSubject": "XMP Lightroom keywords",
}
_XMP_GPS = (f"{{{NS['exif']}}}GPSLatitude", f"{{{NS['exif']}}}GPSLongitude")
_XMP_HPE = f"{{{NS['exif']}}}GPSHPositioningError"
_PACKET = re.compile(rb"<x:xmpmeta[\s>].*?</x:xmpmeta>", re.S)
_RDF_LI = f"{{{NS['rdf']}}}li"


def xmp_packet(info: dict[str, Any], path: Path | None, data: bytes | None = None) -> bytes | None:
    """The raw XMP packet: from Pillow's info, else scanned from the file (or the
    bytes of a picture that has no file of its own)."""
    for key in ("xmp", "XML:com.adobe.xmp"):
        raw = info.get(key)
        if raw:
            return raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    if path is not None:
        data = _head(path, 4 << 20)
    if not data:
        return None
    m = _PACKET.search(data[: 4 << 20])
    return m.group(0) if m else None


def _xmp_coord(text: str) -> tuple[float, float] | None:
    """XMP GPSCoordinate "DDD,MM,SSk" or "DDD,MM.mmk" (k = N/S/E/W): degrees, resolution."""
    s = text.strip()
    if not s:
        return None
    ref = s[-1].upper() if s[-1].isalpha() else ""
    body = s[:-1] if ref else s
    parts = [p.strip() for p in body.split(",")]
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        return None
    decimals = len(parts[-1].split(".")[1]) if "." in parts[-1] else 0
    unit = (1.0, 1 / 60, 1 / 3600)[min(len(nums), 3) - 1]
    value = sum(n * (1.0, 1 / 60, 1 / 3600)[i] for i, n in enumerate(nums[:3]))
    res = unit * 10.0**-decimals
    if ref in ("S", "W") or value < 0:
        value = -abs(value)
    return value, res


def _xmp_parse(packet: bytes, meta: Metadata) -> GPS | None:
    import xml.etree.ElementTree as ET

    if re.search(rb"<!(DOCTYPE|ENTITY)", packet):
        meta.add("XMP (unparsed)", _xml_text(packet))
        return None
    try:
        root = ET.fromstring(packet)
    except ET.ParseError:
        meta.add("XMP (unparsed)", _xml_text(packet))
        return None
    coords: dict[str, str] = {}
    hpe: str | None = None
    for el in root.iter():
        # properties written as attributes: <rdf:Description dc:title="..."/>
        for name, value in el.attrib.items():
            if name in _XMP_TEXT:
                meta.add(_XMP_TEXT[name], value)
            elif name in _XMP_GPS:
                coords[name] = value
            elif name == _XMP_HPE:
                hpe = value
        if el.tag in _XMP_TEXT:
            items = [li.text or "" for li in el.iter(_RDF_LI)]
            meta.add(_XMP_TEXT[el.tag], items if items else (el.text or ""))
        elif el.tag in _XMP_GPS:
            coords[el.tag] = el.text or ""
        elif el.tag == _XMP_HPE:
            hpe = el.text or ""
    if len(coords) != 2:
        return None
    lat = _xmp_coord(coords[_XMP_GPS[0]])
    lon = _xmp_coord(coords[_XMP_GPS[1]])
    if lat is None or lon is None or not (-90 <= lat[0] <= 90 and -180 <= lon[0] <= 180):
        return None
    if lat[0] == 0 and lon[0] == 0:
        return None
    err = None
    if hpe:
        try:
            err = float(Fraction(hpe.strip()))
        except (ValueError, ZeroDivisionError):
            err = None
    res_m = max(lat[1] * M_PER_DEG, lon[1] * M_PER_DEG * math.cos(math.radians(lat[0])))
    return GPS(lat[0], lon[0], res_m, err, "XMP")


def _xml_text(packet: bytes) -> str:
    text = packet.decode("utf-8", errors="replace")
    return " ".join(t for t in re.split(r"<[^>]*>", text) if t.strip())


# --- entry point ---------------------------------------------------------------------


def read_metadata(loaded: Any) -> Metadata:
    """GPS and text fields of a :class:`postcheck.images.LoadedImage`."""
    meta = Metadata()
    exif = loaded.exif
    if exif is not None:
        meta.gps = _exif_gps(exif)
        _exif_texts(exif, meta)
    _iptc_texts(loaded, meta)
    packet = xmp_packet(loaded.info, loaded.path, loaded.data)
    if packet:
        xmp_gps = _xmp_parse(packet, meta)
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
