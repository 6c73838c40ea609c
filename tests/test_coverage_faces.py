"""A pupil without photo consent, shown only in a later part of a picture: frame 2
of an animated GIF, WebP or PNG, page 2 of a TIFF, image 2 of a HEIC, a JPEG's
EXIF thumbnail, a picture inside a .docx or an HTML page. Each post is blocked
with face-no-consent on that part, through the CLI. Real photos of adults from
the shared face test data (skipped, with the reason, when they are missing)."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
from pathlib import Path

import pytest

from docx_parts import make_docx, para, picture

FACES = Path(
    os.environ.get(
        "POSTCHECK_FACES_DIR", Path(__file__).resolve().parents[2] / "shared" / "testdata" / "faces"
    )
)
if not (FACES / "people").is_dir():
    pytest.skip(f"face test photos not found in {FACES} (set POSTCHECK_FACES_DIR)", allow_module_level=True)

pytestmark = [pytest.mark.faces, pytest.mark.slow]

TWO = FACES / "misc" / "two_people.jpg"  # Obama (left, consent) and Biden (right, no consent)
NONE = FACES / "group" / "dogs.jpg"  # no human face


def _school(folder: Path) -> Path:
    folder.mkdir(parents=True)
    with (folder / "pupils.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["pupil_id", "first_name", "last_name", "photo_consent", "photos"])
        w.writerow(["P001", "Barack", "Obama", "yes", str(FACES / "people" / "obama")])
        w.writerow(["P002", "Joe", "Biden", "no", str(FACES / "people" / "biden")])
    (folder / "staff.csv").write_text("staff_id,first_name,last_name\n")
    toml = folder / "postcheck.toml"
    # text in pictures has its own tests: faces only here
    toml.write_text(
        'policy = "enquire"\n[register]\npupils = "pupils.csv"\nstaff = "staff.csv"\n'
        '[rules]\ndisable = ["image-text"]\n'
    )
    return toml


def _frames():
    from PIL import Image

    with Image.open(TWO) as im:
        two = im.convert("RGB")
    with Image.open(NONE) as im:
        none = im.convert("RGB").resize(two.size)
    return none, two


def _jpeg_bytes(image, **params) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90, **params)
    return buf.getvalue()


def _with_thumbnail(main, thumb) -> bytes:
    piexif = pytest.importorskip("piexif", reason="piexif (a dev dependency) writes EXIF thumbnails")
    exif = piexif.dump({"0th": {}, "Exif": {}, "GPS": {}, "1st": {}, "thumbnail": _jpeg_bytes(thumb)})
    return _jpeg_bytes(main, exif=exif)


def _posts(root: Path) -> dict[str, str]:
    """One post per way of hiding the face; each name -> the part that shows it."""
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    none, two = _frames()
    expected: dict[str, str] = {}

    def post(name: str, file: str) -> Path:
        (root / name).mkdir(parents=True)
        return root / name / file

    for ext, word in (
        ("gif", "frame"),
        ("webp", "frame"),
        ("png", "frame"),
        ("tif", "page"),
        ("heic", "image"),
    ):
        path = post(f"{ext}-{word}", f"class.{ext}")
        params = {"duration": 200, "loop": 0} if ext in ("gif", "webp", "png") else {}
        if ext in ("webp", "heic"):
            params["quality"] = 90
        none.save(path, save_all=True, append_images=[two], **params)
        with Image.open(path) as im:
            assert getattr(im, "n_frames", 1) == 2, ext
        expected[f"{ext}-{word}"] = f"{path} ({word} 2)"

    # a stale thumbnail: the photo was changed, the preview still shows Biden
    biden = two.crop((two.width // 2, 0, two.width, two.height))
    biden.thumbnail((320, 320))
    path = post("exif-thumbnail", "class.jpg")
    path.write_bytes(_with_thumbnail(none, biden))
    expected["exif-thumbnail"] = f"{path} (EXIF thumbnail)"

    path = post("docx-picture", "news.docx")
    make_docx(
        path, para("Sports day was great.") + picture("rIdImg1"), media={"image1.jpg": _jpeg_bytes(two)}
    )
    expected["docx-picture"] = f"{path} (word/media/image1.jpg)"

    path = post("html-picture", "post.html")
    inline = base64.b64encode(_jpeg_bytes(two)).decode()
    path.write_text(f'<p>Sports day was great.</p><img src="data:image/jpeg;base64,{inline}">')
    expected["html-picture"] = f"{path} (picture 1: data: address)"
    return expected


def test_a_face_in_any_part_of_a_picture_blocks_the_post(cli, tmp_path: Path) -> None:
    toml = _school(tmp_path / "school")
    batch = tmp_path / "batch"
    expected = _posts(batch)
    res = cli(batch, "--config", toml, "--channel", "official", "--format", "json")
    assert res.exit_code == 2, res.output
    report = json.loads(res.stdout)
    got = {}
    for post in report["posts"]:
        got[post["name"]] = sorted((f["rule"], f["person"], f["input"]) for f in post["findings"])
    assert got == {name: [("face-no-consent", "P002", part)] for name, part in expected.items()}
    assert "Biden" not in res.stdout


def test_thumbnail_that_is_a_copy_of_the_photo_adds_nothing(cli, tmp_path: Path) -> None:
    """A camera's own thumbnail (the photo, scaled down) is covered by the photo's checks:
    the face is reported once, on the photo."""
    toml = _school(tmp_path / "school")
    _none, two = _frames()
    small = two.copy()
    small.thumbnail((160, 160))
    path = tmp_path / "class.jpg"
    path.write_bytes(_with_thumbnail(two, small))
    res = cli(path, "--config", toml, "--channel", "official", "--format", "json")
    assert res.exit_code == 2, res.output
    (post,) = json.loads(res.stdout)["posts"]
    assert [(f["rule"], f["input"]) for f in post["findings"]] == [("face-no-consent", str(path))]
    assert [i["path"] for i in post["inputs"]] == [str(path)]
