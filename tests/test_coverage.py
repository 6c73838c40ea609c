"""Coverage as a result: every part of every input is checked, or the post is
blocked naming the part. Pages of a TIFF, frames beyond the limit, repeated
frames. (Faces in frames, pages and thumbnails are in test_coverage_faces.py.)"""

from __future__ import annotations

import io
import json
from pathlib import Path

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
