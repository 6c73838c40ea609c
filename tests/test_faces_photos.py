"""Faces in real photos against a consent register enrolled from real reference
photos (the shared face test data: adults only). Skipped, with the reason, when
the photos are missing (dlib is a dependency: without it these tests fail)."""

from __future__ import annotations

import csv
import os
import stat
import struct
import zlib
from pathlib import Path

import pytest

FACES = Path(
    os.environ.get(
        "POSTCHECK_FACES_DIR", Path(__file__).resolve().parents[2] / "shared" / "testdata" / "faces"
    )
)

if not (FACES / "people").is_dir():
    pytest.skip(f"face test photos not found in {FACES} (set POSTCHECK_FACES_DIR)", allow_module_level=True)

from postcheck.config import parse_config  # noqa: E402
from postcheck.faces import cache  # noqa: E402
from postcheck.model import InputFile, Post, PostResult  # noqa: E402
from postcheck.policy import load_policy  # noqa: E402
from postcheck.register import load_register  # noqa: E402
from postcheck.runner import Session, check_post  # noqa: E402

pytestmark = [pytest.mark.faces, pytest.mark.slow]

# Obama: consent; Biden: no consent; Kit Harington: never_publish; Rose Leslie:
# consent expired; Alex Lacamoire: staff.
PUPILS = [
    ("P001", "Barack", "Obama", "yes", "", "", "obama"),
    ("P002", "Joe", "Biden", "no", "", "", "biden"),
    ("P003", "Kit", "Harington", "yes", "", "yes", "kit_harington"),
    ("P004", "Rose", "Leslie", "yes", "2020-01-01", "", "rose_leslie"),
]


