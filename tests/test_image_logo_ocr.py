"""Trust logos and text visible in photos."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from postcheck import runner
from postcheck.config import load_config
from postcheck.model import InputFile, Post, Severity
from postcheck.policy import load_policy
from postcheck.register import load_register

DATA = Path(__file__).parent / "data" / "images"
CREST = DATA / "crest.png"
OTHER = DATA / "other-logo.png"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def session(school, extra: str = "", channel: str = "personal") -> runner.Session:
    school.write_config(school.config.read_text(encoding="utf-8") + extra)
    config = load_config(school.config)
    return runner.Session(config, load_policy(config.policy, config.base), channel, load_register(config))


def check(path: Path, sess: runner.Session):
    return runner.check_post(Post(path.stem, (InputFile(path.name, "image", path=path),)), sess)


def with_logos(school, *paths: Path) -> None:
    body = school.config.read_text(encoding="utf-8")
    listed = ", ".join(f'"{p}"' for p in paths)
    body = body.replace('phones = ["01234 567890"]', f'phones = ["01234 567890"]\nlogos = [{listed}]')
    school.write_config(body)


def font(size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default(size=size)


def banner_photo(
    tmp_path: Path, logo: Path | None, name: str = "banner.jpg", width_frac: float = 0.2
) -> Path:
    from postcheck.vision.synth import Placement, composite, texture

    photo = texture((2000, 1500), seed=7)
    if logo is not None:
        photo, _ = composite(
            photo, Image.open(logo).convert("RGBA"), Placement(width_frac, 15, 0.2, 0.6, 0.4)
        )
    out = tmp_path / name
    photo.save(out, quality=85)
    return out


def test_crest_on_banner_is_found_with_its_box(school, tmp_path):
    with_logos(school, CREST)
    res = check(banner_photo(tmp_path, CREST), session(school))
    logo = [f for f in res.findings if f.rule == "logo"]
    assert logo, res.findings
    assert logo[0].severity == Severity.BLOCK  # enquire 3.8, personal
    assert "crest.png" in logo[0].message
    top, right, bottom, left = logo[0].box
    assert 0 <= left < right <= 2000 and 0 <= top < bottom <= 1500
    assert 300 <= right - left <= 700  # 20 % of 2000 px, rotated and tilted


def test_approval_waives_the_logo_finding(school, tmp_path):
    with_logos(school, CREST)
    sess = session(school)
    sess = runner.Session(sess.config, sess.policy, sess.channel, sess.register, approval="HT-2024-17")
    res = check(banner_photo(tmp_path, CREST), sess)
    logo = [f for f in res.findings if f.rule == "logo"]
    assert logo and logo[0].approved


def test_other_logo_and_plain_photo_are_not_the_crest(school, tmp_path):
    with_logos(school, CREST)
    sess = session(school)
    for path in (banner_photo(tmp_path, OTHER, "other.jpg"), banner_photo(tmp_path, None, "plain.jpg")):
        assert not [f for f in check(path, sess).findings if f.rule == "logo"]


def test_logo_problems_reports_plain_and_missing_logos(school, tmp_path):
    from postcheck.checks.image.logo import logo_problems

    plain = tmp_path / "wordmark.png"
    im = Image.new("RGBA", (400, 120), (255, 255, 255, 255))
    ImageDraw.Draw(im).rectangle([20, 20, 380, 100], fill=(0, 0, 200, 255))
    im.save(plain)
    with_logos(school, CREST, plain, tmp_path / "missing.png")
    problems = logo_problems(load_config(school.config))
    assert len(problems) == 2
    assert "too plain to detect reliably" in problems[0] and "wordmark.png" in problems[0]
    assert "not found" in problems[1]


def test_unreadable_logo_blocks_instead_of_passing(school, tmp_path):
    with_logos(school, tmp_path / "missing.png")
    res = check(banner_photo(tmp_path, None), session(school))
    errors = [f for f in res.findings if f.rule == "check-error" and "logo" in f.message]
    assert errors and res.verdict == Severity.BLOCK


# --- OCR -----------------------------------------------------------------------------


def certificate(tmp_path: Path, text: list[str], angle: float = 8, name: str = "cert.jpg") -> Path:
    im = Image.new("RGB", (2400, 1800), (236, 230, 210))
    d = ImageDraw.Draw(im)
    for i, line in enumerate(text):
        d.text((300, 500 + i * 200), line, font=font(110), fill=(30, 30, 60))
    im = im.rotate(angle, fillcolor=(236, 230, 210))
    out = tmp_path / name
    im.save(out, quality=88)
    return out


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, tuple | None]]:
    calls: list[tuple[str, str, tuple | None]] = []
    real = runner._text_from_image

    def spy(text, item, source, box, ctx):
        calls.append((text, source, box))
        return real(text, item, source, box, ctx)

    monkeypatch.setattr(runner, "_text_from_image", spy)
    return calls


@pytest.mark.slow
def test_certificate_text_reaches_the_text_rules(school, tmp_path, seen):
    path = certificate(tmp_path, ["Certificate of Achievement", "awarded to Amelia Smith"])
    check(path, session(school))
    ocr = [t for t, s, _ in seen if s == "OCR"]
    assert ocr, seen
    assert "Amelia Smith" in ocr[0] and "Certificate" in ocr[0]


@pytest.mark.slow
def test_ocr_box_follows_the_finding_span(school, tmp_path, monkeypatch):
    """A finding on the second line gets that line's box (checked with a stand-in
    text runner that reports the pupil's name wherever it occurs)."""
    from postcheck.model import Finding

    def fake_runner(text, item, source, box, ctx):
        i = text.find("Amelia Smith")
        return (
            [Finding("pupil-full-name", "x", item.display, span=(i, i + 12), source=source)] if i >= 0 else []
        )

    monkeypatch.setattr(runner, "_text_from_image", fake_runner)
    path = certificate(tmp_path, ["Certificate of Achievement", "awarded to Amelia Smith"], angle=0)
    res = check(path, session(school))
    f = next(f for f in res.findings if f.rule == "pupil-full-name")
    top, _, bottom, _ = f.box
    assert 650 < top < 760 and 760 < bottom < 860  # the second line, drawn at y=700


