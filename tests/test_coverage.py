"""Coverage as a result: every part of every input is checked, or the post is
blocked naming the part. Text parts of a .docx, pictures inside a .docx or an
HTML page, pages of a TIFF, frames beyond the limit, repeated frames, and
metadata blocks that are present but unreadable. (Faces in frames, pages and
thumbnails are in test_coverage_faces.py.)"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from docx_parts import make_docx, note, para, picture, text_box
from postcheck import limits

NAME = "Amelia Smith"  # P001: name consent "first" -> her full name blocks
PERSON_XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">'
    b"<Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Amelia Smith</rdf:li></rdf:Bag>"
    b"</Iptc4xmpExt:PersonInImage></rdf:Description></rdf:RDF></x:xmpmeta>"
)


def run_json(cli, school, *args, channel="official"):
    res = cli(*args, "--config", school.config, "--channel", channel, "-f", "json")
    assert res.exit_code in (0, 1, 2), res.output
    return res.exit_code, json.loads(res.stdout)


def all_findings(report: dict) -> list[dict]:
    return [f for p in report["posts"] for f in p["findings"]]


def png(colour="white", size=(64, 48), **save) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG", **save)
    return buf.getvalue()


# --- every text part of a .docx ----------------------------------------------------------

PLAIN = para("Sports day was great.")
DOCX_PARTS = {
    "body": dict(body=para(f"Well done {NAME}!")),
    "table": dict(body=PLAIN + f"<w:tbl><w:tr><w:tc>{para(NAME)}</w:tc></w:tr></w:tbl>"),
    "default header": dict(parts={"header1": ("header", para(NAME))}),
    "first-page header": dict(parts={"header2": ("header", para(NAME))}),
    "even-page header": dict(parts={"header3": ("header", para(NAME))}),
    "default footer": dict(parts={"footer1": ("footer", para(NAME))}),
    "first-page footer": dict(parts={"footer2": ("footer", para(NAME))}),
    "even-page footer": dict(parts={"footer3": ("footer", para(NAME))}),
    "text box": dict(body=PLAIN + text_box(f"Star: {NAME}")),
    "footnote": dict(parts={"footnotes": ("footnotes", note("footnotes", NAME))}),
    "endnote": dict(parts={"endnotes": ("endnotes", note("endnotes", NAME))}),
    "comment": dict(parts={"comments": ("comments", note("comments", f"Is {NAME} OK to name?"))}),
    "alt text": dict(body=PLAIN + picture("rIdImg1", f"{NAME} on the podium"), media={"image1.png": png()}),
}


def test_every_text_part_of_a_docx_is_read(cli, school, tmp_path):
    batch = tmp_path / "batch"
    for kind, spec in DOCX_PARTS.items():
        folder = batch / kind.replace(" ", "-")
        folder.mkdir(parents=True)
        spec = {"body": PLAIN, **spec}
        make_docx(folder / "news.docx", **spec)
    code, report = run_json(cli, school, batch)
    assert code == 2
    verdicts = {p["name"]: (p["verdict"], {f["rule"] for f in p["findings"]}) for p in report["posts"]}
    assert verdicts == {k.replace(" ", "-"): ("block", {"pupil-full-name"}) for k in DOCX_PARTS}


def test_text_box_is_read_once_not_twice(tmp_path):
    from postcheck.inputs import read_draft
    from postcheck.model import InputFile

    path = make_docx(tmp_path / "box.docx", PLAIN + text_box("In the box"))
    text = read_draft(InputFile(str(path), "text", path)).text
    assert text.count("In the box") == 1 and "Sports day was great." in text


# --- pictures inside drafts ------------------------------------------------------------------


def test_picture_inside_a_docx_gets_the_image_checks(cli, school, tmp_path):
    path = make_docx(
        tmp_path / "news.docx", PLAIN + picture("rIdImg1"), media={"image1.png": png(pnginfo=_xmp_png())}
    )
    code, report = run_json(cli, school, path)
    assert code == 2
    (f,) = all_findings(report)
    assert f["rule"] == "pupil-full-name" and f["input"] == f"{path} (word/media/image1.png)"
    assert f["source"] == "XMP PersonInImage"
    inputs = [i["path"] for i in report["posts"][0]["inputs"]]
    assert inputs == [str(path), f"{path} (word/media/image1.png)"]


def test_linked_picture_and_embedded_file_in_a_docx_block(cli, school, tmp_path):
    path = make_docx(tmp_path / "news.docx", PLAIN, external_picture="https://example.org/class.jpg")
    with __import__("zipfile").ZipFile(path, "a") as z:
        z.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", b"PK\x05\x06" + bytes(18))
    code, report = run_json(cli, school, path)
    assert code == 2
    found = {(f["rule"], f["input"]) for f in all_findings(report)}
    assert found == {
        ("unreadable-input", f"{path} (linked picture https://example.org/class.jpg)"),
        ("unreadable-input", f"{path} (word/embeddings/Microsoft_Excel_Worksheet.xlsx)"),
    }


def _xmp_png():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", PERSON_XMP.decode())
    return info


def test_pictures_in_an_html_draft_are_checked_or_block(cli, school, tmp_path):
    import base64

    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "team.png").write_bytes(png(pnginfo=_xmp_png()))
    inline = base64.b64encode(png(pnginfo=_xmp_png())).decode()
    page = tmp_path / "post.html"
    page.write_text(
        "<p>Sports day was great.</p>"
        '<img src="photos/team.png" alt="the team">'
        f'<img src="data:image/png;base64,{inline}">'
        '<img src="https://example.org/remote.jpg">'
        '<img src="photos/missing.jpg">'
    )
    code, report = run_json(cli, school, page)
    assert code == 2
    found = sorted((f["rule"], f["input"]) for f in all_findings(report))
    assert found == sorted(
        [
            ("pupil-full-name", f"{page} (picture photos/team.png)"),
            ("pupil-full-name", f"{page} (picture 2: data: address)"),
            ("unreadable-input", f"{page} (picture https://example.org/remote.jpg)"),
            ("unreadable-input", f"{page} (picture photos/missing.jpg)"),
        ]
    )
    remote = next(f for f in all_findings(report) if "remote.jpg" in f["input"])
    assert "never fetches" in remote["message"]


def test_video_in_an_html_draft_blocks(cli, school, tmp_path):
    page = tmp_path / "post.html"
    page.write_text('<p>Sports day was great.</p><video src="race.mp4"></video>')
    code, report = run_json(cli, school, page)
    assert code == 2
    (f,) = all_findings(report)
    assert f["rule"] == "unreadable-input" and f["input"] == f"{page} (video race.mp4)"


# --- pages and frames --------------------------------------------------------------------------


def test_second_page_of_a_tiff_gets_the_image_checks(cli, school, tmp_path):
    path = _tiff(tmp_path / "scan.tif", ["Sports day", "Amelia Smith on the podium"])
    code, report = run_json(cli, school, path)
    assert code == 2
    (f,) = all_findings(report)
    assert (f["rule"], f["input"], f["source"]) == (
        "pupil-full-name",
        f"{path} (page 2)",
        "EXIF ImageDescription",
    )


def _tiff(path: Path, descriptions: list[str]) -> Path:
    """A TIFF with one page per description, each page captioned with its own."""
    from PIL import Image, TiffImagePlugin

    with open(path, "w+b") as fh, TiffImagePlugin.AppendingTiffWriter(fh) as tf:
        for n, description in enumerate(descriptions):
            ifd = TiffImagePlugin.ImageFileDirectory_v2()
            ifd[270] = description
            Image.new("RGB", (64, 48), (40 * n, 90, 90)).save(tf, format="TIFF", tiffinfo=ifd)
            tf.newFrame()
    return path


def _gif(path: Path, colours: list[str]) -> Path:
    from PIL import Image

    frames = [Image.new("RGB", (32, 24), c) for c in colours]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path


def test_frames_past_the_limit_block_naming_them(cli, school, tmp_path, monkeypatch):
    import postcheck.parts

    monkeypatch.setattr(postcheck.parts, "IMAGE_MAX_FRAMES", 3)
    path = _gif(tmp_path / "anim.gif", ["red", "green", "blue", "yellow", "white"])
    code, report = run_json(cli, school, path)
    assert code == 2
    (f,) = all_findings(report)
    assert f["rule"] == "unreadable-input" and f["input"] == f"{path} (frames 4 to 5)"
    assert "has 5 frames" in f["message"] and "at most 3" in f["message"]
    inputs = [i["path"] for i in report["posts"][0]["inputs"]]
    assert inputs == [str(path), f"{path} (frame 2)", f"{path} (frame 3)"]


def test_repeated_frames_are_checked_once_and_said(cli, school, tmp_path):
    path = _gif(tmp_path / "anim.gif", ["red", "green", "red", "green"])
    code, report = run_json(cli, school, path)
    assert code == 0
    post = report["posts"][0]
    assert [i["path"] for i in post["inputs"]] == [str(path), f"{path} (frame 2)"]
    assert any("2 of its 4 frames repeat an earlier frame" in n for n in post["notes"])


def test_frame_limit_is_documented():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"{limits.IMAGE_MAX_FRAMES} frames" in readme


# --- metadata present but unreadable ------------------------------------------------------------

SITE = (53.74571, -0.33672)  # the Trust site in the metadata tests' config


def _school_with_site(school):
    school.write_config(
        school.config.read_text()
        + '\n[[trust.sites]]\nname = "Oakfield Primary Academy"\n'
        + "lat = 53.74571\nlon = -0.33672\nradius_m = 250\n"
    )
    return school


def _jpeg(path: Path, exif: bytes | None = None, xmp: bytes | None = None) -> Path:
    from PIL import Image

    params = {}
    if exif is not None:
        params["exif"] = exif
    if xmp is not None:
        params["xmp"] = xmp
    Image.new("RGB", (64, 48), "white").save(path, "JPEG", **params)
    return path


def _gps_exif(lat_values, lon_values, lat_ref=b"N", lon_ref=b"W") -> bytes:
    piexif = pytest.importorskip("piexif", reason="piexif (a dev dependency) writes the GPS tags")
    gps = {piexif.GPSIFD.GPSLatitude: lat_values, piexif.GPSIFD.GPSLongitude: lon_values}
    if lat_ref is not None:
        gps[piexif.GPSIFD.GPSLatitudeRef] = lat_ref
    if lon_ref is not None:
        gps[piexif.GPSIFD.GPSLongitudeRef] = lon_ref
    return piexif.dump({"0th": {}, "Exif": {}, "GPS": gps, "1st": {}, "thumbnail": None})


def test_gps_with_two_values_is_read_and_the_premises_found(cli, school, tmp_path):
    # degrees and decimal minutes: 53 deg 44.7426', 0 deg 20.2032' W (the site)
    lat = ((53, 1), (447426, 10000))
    lon = ((0, 1), (202032, 10000))
    path = _jpeg(tmp_path / "trip.jpg", _gps_exif(lat, lon))
    code, report = run_json(cli, _school_with_site(school), path, channel="personal")
    assert code == 2
    assert {f["rule"] for f in all_findings(report)} >= {"image-location", "trust-premises-photo"}


def test_gps_with_one_value_is_read_as_degrees(cli, school, tmp_path):
    path = _jpeg(tmp_path / "trip.jpg", _gps_exif(((5374571, 100000),), ((33672, 100000),)))
    code, report = run_json(cli, _school_with_site(school), path, channel="personal")
    assert code == 2
    assert "trust-premises-photo" in {f["rule"] for f in all_findings(report)}


@pytest.mark.parametrize(
    "lat, lon, lat_ref, lon_ref, why",
    [
        # 53 44' 4500/0": read as 1,25 degrees of seconds it gave a place ~140 km away
        (((53, 1), (44, 1), (4500, 0)), ((0, 1), (20, 1), (1212, 100)), b"N", b"W", "zero denominator"),
        (((53, 1), (44, 1), (44, 1), (1, 1)), ((0, 1), (20, 1), (12, 1)), b"N", b"W", "4 values"),
        (((53, 1), (44, 1), (44, 1)), ((0, 1), (20, 1), (12, 1)), b"N", None, "no E/W reference"),
    ],
)
def test_gps_that_cannot_be_read_correctly_blocks(cli, school, tmp_path, lat, lon, lat_ref, lon_ref, why):
    path = _jpeg(tmp_path / "trip.jpg", _gps_exif(lat, lon, lat_ref, lon_ref))
    code, report = run_json(cli, _school_with_site(school), path, channel="official")
    assert code == 2
    found = all_findings(report)
    assert [(f["rule"], f["source"]) for f in found] == [("unreadable-input", "EXIF GPS")]
    assert why in found[0]["message"]


def test_xmp_with_a_stray_ampersand_is_still_read(cli, school, tmp_path):
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
        b'xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
        b' exif:GPSLatitude="53,44.7426N" exif:GPSLongitude="0,20.2032W">'
        b"<dc:title><rdf:Alt><rdf:li>Sports & Games</rdf:li></rdf:Alt></dc:title>"
        b"<Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Amelia Smith</rdf:li></rdf:Bag>"
        b"</Iptc4xmpExt:PersonInImage>"
        b"</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    path = _jpeg(tmp_path / "trip.jpg", xmp=xmp)
    code, report = run_json(cli, _school_with_site(school), path, channel="personal")
    assert code == 2
    found = {(f["rule"], f["source"]) for f in all_findings(report)}
    assert ("pupil-full-name", "XMP PersonInImage") in found
    assert ("trust-premises-photo", "XMP GPS") in found
    assert not any(rule == "unreadable-input" for rule, _ in found)


def test_xmp_that_does_not_parse_blocks_as_unreadable(cli, school, tmp_path):
    # unbound prefixes, an element never closed
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:GPSLatitude="53,44N">'
    xmp += b"</x:xmpmeta>"
    path = _jpeg(tmp_path / "trip.jpg", xmp=xmp)
    code, report = run_json(cli, school, path)
    assert code == 2
    assert ("unreadable-input", "XMP") in {(f["rule"], f["source"]) for f in all_findings(report)}


def test_fix_removes_an_unreadable_metadata_block(cli, school, tmp_path):
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description></x:xmpmeta>'
    path = _jpeg(tmp_path / "trip.jpg", xmp=xmp)
    assert run_json(cli, school, path)[0] == 2
    res = cli("fix", path, "--out", tmp_path / "safe", "--config", school.config, "--channel", "official")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "safe" / "trip.jpg").is_file()
    assert run_json(cli, school, tmp_path / "safe" / "trip.jpg")[0] == 0