def _write_register(folder: Path, pupils=PUPILS, staff_photos: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "pupils.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "pupil_id",
                "first_name",
                "last_name",
                "photo_consent",
                "consent_expires",
                "never_publish",
                "photos",
            ]
        )
        for pid, first, last, photo, expires, never, person in pupils:
            w.writerow([pid, first, last, photo, expires, never, str(FACES / "people" / person)])
    with (folder / "staff.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["staff_id", "first_name", "last_name", "photos"])
        w.writerow(["S001", "Alex", "Lacamoire", staff_photos or str(FACES / "people" / "alex_lacamoire")])
    return folder


def _session(folder: Path, channel: str = "official", register: bool = True) -> Session:
    # text in photos (metadata, OCR) has its own tests: only faces are checked here
    data: dict = {"policy": "enquire", "rules": {"disable": ["image-text"]}}
    if register:
        data["register"] = {"pupils": str(folder / "pupils.csv"), "staff": str(folder / "staff.csv")}
    config = parse_config(data, folder / "postcheck.toml")
    return Session(config, load_policy(config.policy), channel, load_register(config))


def _check(path: Path, session: Session) -> PostResult:
    return check_post(Post(path.stem, (InputFile(path.name, "image", path),)), session)


def _faces(result: PostResult) -> list:
    return [
        f for f in result.findings if f.rule in ("face-no-consent", "pupil-photo-personal", "face-unknown")
    ]


@pytest.fixture(scope="module")
def enrolled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The register above, enrolled once for the module into a private cache."""
    root = tmp_path_factory.mktemp("faces")
    os.environ["POSTCHECK_CACHE_DIR"] = str(root / "cache")
    cache._LOADED.clear()
    folder = _write_register(root / "school")
    result = cache.enrol(_session(folder).register, "centerface")
    assert result.rejected == [], result.rejected
    assert result.usable == {"P001": 2, "P002": 2, "P003": 2, "P004": 2, "S001": 1}
    yield folder
    os.environ.pop("POSTCHECK_CACHE_DIR", None)


@pytest.fixture(autouse=True)
def _cache_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if "enrolled" not in request.fixturenames:
        monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(tmp_path / "cache"))
        cache._LOADED.clear()


def test_two_people_blocks_the_pupil_without_consent(enrolled: Path) -> None:
    result = _check(FACES / "misc" / "two_people.jpg", _session(enrolled))
    assert result.verdict.label == "block"
    faces = _faces(result)
    assert [(f.rule, f.person) for f in faces] == [("face-no-consent", "P002")]
    f = faces[0]
    assert f.label == "Joe Biden" and "Biden" not in f.message and "P002" in f.message
    assert f.distance is not None and f.distance <= 0.5
    _top, right, _bottom, left = f.box
    assert right - left > 100 and left > 1126 / 2  # Biden is on the right
    summary = result.inputs[0]
    assert summary.faces == 2
    statuses = {fb.person: fb.status for fb in summary.face_boxes}
    assert statuses == {"P001": "ok", "P002": "block"}


def test_personal_channel_blocks_every_recognised_pupil(enrolled: Path) -> None:
    result = _check(FACES / "misc" / "two_people.jpg", _session(enrolled, "personal"))
    rules = sorted((f.rule, f.person) for f in _faces(result))
    assert rules == [
        ("face-no-consent", "P002"),
        ("pupil-photo-personal", "P001"),
        ("pupil-photo-personal", "P002"),
    ]
    assert {fb.status for fb in result.inputs[0].face_boxes} == {"block"}


@pytest.mark.parametrize(
    "name",
    [
        "obama-240p.jpg",
        "obama-480p.jpg",
        "obama-720p.jpg",
        "obama-1080p.jpg",
        "obama_small.jpg",
        "obama3.jpg",
    ],
)
def test_consented_pupil_passes_on_official(enrolled: Path, name: str) -> None:
    result = _check(FACES / "misc" / name, _session(enrolled))
    assert _faces(result) == []
    (fb,) = result.inputs[0].face_boxes
    assert (fb.person, fb.status) == ("P001", "ok")


def test_never_publish_says_so_plainly(enrolled: Path) -> None:
    pupils = [(*p[:5], "yes", p[6]) if p[0] == "P001" else p for p in PUPILS]
    folder = _write_register(enrolled.parent / "never", pupils)
    result = _check(FACES / "misc" / "obama-480p.jpg", _session(folder))
    (f,) = _faces(result)
    assert (f.rule, f.person) == ("face-no-consent", "P001")
    # the terminal says so plainly; the message, written to every report, does not
    assert "must never appear" in f.detail and "Barack Obama" in f.detail
    assert "never" not in f.message and "P001" in f.message
    assert result.verdict.label == "block"


def test_staff_face_is_neither_pupil_nor_unknown(enrolled: Path) -> None:
    # the staff member's reference photo itself, posted on a personal account
    result = _check(FACES / "people" / "alex_lacamoire" / "img1.jpg", _session(enrolled, "personal"))
    assert _faces(result) == []
    (fb,) = result.inputs[0].face_boxes
    assert (fb.person, fb.status) == ("S001", "ok")


def test_strangers_in_group_photos_are_unknown(enrolled: Path) -> None:
    session = _session(enrolled)
    for name, labelled in (("2007_007763.jpg", 7), ("2008_002079.jpg", 6), ("2008_001322.jpg", 3)):
        result = _check(FACES / "group" / name, session)
        faces = _faces(result)
        assert result.inputs[0].faces >= labelled, name
        assert {f.rule for f in faces} == {"face-unknown"}, name
        assert len(faces) == result.inputs[0].faces
        assert result.verdict.label == "warn"


def test_dogs_have_no_human_face(enrolled: Path) -> None:
    result = _check(FACES / "group" / "dogs.jpg", _session(enrolled))
    assert result.inputs[0].faces == 0
    assert _faces(result) == [] and result.verdict.label == "pass"


def test_without_register_every_face_is_unknown(tmp_path: Path) -> None:
    result = _check(FACES / "misc" / "two_people.jpg", _session(tmp_path, register=False))
    faces = _faces(result)
    assert [f.rule for f in faces] == ["face-unknown", "face-unknown"]
    assert all("no" in f.message and "register" in f.message for f in faces)
    assert all(f.person is None for f in faces)
    assert not (tmp_path / "cache").exists()  # nothing enrolled, nothing cached


def _rotated_copy(src: Path, dest: Path) -> None:
    """Store the photo's pixels turned 90° anticlockwise with EXIF orientation 6,
    as a phone does: a viewer (and postcheck) shows it upright again."""
    from PIL import Image

    with Image.open(src) as im:
        exif = Image.Exif()
        exif[0x0112] = 6
        im.transpose(Image.Transpose.ROTATE_90).save(dest, quality=95, exif=exif)


def test_exif_rotated_copy_gives_same_result_in_rotated_coordinates(enrolled: Path, tmp_path: Path) -> None:
    from PIL import Image

    src = FACES / "misc" / "two_people.jpg"
    rotated = tmp_path / "two_people_rotated.jpg"
    _rotated_copy(src, rotated)
    with Image.open(rotated) as im:
        assert im.size == (661, 1126)  # stored sideways
    session = _session(enrolled)
    original, turned = _check(src, session), _check(rotated, session)
    assert [(f.rule, f.person) for f in _faces(turned)] == [(f.rule, f.person) for f in _faces(original)]
    assert turned.inputs[0].size == (1126, 661)
    a = sorted(fb.box for fb in original.inputs[0].face_boxes)
    b = sorted(fb.box for fb in turned.inputs[0].face_boxes)
    assert len(a) == len(b) == 2
    for box_a, box_b in zip(a, b, strict=True):
        assert all(abs(x - y) <= 8 for x, y in zip(box_a, box_b, strict=True)), (box_a, box_b)


# --- enrolment's quality gate ------------------------------------------------------------


def _gate(path: Path) -> tuple[bool, str]:
    ok, reason, _enc = cache._gate(path, "centerface")
    return ok, reason


def test_group_photo_is_rejected_as_reference(tmp_path: Path) -> None:
    ok, reason = _gate(FACES / "group" / "2007_007763.jpg")
    assert not ok and "faces found" in reason


def test_reference_without_face_small_face_or_blur_is_rejected(tmp_path: Path) -> None:
    from PIL import Image, ImageFilter

    assert _gate(FACES / "group" / "dogs.jpg") == (False, "no face found")
    src = FACES / "people" / "obama" / "obama.jpg"
    assert _gate(src)[0]
    with Image.open(src) as im:
        im = im.convert("RGB")
        small = im.resize((im.width // 5, im.height // 5))  # a face of about 50 px
        small.save(tmp_path / "small.jpg")
        im.filter(ImageFilter.GaussianBlur(6)).save(tmp_path / "blurred.jpg")
    ok, reason = _gate(tmp_path / "small.jpg")
    assert not ok and "px wide" in reason
    ok, reason = _gate(tmp_path / "blurred.jpg")
    assert not ok and "blurred" in reason


def test_enrol_command_reports_rejections_and_status_lists_consent(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from postcheck.cli_register import register_app

    folder = _write_register(
        tmp_path / "school", PUPILS[:2], staff_photos=str(FACES / "group" / "2008_001322.jpg")
    )
    toml = folder / "postcheck.toml"
    toml.write_text('policy = "enquire"\n[register]\npupils = "pupils.csv"\nstaff = "staff.csv"\n')
    runner = CliRunner()
    res = runner.invoke(register_app, ["enrol", "--config", str(toml)])
    assert res.exit_code == 0, res.output
    assert "Enrolled 4 reference photo(s) of 2 person(s)" in res.stdout
    assert "Rejected" in res.stdout and "2008_001322.jpg" in res.stdout and "faces found" in res.stdout
    assert "Cannot be recognised in photos (1): S001 Alex Lacamoire (staff)" in res.stdout
    root = Path(os.environ["POSTCHECK_CACHE_DIR"]) / "faces"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in root.rglob("*") if f.is_file())

    res = runner.invoke(register_app, ["status", "--config", str(toml)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "P001" in res.stdout and "P002" in res.stdout and "no photo consent" in res.stdout
    assert "out of date" not in res.stdout

    res = runner.invoke(register_app, ["purge"])
    assert res.exit_code == 0 and "4 face encoding file(s)" in res.stdout and "index" in res.stdout
    assert not root.exists()


# --- formats and broken files -------------------------------------------------------------


def _formats(tmp_path: Path) -> dict[str, Path]:
    import numpy as np
    from PIL import Image

    out: dict[str, Path] = {}
    with Image.open(FACES / "misc" / "obama-720p.jpg") as im:
        rgb = im.convert("RGB")
    out["png-palette"] = tmp_path / "palette.png"
    rgb.quantize(256).save(out["png-palette"])
    out["png-alpha"] = tmp_path / "alpha.png"
    rgba = rgb.convert("RGBA")
    rgba.putalpha(200)
    rgba.save(out["png-alpha"])
    out["png-16bit"] = tmp_path / "grey16.png"
    grey16 = (np.asarray(rgb.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    Image.fromarray(grey16).save(out["png-16bit"])
    assert Image.open(out["png-16bit"]).mode.startswith("I;16")
    out["webp"] = tmp_path / "photo.webp"
    rgb.save(out["webp"], quality=90)
    out["tiff"] = tmp_path / "photo.tif"
    rgb.save(out["tiff"])
    out["grey-jpeg"] = tmp_path / "grey.jpg"
    rgb.convert("L").save(out["grey-jpeg"])
    out["cmyk-jpeg"] = tmp_path / "cmyk.jpg"
    rgb.convert("CMYK").save(out["cmyk-jpeg"])
    try:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        out["heic"] = tmp_path / "photo.heic"
        rgb.save(out["heic"], quality=90)
    except ImportError:
        pass
    return out


def test_every_photo_format_is_checked(enrolled: Path, tmp_path: Path) -> None:
    formats = _formats(tmp_path)
    assert "heic" in formats, "pillow-heif is a dependency: HEIC must be readable"
    session = _session(enrolled)
    for kind, path in formats.items():
        result = _check(path, session)
        assert not [f for f in result.findings if f.rule in ("unreadable-input", "check-error")], kind
        (fb,) = result.inputs[0].face_boxes
        assert (fb.person, fb.status) == ("P001", "ok"), kind
    alpha = _check(FACES / "misc" / "32bit.png", session)
    assert alpha.inputs[0].faces == 1 and alpha.inputs[0].face_boxes[0].person == "P001"


def test_truncated_jpeg_is_unreadable(enrolled: Path, tmp_path: Path) -> None:
    data = (FACES / "misc" / "two_people.jpg").read_bytes()
    broken = tmp_path / "truncated.jpg"
    broken.write_bytes(data[: len(data) // 2])
    result = _check(broken, _session(enrolled))
    assert [f.rule for f in result.findings] == ["unreadable-input"]
    assert result.verdict.label == "block"
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False  # loading the face model must not change it


def test_decompression_bomb_is_unreadable(enrolled: Path, tmp_path: Path) -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    bomb = tmp_path / "bomb.png"
    ihdr = struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0)  # 1.6 gigapixels, RGB
    bomb.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )
    result = _check(bomb, _session(enrolled))
    assert [f.rule for f in result.findings] == ["unreadable-input"]
    assert "too large" in result.findings[0].message


def test_check_command_enrols_lazily_and_reports_ids_not_names(cli, tmp_path: Path) -> None:
    """`postcheck PHOTO` with a register that was never enrolled: the check enrols it
    first, then reports the pupil's id, box and distance; no name, no encoding."""
    import json

    folder = _write_register(tmp_path / "school")
    toml = folder / "postcheck.toml"
    toml.write_text(
        'policy = "enquire"\n[register]\npupils = "pupils.csv"\nstaff = "staff.csv"\n'
        '[rules]\ndisable = ["image-text"]\n'
    )
    res = cli(
        FACES / "misc" / "two_people.jpg", "--config", toml, "--channel", "official", "--format", "json"
    )
    assert res.exit_code == 2, res.output
    report = json.loads(res.stdout)
    (post,) = report["posts"]
    assert post["inputs"][0]["faces"] == 2
    (finding,) = [f for f in post["findings"] if f["rule"].startswith("face")]
    assert finding["rule"] == "face-no-consent" and finding["person"] == "P002"
    assert len(finding["box"]) == 4 and 0 < finding["distance"] <= 0.5
    assert "Biden" not in res.stdout and "Obama" not in res.stdout
    root = tmp_path / "face-cache" / "faces"  # the cli fixture's POSTCHECK_CACHE_DIR
    assert len(list((root / "enc").glob("*.npy"))) == 9
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in root.rglob("*") if f.is_file())
