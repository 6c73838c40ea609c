"""Privacy and start-up promises: machine reports (JSON, SARIF, HTML) name
pupils by register id only and never say what a child's consent is; the HTML
report never shows the face of a child who may not be published or of an
unknown person; ``--help`` stays light.

The checks on report text read whole documents, with two exceptions that are
the same for every run and say nothing about any child: SARIF's rule catalogue
(``tool.driver.rules``, the rules' documentation) and, in HTML, the policy
pack's clause summaries (a clause such as "Pupils must never be named on
personal social media" is the policy's wording, not a fact about a pupil).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import FACES_DIR

REPO = Path(__file__).resolve().parents[1]
FACE_RULES = ("face-no-consent", "face-unknown", "pupil-photo-personal")
HEAVY = ("spacy", "dlib", "cv2", "face_recognition", "onnxruntime", "onnx", "rapidocr_onnxruntime", "torch")

# Words that would tell a reader what a particular child's consent is.
CONSENT_WORDS = re.compile(
    r"never[ _-]?publish|no consent|no photo consent|no valid photo consent|consent expired|"
    r"expired on|withdrawn|must never",
    re.IGNORECASE,
)

# Two pupils share the first name Leo (one never_publish); Mia is never_publish;
# Amelia's surname is misspelt in a draft (a spelling suggestion must not give the
# real one); Zoë has no consent; Harry's consent has expired.
PUPILS = [
    # id, first, last, preferred, photo, name, expires, never_publish
    ("P101", "Leo", "Quenby", "", "yes", "yes", "", "yes"),
    ("P102", "Leo", "Marchetti", "", "yes", "first", "2099-07-31", ""),
    ("P103", "Mia", "Abernethy", "", "yes", "yes", "", "yes"),
    ("P104", "Amelia", "Thistlewood", "Millie", "yes", "first", "2099-07-31", ""),
    ("P105", "Zoë", "Fairweather", "", "no", "no", "", ""),
    ("P106", "Harry", "Penhaligon", "", "yes", "yes", "2020-07-31", ""),
]
STAFF = [("S101", "Sarah", "Whitfield")]
DRAFTS = {
    "assembly.txt": "Well done to Leo for a brilliant assembly today!\n",
    "poetry.txt": "Mia read her poem to the whole school. So proud of her.\n",
    "spelling.txt": "Congratulations to Amelia Thistlewod and Zoe on winning the spelling bee.\n",
    "fair.txt": "Harry and Zoë helped on the cake stall at the summer fair.\n",
}

# The shared face photos (adults): Obama consents, Biden has no consent, Kit
# Harington is never_publish, Rose Leslie's consent has expired; Alex Lacamoire is staff.
FACE_PUPILS = [
    ("P201", "Barack", "Obama", "", "yes", "yes", "", "", "obama"),
    ("P202", "Joe", "Biden", "", "no", "yes", "", "", "biden"),
    ("P203", "Kit", "Harington", "", "yes", "yes", "", "yes", "kit_harington"),
    ("P204", "Rose", "Leslie", "", "yes", "yes", "2020-01-01", "", "rose_leslie"),
]


def test_help_does_not_import_heavy_libraries():
    code = textwrap.dedent(
        """
        import sys
        import typer
        from postcheck.cli import app
        try:  # the command itself: main() would end the process before the print below
            typer.main.get_command(app).main(prog_name="postcheck", args=["--help"])
        except SystemExit:
            pass
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
        print("HEAVY:", heavy)
        """
    ).replace("HEAVY)", repr(HEAVY) + ")")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY: []" in out


def test_onnxruntime_keeps_no_telemetry_device_id_or_event_queue(tmp_path):
    """onnxruntime writes a device id and queues usage events under the user's cache
    folder as soon as it is imported, unless telemetry is off; postcheck turns it off."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    env.pop("ORT_DISABLE_TELEMETRY", None)
    code = (
        "import numpy, postcheck.faces.resnet as r; r.describe_chips(numpy.zeros((1, 150, 150, 3), 'uint8'))"
    )
    env["POSTCHECK_CACHE_DIR"] = str(tmp_path / "cache")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    assert (tmp_path / "cache" / "models").is_dir()  # onnxruntime did run
    assert not [str(p) for p in home.rglob("*")]


