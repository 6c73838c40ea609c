"""XMP in a picture: the packet, its text fields and its GPS position.

Read for :mod:`postcheck.vision.meta`, which lists the fields. The packet is
parsed with the standard library's XML parser after refusing any document type
declaration (XMP never needs one, and entity expansion is how XML parsers are
attacked). A packet with a bare ``&`` (a common slip of writers: "Sports &
Games") is read with the ampersand escaped; one that still does not parse is
listed as unreadable and its text content checked as ``XMP (unparsed)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from postcheck.vision.gps import GPS, xmp_position

if TYPE_CHECKING:
    from postcheck.vision.meta import Metadata

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


# How far into a picture a packet Pillow did not report is looked for.
SCAN = 4 << 20


def xmp_packet(info: dict[str, Any], head: Callable[[], bytes | None]) -> bytes | None:
    """The raw XMP packet: from Pillow's info, else scanned for in the picture's
    first :data:`SCAN` bytes, which ``head`` reads only then."""
    for key in ("xmp", "XML:com.adobe.xmp"):
        raw = info.get(key)
        if raw:
            return raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    data = head()
    if not data:
        return None
    m = _PACKET.search(data[:SCAN])
    return m.group(0) if m else None


_BARE_AMP = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")


def _xmp_root(packet: bytes, meta: Metadata) -> Any:
    """The parsed packet, or None (listed in ``meta.unreadable``, its text still checked)."""
    import xml.etree.ElementTree as ET

    if re.search(rb"<!(DOCTYPE|ENTITY)", packet):
        reason = "it declares a document type, which postcheck never parses"
    else:
        try:
            return ET.fromstring(packet)
        except ET.ParseError:
            pass
        try:  # "Sports & Games": a bare ampersand, the commonest slip
            return ET.fromstring(_BARE_AMP.sub(b"&amp;", packet))
        except ET.ParseError as exc:
            reason = f"it is not well-formed XML ({exc})"
    meta.add("XMP (unparsed)", _xml_text(packet))
    meta.cannot_read("XMP", reason, gps=True, text=True)
    return None


def read_xmp(packet: bytes, meta: Metadata) -> GPS | None:
    """Add the packet's text fields to ``meta`` and return its GPS position, if any;
    a packet or position that cannot be read is listed in ``meta.unreadable``."""
    root = _xmp_root(packet, meta)
    if root is None:
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
    if not coords:
        return None
    try:
        return xmp_position(coords.get(_XMP_GPS[0]), coords.get(_XMP_GPS[1]), hpe)
    except ValueError as exc:
        meta.cannot_read("XMP GPS", str(exc), gps=True)
        return None


def _xml_text(packet: bytes) -> str:
    text = packet.decode("utf-8", errors="replace")
    return " ".join(t for t in re.split(r"<[^>]*>", text) if t.strip())
