"""Location and hidden-text checks on photos: GPS in EXIF/XMP (JPEG, TIFF,
WebP, HEIC), Trust premises, and every metadata field a name can hide in."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path

import pytest
from PIL import Image

from postcheck import runner
from postcheck.config import load_config
from postcheck.model import InputFile, Post, Severity
from postcheck.policy import load_policy
from postcheck.register import load_register
from postcheck.vision.meta import filename_text, read_metadata

piexif = pytest.importorskip("piexif")

# Oakfield Primary Academy's configured point, and places inside and outside its radius.
SITE = (53.7457, -0.3367)
INSIDE = (53.7460, -0.3370)  # about 40 m away
OUTSIDE = (53.7700, -0.3367)  # about 2.7 km away

SITES = """
[[trust.sites]]
name = "Oakfield Primary Academy"
lat = 53.7457
lon = -0.3367
radius_m = 250
"""

NAMES_READY = importlib.util.find_spec("postcheck.checks.text.names") is not None
needs_names = pytest.mark.skipif(not NAMES_READY, reason="the names rule (checks/text/names.py) is not built")


def _dms(value: float, den: int = 100) -> tuple[tuple[int, int], ...]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60 * den)
    return ((d, 1), (m, 1), (s, den))


def gps_exif(lat: float, lon: float, den: int = 100, hpe: float | None = None, **ifd0: object) -> bytes:
    gps = {
        piexif.GPSIFD.GPSLatitudeRef: b"N" if lat >= 0 else b"S",
        piexif.GPSIFD.GPSLatitude: _dms(lat, den),
        piexif.GPSIFD.GPSLongitudeRef: b"E" if lon >= 0 else b"W",
        piexif.GPSIFD.GPSLongitude: _dms(lon, den),
    }
    if hpe is not None:
        gps[piexif.GPSIFD.GPSHPositioningError] = (int(hpe * 10), 10)
    return piexif.dump({"0th": dict(ifd0), "Exif": {}, "GPS": gps, "1st": {}, "thumbnail": None})


def photo(path: Path, **save: object) -> Path:
    im = Image.new("RGB", (64, 48), (90, 140, 200))
    im.save(path, **save)
    return path


def session(school, extra: str = "", channel: str = "personal") -> runner.Session:
    body = school.config.read_text(encoding="utf-8") + extra
    school.write_config(body)
    config = load_config(school.config)
    return runner.Session(config, load_policy(config.policy, config.base), channel, load_register(config))


def check(path: Path, sess: runner.Session):
    item = InputFile(path.name, "image", path=path)
    return runner.check_post(Post(path.stem, (item,)), sess)


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, tuple | None]]:
    """Every (text, source, box) that reaches the text rules from an image."""
    calls: list[tuple[str, str, tuple | None]] = []
    real = runner._text_from_image

    def spy(text, item, source, box, ctx):
        calls.append((text, source, box))
        return real(text, item, source, box, ctx)

    monkeypatch.setattr(runner, "_text_from_image", spy)
    return calls


def rules(result) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in result.findings:
        out.setdefault(f.rule, []).append(f)
    return out


# --- location ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt,ext", [("JPEG", "jpg"), ("TIFF", "tif"), ("WEBP", "webp"), ("PNG", "png")])
def test_gps_inside_site_is_location_and_premises(school, tmp_path, fmt, ext):
    path = photo(tmp_path / f"trip.{ext}", format=fmt, exif=gps_exif(*INSIDE))
    res = check(path, session(school, SITES))
    found = rules(res)
    assert "image-location" in found and "trust-premises-photo" in found
    loc = found["image-location"][0]
    assert loc.severity == Severity.WARN
    assert "53.746" in loc.message
    # seconds to 1/100 (TIFF writers may reduce the fraction): a phone's ~5 m accuracy dominates
    assert re.search(r"to within about [5-9] m", loc.message), loc.message
    premises = found["trust-premises-photo"][0]
    assert premises.severity == Severity.BLOCK  # enquire, personal
    assert "Oakfield Primary Academy" in premises.message
    assert res.verdict == Severity.BLOCK


def test_gps_outside_site_is_location_only(school, tmp_path):
    path = photo(tmp_path / "trip.jpg", exif=gps_exif(*OUTSIDE))
    found = rules(check(path, session(school, SITES)))
    assert "image-location" in found
    assert "trust-premises-photo" not in found


def test_premises_is_off_on_official_channel_but_location_still_warns(school, tmp_path):
    path = photo(tmp_path / "trip.jpg", exif=gps_exif(*INSIDE))
    found = rules(check(path, session(school, SITES, channel="official")))
    assert "trust-premises-photo" not in found
    assert found["image-location"][0].severity == Severity.WARN


def test_heic_gps(school, tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    path = tmp_path / "phone.heic"
    Image.new("RGB", (64, 48), (10, 200, 90)).save(path, format="HEIF", exif=gps_exif(*INSIDE))
    found = rules(check(path, session(school, SITES)))
    assert "Oakfield Primary Academy" in found["trust-premises-photo"][0].message


def test_xmp_gps(school, tmp_path):
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        'exif:GPSLatitude="53,44.76N" exif:GPSLongitude="0,20.22W"/></rdf:RDF></x:xmpmeta>'
    )
    path = photo(tmp_path / "edit.jpg", xmp=xmp.encode())
    found = rules(check(path, session(school, SITES)))
    loc = found["image-location"][0]
    assert "XMP GPS" in loc.message
    # minutes to two decimals: 0.01' is about 18 m of latitude
    assert "to within about 19 m" in loc.message
    assert "trust-premises-photo" in found


def test_precision_follows_recorded_digits_and_accuracy(tmp_path):
    from postcheck.images import open_image

    coarse = photo(tmp_path / "a.jpg", exif=gps_exif(*INSIDE, den=1))
    accurate = photo(tmp_path / "b.jpg", exif=gps_exif(*INSIDE, den=100, hpe=35.0))
    g1 = read_metadata(open_image(InputFile("a.jpg", "image", path=coarse))).gps
    g2 = read_metadata(open_image(InputFile("b.jpg", "image", path=accurate))).gps
    assert 25 < g1.precision_m < 40  # whole seconds: about 31 m
    assert g2.precision_m == pytest.approx(35.0)
    assert abs(g2.lat - INSIDE[0]) < 1e-4 and abs(g2.lon - INSIDE[1]) < 1e-4


def test_no_gps_no_location_finding(school, tmp_path):
    path = photo(tmp_path / "IMG_1234.jpg")
    found = rules(check(path, session(school, SITES)))
    assert "image-location" not in found and "trust-premises-photo" not in found


# --- hidden text ---------------------------------------------------------------------

XMP_ALL = """<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
  xmlns:MP="http://ns.microsoft.com/photo/1.2/"
  xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#"
  xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#"
  xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/">
 <dc:title><rdf:Alt><rdf:li xml:lang="x-default">title Amelia Smith</rdf:li></rdf:Alt></dc:title>
 <dc:description><rdf:Alt><rdf:li xml:lang="x-default">description Amelia Smith</rdf:li></rdf:Alt>
 </dc:description>
 <dc:subject><rdf:Bag><rdf:li>sports</rdf:li><rdf:li>subject Amelia Smith</rdf:li></rdf:Bag></dc:subject>
 <Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Amelia Smith</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage>
 <MP:RegionInfo rdf:parseType="Resource"><MPRI:Regions><rdf:Bag>
  <rdf:li MPReg:Rectangle="0.1, 0.2, 0.3, 0.3" MPReg:PersonDisplayName="ms Amelia Smith"/>
 </rdf:Bag></MPRI:Regions></MP:RegionInfo>
 <mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Bag>
  <rdf:li><rdf:Description mwg-rs:Name="mwg Amelia Smith" mwg-rs:Type="Face"/></rdf:li>
 </rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>