def test_a_full_check_makes_no_network_connection(tmp_path):
    """Runs a check of the example school with an audit hook that fails on any socket use."""
    example = REPO / "examples" / "oakfield"
    target = example / "posts" if (example / "posts").is_dir() else None
    draft = tmp_path / "draft.txt"
    draft.write_text("Well done to Amelia Smith, call 07700 900123 or email mum@example.com!\n")
    inputs = [str(target)] if target else [str(draft)]
    config = ["--config", str(example / "postcheck.toml")] if target else []
    code = textwrap.dedent(
        f"""
        import sys
        def hook(event, args):
            if event in ("socket.connect", "socket.getaddrinfo", "socket.sendto", "urllib.Request"):
                raise SystemExit("NETWORK:" + event + repr(args))
        sys.addaudithook(hook)
        from postcheck.cli import main
        sys.argv = ["postcheck", *{inputs!r}, *{config!r}, "--format", "json"]
        main()
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert "NETWORK:" not in proc.stderr + proc.stdout
    assert proc.returncode in (0, 1, 2), proc.stderr


# --- helpers ---------------------------------------------------------------------------


def _write_register(folder: Path, pupils: list[tuple], photos: bool = False) -> Path:
    """pupils.csv, staff.csv and a postcheck.toml (official channel) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    header = ["pupil_id", "first_name", "last_name", "preferred_name", "photo_consent", "name_consent"]
    header += ["consent_expires", "never_publish"] + (["photos"] if photos else [])
    with (folder / "pupils.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in pupils:
            w.writerow(list(row[:8]) + ([str(FACES_DIR / "people" / row[8])] if photos else []))
    with (folder / "staff.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["staff_id", "first_name", "last_name"] + (["photos"] if photos else []))
        for sid, first, last in STAFF:
            w.writerow(
                [sid, first, last] + ([str(FACES_DIR / "people" / "alex_lacamoire")] if photos else [])
            )
    toml = folder / "postcheck.toml"
    toml.write_text(
        'policy = "enquire"\nchannel = "official"\n[register]\npupils = "pupils.csv"\nstaff = "staff.csv"\n',
        encoding="utf-8",
    )
    return toml


def _reports(cli, batch: Path, toml: Path, tmp_path: Path) -> dict[str, str]:
    """The batch's JSON, SARIF and HTML reports, through the CLI."""
    out = {}
    for fmt in ("json", "sarif", "html"):
        target = tmp_path / f"report.{fmt}"
        res = cli(batch, "--config", toml, "--format", fmt, "--output", target, "--quiet")
        assert res.exit_code == 2, res.output  # never_publish pupils are named or shown: blocked
        out[fmt] = target.read_text(encoding="utf-8")
    return out


def _without_clause_summaries(html: str) -> str:
    return re.sub(r'<span class="clause">.*?</span>', "", html, flags=re.DOTALL)


def _sarif_results(sarif: str) -> str:
    """SARIF without its rule catalogue (the rules' documentation, the same for every run)."""
    doc = json.loads(sarif)
    for run in doc["runs"]:
        run["tool"]["driver"].pop("rules", None)
    return json.dumps(doc, ensure_ascii=False)


def _names(text: str, names: list[str]) -> list[str]:
    return [n for n in names if re.search(rf"\b{re.escape(n)}\b", text, re.IGNORECASE)]


def _consent_words(text: str) -> list[str]:
    return sorted({m.group(0) for m in CONSENT_WORDS.finditer(text)})


def _leaks(reports: dict[str, str], hidden: list[str]) -> dict[str, list[str]]:
    """Register names (in the whole document) and consent words (outside the
    run-independent rule catalogue and clause summaries) per report."""
    return {
        "json": _names(reports["json"], hidden) + _consent_words(reports["json"]),
        "sarif": _names(reports["sarif"], hidden) + _consent_words(_sarif_results(reports["sarif"])),
        "html": _names(reports["html"], hidden) + _consent_words(_without_clause_summaries(reports["html"])),
    }


def _hidden_names(pupils: list[tuple], drafts: str = "") -> list[str]:
    """Every register surname and full name that the drafts themselves do not contain."""
    names = []
    for row in pupils:
        first, last = row[1], row[2]
        names += [last, f"{first} {last}"]
    names += [last for _sid, _first, last in STAFF]
    return [n for n in names if n.casefold() not in drafts.casefold()]


# --- names and consent in machine reports ------------------------------------------------


def test_machine_reports_carry_no_register_name_or_consent_status(cli, tmp_path: Path) -> None:
    """A batch naming pupils by first name only (one name shared by two pupils, two
    never_publish pupils, a misspelt surname) checked through the CLI: JSON, SARIF
    and HTML contain each finding (by register id) and no surname or full name from
    the register that the drafts do not contain, and no word about anyone's consent."""
    toml = _write_register(tmp_path / "school", PUPILS)
    batch = tmp_path / "batch"
    batch.mkdir()
    for name, text in DRAFTS.items():
        (batch / name).write_text(text, encoding="utf-8")
    reports = _reports(cli, batch, toml, tmp_path)

    # the findings are there: the check did its job before privacy is judged
    data = json.loads(reports["json"])
    rules = {(p["name"], f["rule"]) for p in data["posts"] for f in p["findings"]}
    assert ("assembly", "pupil-first-name") in rules and ("poetry", "pupil-first-name") in rules
    people = {f["person"] for p in data["posts"] for f in p["findings"]}
    assert {"P103"} <= people

    hidden = _hidden_names(PUPILS, "".join(DRAFTS.values()))
    assert "Thistlewood" in hidden and "Quenby" in hidden
    leaks = _leaks(reports, hidden)
    assert not any(leaks.values()), json.dumps(leaks, ensure_ascii=False)


# --- faces ------------------------------------------------------------------------------------


def _faces_or_skip() -> None:
    if not (FACES_DIR / "people").is_dir():
        pytest.skip(f"shared face photos not found at {FACES_DIR} (set POSTCHECK_FACES_DIR)")


@pytest.fixture(scope="module")
def face_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One batch of photos (and captions) against a register enrolled from the shared
    face photos, checked once per report format through the CLI."""
    _faces_or_skip()
    from typer.testing import CliRunner

    from postcheck.cli import app

    tmp = tmp_path_factory.mktemp("faces")
    toml = _write_register(tmp / "school", FACE_PUPILS, photos=True)
    # text in photos goes through the text rules, tested above; only faces here
    toml.write_text(toml.read_text() + '[rules]\ndisable = ["image-text"]\n', encoding="utf-8")
    batch = tmp / "batch"
    for post, src in (
        ("sports", FACES_DIR / "misc" / "two_people.jpg"),  # Obama (consent) and Biden (none)
        ("drama", FACES_DIR / "people" / "kit_harington" / "john1.jpeg"),  # never_publish
        ("garden", FACES_DIR / "people" / "rose_leslie" / "img1.jpg"),  # consent expired
        ("visit", FACES_DIR / "group" / "2008_001322.jpg"),  # strangers
    ):
        (batch / post).mkdir(parents=True)
        shutil.copy(src, batch / post / src.name)
        (batch / post / "caption.txt").write_text("A lovely day out.\n", encoding="utf-8")
    env = {"POSTCHECK_CACHE_DIR": str(tmp / "cache"), "XDG_CONFIG_HOME": str(tmp / "xdg"), "NO_COLOR": "1"}
    reports = {}
    for fmt in ("json", "sarif", "html"):
        target = tmp / f"report.{fmt}"
        args = [str(batch), "--config", str(toml), "--format", fmt, "--output", str(target), "--quiet"]
        res = CliRunner().invoke(app, args, env=env)
        assert res.exit_code == 2, res.output
        reports[fmt] = target.read_text(encoding="utf-8")
    return reports


@pytest.mark.faces
@pytest.mark.slow
def test_face_findings_in_machine_reports_are_ids_only(face_reports: dict[str, str]) -> None:
    """No consent, never_publish, expired consent and unknown faces: every report
    names the pupil by register id, the same way whatever the reason."""
    reports = face_reports
    data = json.loads(reports["json"])
    faces = {
        (p["name"], f["rule"], f["person"])
        for p in data["posts"]
        for f in p["findings"]
        if f["rule"].startswith("face")
    }
    assert ("sports", "face-no-consent", "P202") in faces
    assert ("drama", "face-no-consent", "P203") in faces
    assert ("garden", "face-no-consent", "P204") in faces
    assert any(post == "visit" and rule == "face-unknown" for post, rule, _p in faces)
    messages = [f["message"] for p in data["posts"] for f in p["findings"] if f["rule"] == "face-no-consent"]
    # never_publish, no consent and expired consent read the same outside the terminal
    assert len({re.sub(r"face at .*?\)|P\d+", "", m) for m in messages}) == 1, messages

    hidden = _hidden_names(FACE_PUPILS)
    leaks = _leaks(reports, hidden)
    assert not any(leaks.values()), json.dumps(leaks, ensure_ascii=False)


def _thumbnails(html: str) -> dict[str, object]:
    import base64
    import io

    from PIL import Image

    out = {}
    figure = r'<figure class="photo" data-input="([^"]+)">\s*<div class="frame">\s*<img src="([^"]+)"'
    for m in re.finditer(figure, html):
        data = base64.b64decode(m.group(2).split(",", 1)[1])
        out[Path(m.group(1)).parent.name] = Image.open(io.BytesIO(data)).convert("RGB")
    return out


def _detail(pixels: object) -> float:
    """Mean absolute difference between neighbouring pixels: the fine detail a
    recogniser (or a person) needs, which blurring removes."""
    import numpy as np

    grey = np.asarray(pixels, dtype=float).mean(axis=2)
    return float(np.abs(np.diff(grey, axis=0)).mean() + np.abs(np.diff(grey, axis=1)).mean())


def _scaled(box: list[int], thumb_size: tuple[int, int], full: tuple[int, int]) -> tuple[int, int, int, int]:
    t, r, b, le = box
    sx, sy = thumb_size[0] / full[0], thumb_size[1] / full[1]
    return int(t * sy), int(r * sx), int(b * sy), int(le * sx)


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    at, ar, ab, al = a
    bt, br, bb, bl = b
    w = min(ar, br) - max(al, bl)
    h = min(ab, bb) - max(at, bt)
    return w > 0 and h > 0 and w * h > 0.2 * min((ar - al) * (ab - at), (br - bl) * (bb - bt))


@pytest.mark.faces
@pytest.mark.slow
def test_html_thumbnails_blur_faces_that_block_or_need_review(face_reports: dict[str, str]) -> None:
    """Decode each embedded thumbnail: the face detector no longer finds a blocked
    or unknown face there and the fine detail in its box is gone, while a consented face
    in the same thumbnail is still found, so the detector could have found it."""
    import numpy as np
    from PIL import Image

    from postcheck.faces.detector import detect

    reports = face_reports
    data = json.loads(reports["json"])
    thumbs = _thumbnails(reports["html"])
    assert set(thumbs) == {"sports", "drama", "garden", "visit"}
    checked = 0
    for post in data["posts"]:
        photo = next(i["path"] for i in post["inputs"] if i["kind"] == "image")
        with Image.open(photo) as im:
            full = im.size
            original = np.asarray(im.convert("RGB").resize(thumbs[post["name"]].size))
        thumb = thumbs[post["name"]]
        seen = detect(np.asarray(thumb), "centerface", 20)
        hidden = [_scaled(f["box"], thumb.size, full) for f in post["findings"] if f["rule"] in FACE_RULES]
        for box in hidden:
            assert not any(_overlaps(box, s) for s in seen), (post["name"], box)
            t, r, b, le = box
            before, after = _detail(original[t:b, le:r]), _detail(np.asarray(thumb)[t:b, le:r])
            assert after < 0.25 * before, (post["name"], box, before, after)
        checked += len(hidden)
        if post["name"] == "sports":  # Obama has consent: his face is shown, and found
            assert len([s for s in seen if not any(_overlaps(s, box) for box in hidden)]) == 1
    assert checked >= 4


def test_json_sarif_and_html_never_write_detail_or_label(tmp_path: Path) -> None:
    """``detail`` and ``label`` are for the terminal only."""
    from postcheck.model import FaceBox, Finding, InputSummary, PostResult, Report, Severity
    from postcheck.reporters.html import render_html
    from postcheck.reporters.json import render_json
    from postcheck.reporters.sarif import render_sarif

    finding = Finding(
        "face-no-consent",
        "The face at centre matches pupil P203, whose photo may not be published.",
        "photo.jpg",
        box=(10, 60, 60, 10),
        person="P203",
        label="Kit Harington",
        detail="Kit Harington (P203) must never appear in any published photo (never_publish)",
        severity=Severity.BLOCK,
        clauses=("2.6",),
    )
    summary = InputSummary(
        "photo.jpg", "image", 1, (FaceBox((10, 60, 60, 10), "block", "P203", "Kit Harington"),), (100, 100)
    )
    report = Report(
        "0.1.0",
        "enquire",
        "Enquire",
        "official",
        None,
        (PostResult("p", Severity.BLOCK, (summary,), (finding,)),),
    )
    for text in (render_json(report), _sarif_results(render_sarif(report)), render_html(report)):
        assert "P203" in text
        assert "Harington" not in text and not CONSENT_WORDS.search(_without_clause_summaries(text))


def test_finding_ids_and_receipts_never_show_a_never_publish_variant() -> None:
    """A finding's id (JSON, waivers, receipts, audit) hashes its variant but shows
    only one that says nothing about a child's consent."""
    from postcheck.fingerprints import fingerprint
    from postcheck.model import Finding, Severity
    from postcheck.receipts import finding_entry

    never = Finding("pupil-first-name", "m", "d.txt", span=(0, 3), variant="never-publish")
    plain = Finding("pupil-first-name", "m", "d.txt", span=(0, 3))
    attack = Finding("adverse-comment", "m", "d.txt", span=(0, 3), variant="attack")
    assert fingerprint(never, "ab" * 32).startswith("pupil-first-name:")
    assert fingerprint(never, "ab" * 32) != fingerprint(plain, "ab" * 32)  # still a different finding
    assert fingerprint(attack, "ab" * 32).startswith("adverse-comment/attack:")
    entry = finding_entry(dataclasses.replace(never, severity=Severity.BLOCK, fingerprint="x"), None)
    assert entry["variant"] is None and not CONSENT_WORDS.search(json.dumps(entry))