@pytest.mark.slow
def test_ocr_box_is_in_full_resolution_pixels_of_a_sideways_12mp_photo(school, tmp_path, monkeypatch):
    """A phone portrait (stored turned, EXIF orientation 6) is read from the reduced copy;
    the finding's box is in the full-resolution pixels of the photo as a viewer sees it."""
    from postcheck.model import Finding

    def fake_runner(text, item, source, box, ctx):
        i = text.find("Amelia Smith")
        return (
            [Finding("pupil-full-name", "x", item.display, span=(i, i + 12), source=source)] if i >= 0 else []
        )

    monkeypatch.setattr(runner, "_text_from_image", fake_runner)
    upright = Image.new("RGB", (3024, 4032), (236, 230, 210))
    d = ImageDraw.Draw(upright)
    d.text((400, 1500), "Certificate of Achievement", font=font(120), fill=(30, 30, 60))
    d.text((400, 2500), "Amelia Smith", font=font(120), fill=(30, 30, 60))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "portrait.jpg"
    upright.transpose(Image.Transpose.ROTATE_90).save(path, quality=90, exif=exif)
    res = check(path, session(school))
    f = next(f for f in res.findings if f.rule == "pupil-full-name")
    top, right, bottom, left = f.box
    assert 2450 < top < 2540 and 2560 < bottom < 2700, f.box  # the line drawn at y=2500, 120 px font
    assert 330 < left < 420 and 1100 < right < 1400, f.box


def test_photo_without_text_skips_reading(school, tmp_path, seen):
    check(banner_photo(tmp_path, None, "IMG_0001.jpg"), session(school))
    assert not [s for _, s, _ in seen if s == "OCR"]


def test_ocr_disabled_in_config_means_not_checked(school, tmp_path):
    res = check(banner_photo(tmp_path, None, "IMG_0001.jpg"), session(school, "\n[ocr]\nenabled = false\n"))
    assert "not checked: text in images (disabled in config)" in res.notes
    assert res.verdict == Severity.BLOCK


def test_ocr_missing_means_not_checked(school, tmp_path, monkeypatch):
    from postcheck.errors import Unavailable
    from postcheck.vision import ocr_engine

    def missing():
        raise Unavailable("text in images", ocr_engine.INSTALL)

    monkeypatch.setattr(ocr_engine, "engine", missing)
    res = check(certificate(tmp_path, ["Hello"]), session(school))
    assert any(n.startswith("not checked: text in images") for n in res.notes)
    assert res.verdict == Severity.BLOCK


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every attempt to open a network connection is recorded and refused."""
    import socket

    tried: list[object] = []

    def refuse(self, address, *a, **kw):
        tried.append(address)
        raise OSError("network use in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **kw: refuse(None, address))
    return tried


@pytest.mark.parametrize("damage", ["missing", "truncated"])
def test_damaged_ocr_model_is_not_checked_and_never_downloaded(
    school, tmp_path, monkeypatch, no_network, damage
):
    """A missing or damaged OCR model file makes the photo "not checked" (the post
    blocks) with a clear reason; RapidOCR's own loader would download it instead."""
    import shutil

    import rapidocr

    from postcheck.vision import ocr_engine

    models = tmp_path / "models"
    shutil.copytree(Path(rapidocr.__file__).parent / "models", models)
    det = models / ocr_engine.MODELS["Det"][0]
    if damage == "missing":
        det.unlink()
    else:
        det.write_bytes(det.read_bytes()[:100_000])
    monkeypatch.setattr(ocr_engine, "model_dir", lambda: models)
    monkeypatch.setattr(ocr_engine, "_engine", None)
    res = check(certificate(tmp_path, ["Hello"]), session(school))
    note = next(n for n in res.notes if n.startswith("not checked: text in images"))
    assert ocr_engine.MODELS["Det"][0] in note
    assert ("missing" if damage == "missing" else "damaged") in note
    assert res.verdict == Severity.BLOCK
    assert no_network == []
    assert sorted(p.name for p in models.iterdir()) == sorted(  # nothing was fetched into the folder
        p.name
        for p in (Path(rapidocr.__file__).parent / "models").iterdir()
        if p.name != det.name or damage != "missing"
    )


NAMES_READY = __import__("importlib.util").util.find_spec("postcheck.checks.text.names") is not None


@pytest.mark.slow
@pytest.mark.skipif(not NAMES_READY, reason="the names rule (checks/text/names.py) is not built")
def test_certificate_naming_a_pupil_blocks(school, tmp_path):
    path = certificate(tmp_path, ["Certificate of Achievement", "awarded to Amelia Smith"])
    res = check(path, session(school))
    f = next(f for f in res.findings if f.rule == "pupil-full-name" and f.source == "OCR")
    assert f.box is not None and f.severity == Severity.BLOCK