</rdf:Description></rdf:RDF></x:xmpmeta>"""


def _iptc_app13(records: dict[int, list[str]]) -> bytes:
    data = b""
    for ds, values in records.items():
        for v in values:
            raw = v.encode()
            data += b"\x1c\x02" + bytes([ds]) + len(raw).to_bytes(2, "big") + raw
    if len(data) % 2:
        data += b"\x00"
    irb = b"8BIM\x04\x04\x00\x00" + len(data).to_bytes(4, "big") + data
    payload = b"Photoshop 3.0\x00" + irb
    return b"\xff\xed" + (len(payload) + 2).to_bytes(2, "big") + payload


def with_iptc(path: Path, records: dict[int, list[str]]) -> Path:
    raw = path.read_bytes()
    path.write_bytes(raw[:2] + _iptc_app13(records) + raw[2:])
    return path


def test_every_metadata_field_reaches_the_text_rules(school, tmp_path, seen):
    ifd0 = {
        piexif.ImageIFD.ImageDescription: b"desc Amelia Smith",
        piexif.ImageIFD.Artist: b"Amelia Smith artist",
        piexif.ImageIFD.Copyright: b"copyright Amelia Smith",
        piexif.ImageIFD.XPTitle: "xptitle Amelia Smith".encode("utf-16-le") + b"\0\0",
        piexif.ImageIFD.XPComment: "xpcomment Amelia Smith".encode("utf-16-le") + b"\0\0",
        piexif.ImageIFD.XPKeywords: "xpkeywords Amelia Smith".encode("utf-16-le") + b"\0\0",
        piexif.ImageIFD.XPSubject: "xpsubject Amelia Smith".encode("utf-16-le") + b"\0\0",
    }
    exif = piexif.dump(
        {
            "0th": ifd0,
            "Exif": {
                piexif.ExifIFD.UserComment: b"ASCII\0\0\0usercomment Amelia Smith",
                piexif.ExifIFD.CameraOwnerName: b"owner Amelia Smith",
            },
            "GPS": {},
            "1st": {},
            "thumbnail": None,
        }
    )
    path = photo(tmp_path / "amelia_smith_sports_day.jpg", exif=exif, xmp=XMP_ALL.encode())
    with_iptc(
        path, {120: ["caption Amelia Smith"], 25: ["keyword Amelia Smith"], 80: ["byline Amelia Smith"]}
    )
    check(path, session(school))
    got = {source: text for text, source, _ in seen}
    expected = {
        "file name": "amelia smith sports day",
        "EXIF ImageDescription": "desc Amelia Smith",
        "EXIF Artist": "Amelia Smith artist",
        "EXIF Copyright": "copyright Amelia Smith",
        "EXIF XPTitle": "xptitle Amelia Smith",
        "EXIF XPComment": "xpcomment Amelia Smith",
        "EXIF XPKeywords": "xpkeywords Amelia Smith",
        "EXIF XPSubject": "xpsubject Amelia Smith",
        "EXIF UserComment": "usercomment Amelia Smith",
        "EXIF CameraOwnerName": "owner Amelia Smith",
        "IPTC Caption": "caption Amelia Smith",
        "IPTC Keywords": "keyword Amelia Smith",
        "IPTC By-line": "byline Amelia Smith",
        "XMP dc:title": "title Amelia Smith",
        "XMP dc:description": "description Amelia Smith",
        "XMP dc:subject": "subject Amelia Smith",
        "XMP PersonInImage": "Amelia Smith",
        "XMP face region (Microsoft)": "ms Amelia Smith",
        "XMP face region (MWG)": "mwg Amelia Smith",
    }
    for source, text in expected.items():
        assert got.get(source) == text, source
    assert got["XMP dc:subject"] != "sports"
    assert ("sports", "XMP dc:subject", None) in seen
    assert all(box is None for _, _, box in seen)


def test_duplicate_text_in_several_fields_is_checked_once(school, tmp_path, seen):
    exif = piexif.dump(
        {
            "0th": {
                piexif.ImageIFD.ImageDescription: b"Well done Amelia Smith",
                piexif.ImageIFD.XPTitle: "Well done Amelia Smith".encode("utf-16-le") + b"\0\0",
            },
            "Exif": {},
            "GPS": {},
            "1st": {},
            "thumbnail": None,
        }
    )
    check(photo(tmp_path / "IMG_2041.jpg", exif=exif), session(school))
    assert seen == [("Well done Amelia Smith", "EXIF ImageDescription, EXIF XPTitle", None)]


def test_heic_and_png_metadata_text(school, tmp_path, seen):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    exif = piexif.dump({"0th": {piexif.ImageIFD.Artist: b"Oliver Brown"}, "Exif": {}, "GPS": {}, "1st": {}})
    Image.new("RGB", (64, 48)).save(tmp_path / "a.heic", format="HEIF", exif=exif)
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP_ALL)
    Image.new("RGB", (64, 48)).save(tmp_path / "b.png", pnginfo=info)
    check(tmp_path / "a.heic", session(school))
    check(tmp_path / "b.png", session(school))
    assert ("Oliver Brown", "EXIF Artist", None) in seen
    assert ("Amelia Smith", "XMP PersonInImage", None) in seen


def test_camera_file_names_are_not_text():
    assert filename_text("IMG_1234.JPG") is None
    assert filename_text("PXL_20240701_101500123.jpg") is None
    assert filename_text("WhatsApp Image 2024-07-01 at 10.15.00.jpeg") is None
    assert filename_text("amelia_smith_sports_day.jpg") == "amelia smith sports day"
    assert filename_text("AmeliaSmith-winner.png") == "Amelia Smith winner"


def test_xmp_with_doctype_is_not_parsed_but_still_checked(school, tmp_path, seen):
    evil = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        "<caption>Amelia Smith &a;</caption></x:xmpmeta>"
    )
    check(photo(tmp_path / "x.jpg", xmp=evil.encode()), session(school))
    texts = [t for t, s, _ in seen if s == "XMP (unparsed)"]
    assert texts and "Amelia Smith" in texts[0]


@needs_names
def test_pupil_named_in_xmp_blocks_the_post(school, tmp_path):
    path = photo(tmp_path / "IMG_0001.jpg", xmp=XMP_ALL.encode())
    res = check(path, session(school))
    full = [f for f in res.findings if f.rule == "pupil-full-name"]
    assert full, res.findings
    person = next(f for f in full if f.source == "XMP PersonInImage")
    assert person.input == "IMG_0001.jpg"
    assert person.message.startswith("XMP PersonInImage: ")
    assert person.severity == Severity.BLOCK
    assert res.verdict == Severity.BLOCK


@needs_names
def test_pupil_named_in_file_name_blocks_the_post(school, tmp_path):
    res = check(photo(tmp_path / "amelia_smith_sports_day.jpg"), session(school))
    assert any(f.rule == "pupil-full-name" and f.source == "file name" for f in res.findings)


def test_clean_photo_passes_metadata_checks(school, tmp_path, seen):
    res = check(photo(tmp_path / "IMG_0002.jpg"), session(school))
    assert seen == []
    assert not [
        f for f in res.findings if f.rule in ("image-location", "trust-premises-photo", "check-error")
    ]
    assert dataclasses.is_dataclass(res)
