"""``postcheck fix``: names cut to consent, personal data removed, photos cleaned
and covered, originals untouched, existing copies kept unless --force.

The draft and photo repairs are tested on findings built here (the shape the
checks produce); the re-checks of the copies run the real pipeline where its
checks are installed, and skip with the reason otherwise."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import io
import json
import os
import struct
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw

from conftest import FACES_DIR, School, school_toml
from postcheck.config import load_config
from postcheck.errors import UsageError
from postcheck.fix import fix_posts
from postcheck.fix_outputs import carries_name, write_new
from postcheck.fix_photo import cover, faces_to_cover, fix_photo_bytes, head_region
from postcheck.fix_text import REMOVED, fix_draft_text, shorten_name
from postcheck.model import FaceBox, Finding, InputFile, InputSummary, Post, PostResult, Report, Severity
from postcheck.policy import load_policy
from postcheck.register import load_register
from postcheck.runner import Session

# --- helpers ---------------------------------------------------------------------------


def session(school: School, channel: str = "personal", extra: str = "") -> Session:
    if extra:
        school.write_config(school_toml("enquire", extra))
    config = load_config(school.config)
    return Session(config, load_policy(config.policy), channel, load_register(config))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def span_of(text: str, needle: str) -> tuple[int, int]:
    i = text.index(needle)
    return (i, i + len(needle))


def name_finding(text: str, needle: str, pid: str, rule: str = "pupil-full-name") -> Finding:
    return Finding(rule, f"names {pid}", "draft.txt", span=span_of(text, needle), person=pid, fixable=True)


def unavailable_rules() -> dict[str, str]:
    """Rules whose check is not installed here, with the reason."""
    from postcheck.checks import CHECKS

    missing: dict[str, str] = {}
    for spec in CHECKS:
        module = spec.target.partition(":")[0]
        try:
            importlib.import_module(module)
        except Exception as exc:  # not written yet, or broken: either way not usable here
            for rule in spec.rules:
                missing[rule] = f"{module} cannot be imported ({exc.__class__.__name__})"
    if importlib.util.find_spec("dlib") is None:
        for rule in ("face-no-consent", "pupil-photo-personal", "face-unknown"):
            missing.setdefault(rule, "dlib is not importable")
    return missing


def need_rules(*rules: str) -> None:
    missing = unavailable_rules()
    gone = [f"{r}: {missing[r]}" for r in rules if r in missing]
    if gone:
        pytest.skip("needs checks that are not installed yet: " + "; ".join(gone))


def iptc_app13(caption: str) -> bytes:
    """A JPEG APP13 (Photoshop/IPTC) segment with a caption (IPTC 2:120)."""
    data = caption.encode()
    record = b"\x1c\x02\x78" + struct.pack(">H", len(data)) + data
    if len(record) % 2:
        record += b"\x00"
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(record)) + record
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def phone_photo(path: Path, orientation: int = 6, caption: str = "Amelia Smith at sports day") -> Path:
    """A small 'phone photo': red top-left quadrant, EXIF orientation, GPS, maker
    notes, XMP, IPTC caption and an sRGB profile."""
    im = Image.new("RGB", (600, 400), (30, 60, 200))
    ImageDraw.Draw(im).rectangle((0, 0, 299, 199), fill=(220, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (53.0, 44.0, 44.5), 3: "W", 4: (0.0, 20.0, 12.1)}
    exif[0x8825] = gps
    exif.get_ifd(0x8769)[0x927C] = b"maker-secret-notes"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Amelia Smith</dc:title>'
        b"</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, exif=exif.tobytes(), icc_profile=icc, xmp=xmp)
    raw = buf.getvalue()
    path.write_bytes(raw[:2] + iptc_app13(caption) + raw[2:])
    return path


# --- names in drafts -------------------------------------------------------------------


def test_shorten_name_follows_consent() -> None:
    from postcheck.register import Person

    amelia = Person("P001", "Amelia", "Smith", ("Millie",), name_consent="first")
    zoe = Person("P003", "Zoë", "Okafor", name_consent="no")
    assert shorten_name("Amelia Smith", amelia, "first") == "Amelia"
    assert shorten_name("Millie Smith's", amelia, "first") == "Millie's"
    assert shorten_name("ZOE OKAFOR", zoe, "none") == "Z. O."
    assert shorten_name("Zoë Okafor's", zoe, "none") == "Z. O.'s"
    assert shorten_name("Zoë", zoe, "none", full=False) == "Z."
    assert shorten_name("Zoë Okafor", zoe, "none", names="remove") == ""
    assert shorten_name("#WellDoneZoeOkafor", zoe, "none", tag=True) == "#WellDoneZO"
    assert shorten_name("#WellDoneAmeliaSmith", amelia, "first", tag=True) == "#WellDoneAmelia"


def test_draft_names_cut_to_consent_on_official(school: School) -> None:
    s = session(school, "official")
    text = "Well done Amelia Smith and Zoë Okafor's team, and Oliver Brown!\n"
    findings = [
        name_finding(text, "Amelia Smith", "P001"),  # name consent: first
        name_finding(text, "Zoë Okafor's", "P003"),  # name consent: no
    ]
    out = fix_draft_text(text, findings, register=s.register, channel="official")
    assert out.text == "Well done Amelia and Z. O.'s team, and Oliver Brown!\n"
    assert not out.manual
    assert [e.rule for e in out.edits] == ["pupil-full-name", "pupil-full-name"]


def test_draft_names_on_personal_become_initials_or_go(school: School) -> None:
    s = session(school, "personal")
    text = "So proud of Oliver Brown and Millie today #WellDoneMillie"
    findings = [
        name_finding(text, "Oliver Brown", "P002"),  # full consent, but a personal post
        Finding(
            "pupil-first-name", "m", "draft.txt", span=span_of(text, "Millie"), person="P001", fixable=True
        ),
        Finding(
            "pupil-first-name",
            "m",
            "draft.txt",
            span=(text.rindex("Millie"), len(text)),
            person="P001",
            fixable=True,
        ),
    ]
    initials = fix_draft_text(text, findings, register=s.register, channel="personal")
    assert initials.text == "So proud of O. B. and M. today #WellDoneM"
    removed = fix_draft_text(text, findings, register=s.register, channel="personal", names="remove")
    assert removed.text == "So proud of and today #WellDone"
    for fixed in (initials.text, removed.text):
        for name in ("Oliver", "Brown", "Millie", "Amelia"):
            assert name not in fixed


def test_personal_data_contact_disclaimer_and_by_hand(school: School) -> None:
    s = session(school, "personal")
    disclaimer = s.config.get("disclaimer.phrases")[0]
    text = (
        "Great day at Oakfield! Ring me on 07700 900123 or see oakfield.example.sch.uk. "
        "The head is an idiot. Safeguarding meeting about a pupil tomorrow."
    )
    findings = [
        Finding("personal-data", "phone", "draft.txt", span=span_of(text, "07700 900123"), fixable=True),
        Finding(
            "trust-contact",
            "web",
            "draft.txt",
            span=span_of(text, " or see oakfield.example.sch.uk"),
            fixable=True,
        ),
        Finding("missing-disclaimer", "no disclaimer", "draft.txt", fixable=True),
        Finding("adverse-comment", "attack", "draft.txt", span=span_of(text, "an idiot"), clauses=("2.7",)),
        Finding("confidential-info", "safeguarding", "draft.txt", span=span_of(text, "Safeguarding")),
        Finding("offensive-language", "insult", "draft.txt", span=span_of(text, "idiot")),
    ]
    out = fix_draft_text(text, findings, register=s.register, channel="personal", disclaimer=disclaimer)
    assert "07700" not in out.text and f"Ring me on {REMOVED}." in out.text
    assert "oakfield.example.sch.uk" not in out.text
    assert out.text.rstrip().endswith(disclaimer)
    assert out.disclaimer_added
    # left for a person, untouched
    assert "an idiot" in out.text and "Safeguarding meeting" in out.text
    assert {f.rule for f in out.manual} == {"adverse-comment", "confidential-info", "offensive-language"}
    # the disclaimer is not added twice
    again = fix_draft_text(
        out.text, findings[2:3], register=s.register, channel="personal", disclaimer=disclaimer
    )
    assert again.text.count(disclaimer) == 1 and not again.disclaimer_added


def test_unfixable_or_out_of_range_findings_are_left_for_a_person(school: School) -> None:
    s = session(school, "personal")
    text = "Amelia Smith won."
    findings = [
        Finding("pupil-full-name", "m", "draft.txt", span=(0, 12), person="P001", fixable=False),
        Finding("personal-data", "m", "draft.txt", span=(5, 500), fixable=True),
        Finding("missing-disclaimer", "m", "draft.txt"),
    ]
    out = fix_draft_text(text, findings, register=s.register, channel="personal", disclaimer=None)
    assert out.text == text
    assert len(out.manual) == 3


def test_overlapping_spans_merge_into_the_stronger_edit(school: School) -> None:
    s = session(school, "personal")
    text = "Email amelia.smith@example.com today"
    findings = [
        Finding(
            "personal-data",
            "email",
            "draft.txt",
            span=span_of(text, "amelia.smith@example.com"),
            fixable=True,
        ),
        Finding(
            "pupil-full-name",
            "m",
            "draft.txt",
            span=span_of(text, "amelia.smith"),
            person="P001",
            fixable=True,
        ),
    ]
    out = fix_draft_text(text, findings, register=s.register, channel="personal")
    assert out.text == f"Email {REMOVED} today"


def test_file_names_carrying_a_pupils_name(school: School) -> None:
    reg = session(school).register
    assert carries_name("amelia-smith-award", reg)
    assert carries_name("IMG_2041_Okafor", reg)
    assert carries_name("WellDoneOllie", reg)
    assert not carries_name("sports-day-2", reg)
    assert not carries_name("IMG_2041", reg)


# --- photos ----------------------------------------------------------------------------


def test_photo_metadata_removed_orientation_baked_profile_kept(tmp_path: Path) -> None:
    src = phone_photo(tmp_path / "in.jpg", orientation=6)
    with Image.open(src) as im:
        assert im.getexif().get(0x0112) == 6 and "photoshop" in im.info and im.info.get("xmp")
    fixed = fix_photo_bytes(InputFile("in.jpg", "image", src), [], [])
    assert "GPS" in fixed.metadata_removed[0] and "XMP" in fixed.metadata_removed
    assert "IPTC" in fixed.metadata_removed and fixed.rotated
    with Image.open(io.BytesIO(fixed.data)) as out:
        assert out.format == "JPEG"
        assert out.size == (400, 600)  # rotated 90 degrees clockwise into the pixels
        assert len(out.getexif()) == 0
        assert not out.info.get("xmp") and "photoshop" not in out.info and "exif" not in out.info
        profile = ImageCms.ImageCmsProfile(io.BytesIO(out.info["icc_profile"]))
        assert "sRGB" in ImageCms.getProfileDescription(profile)
        # the stored top-left (red) quadrant is now at the top right, as a viewer showed it
        r, g, b = out.convert("RGB").getpixel((350, 50))
        assert r > 180 and g < 80 and b < 80
        r, g, b = out.convert("RGB").getpixel((50, 50))
        assert b > 150 and r < 80
    for secret in (b"Amelia", b"maker-secret", b"PhoneMaker", b"Photoshop 3.0", b"adobe:ns:meta"):
        assert secret not in fixed.data


def test_head_region_covers_more_than_the_face() -> None:
    region = head_region((100, 200, 200, 100), (1000, 1000))  # top, right, bottom, left
    left, top, right, bottom = region
    assert left <= 60 and right >= 240 and top <= 30 and bottom >= 240
    assert head_region((5, 50, 40, 10), (60, 60))[:2] == (0, 0)  # clipped to the image


@pytest.mark.parametrize("mode", ["solid", "pixelate", "blur"])
def test_cover_modes_destroy_detail(mode: str) -> None:
    im = Image.effect_noise((200, 200), 80).convert("RGB")
    ref = im.copy()
    before = im.crop((50, 50, 150, 150))
    cover(im, (50, 50, 150, 150), mode)
    after = im.crop((50, 50, 150, 150))
    from PIL import ImageStat

    assert ImageStat.Stat(after).stddev[0] < ImageStat.Stat(before).stddev[0] / 3
    # outside the region nothing changed
    assert im.crop((0, 0, 200, 50)).tobytes() == ref.crop((0, 0, 200, 50)).tobytes()


def test_which_faces_are_covered(school: School) -> None:
    reg = session(school).register
    boxes = [
        FaceBox((10, 60, 60, 10), "ok", "P001"),  # consented pupil
        FaceBox((10, 160, 60, 110), "review", None),  # unknown
        FaceBox((10, 260, 60, 210), "block", "P003"),  # no consent
        FaceBox((10, 360, 60, 310), "ok", "S001"),  # staff
    ]
    official = {label for _, label in faces_to_cover(boxes, [], "official", reg)}
    personal = {label for _, label in faces_to_cover(boxes, [], "personal", reg)}
    assert official == {"unknown", "P003"}
    assert personal == {"unknown", "P003", "P001"}  # every pupil on a personal post; staff stay


def test_text_and_logo_boxes_are_covered_but_not_faces_twice() -> None:
    from postcheck.fix_photo import texts_to_cover

    findings = [
        Finding("face-unknown", "face", "p.jpg", box=(1, 2, 3, 0)),
        Finding("logo", "crest", "p.jpg", box=(10, 50, 40, 20)),
        Finding("pupil-full-name", "badge", "p.jpg", box=(60, 90, 70, 20), source="text in the photo"),
        Finding("image-location", "gps", "p.jpg"),
    ]
    assert [f.rule for f in texts_to_cover(findings)] == ["logo", "pupil-full-name"]


# --- the whole run: originals, --force, refusing to overwrite ------------------------


class FakeCheck:
    """Stands in for the checks: the original's findings and faces are given; a
    copy is checked for what the fix must have removed (the pupil's name in the
    draft, metadata and uncovered faces in the photo)."""

    def __init__(self, findings: dict[str, list[Finding]], faces: dict[str, list[FaceBox]]) -> None:
        self.findings = findings
        self.faces = faces
        self.calls = 0

    def __call__(self, posts: list[Post], on_done) -> Report:  # type: ignore[no-untyped-def]
        self.calls += 1
        results = []
        for post in posts:
            found: list[Finding] = []
            summaries = []
            for item in post.inputs:
                if item.display in self.findings:  # an original
                    found += self.findings[item.display]
                    summaries.append(
                        InputSummary(item.display, item.kind, None, tuple(self.faces.get(item.display, ())))
                    )
                    continue
                assert item.path is not None
                if item.kind == "text" and "Amelia" in item.path.read_text():
                    found.append(
                        Finding("pupil-full-name", "still named", item.display, severity=Severity.BLOCK)
                    )
                if item.kind == "image":
                    with Image.open(item.path) as im:
                        if len(im.getexif()) or im.info.get("xmp"):
                            found.append(
                                Finding("image-location", "metadata", item.display, severity=Severity.WARN)
                            )
                summaries.append(InputSummary(item.display, item.kind))
            verdict = max((f.severity or Severity.BLOCK for f in found), default=Severity.PASS)
            result = PostResult(post.name, verdict, tuple(summaries), tuple(found))
            results.append(result)
            if on_done:
                on_done(result)
        return Report("0", "enquire", "Enquire", "personal", None, tuple(results))


def _post_fixture(tmp_path: Path) -> tuple[Path, Path, Post, FakeCheck]:
    folder = tmp_path / "posts"
    folder.mkdir()
    draft = folder / "amelia-smith-award.txt"
    draft.write_text("Well done Amelia Smith!\n", encoding="utf-8")
    photo = phone_photo(folder / "amelia-smith-award.jpg")
    post = Post(
        "amelia-smith-award", (InputFile(str(draft), "text", draft), InputFile(str(photo), "image", photo))
    )
    fake = FakeCheck(
        {
            str(draft): [
                Finding(
                    "pupil-full-name",
                    "named",
                    str(draft),
                    span=(10, 22),
                    person="P001",
                    fixable=True,
                    severity=Severity.BLOCK,
                    clauses=("2.4",),
                ),
            ],
            str(photo): [
                Finding(
                    "face-unknown",
                    "unknown face",
                    str(photo),
                    box=(100, 250, 200, 150),
                    severity=Severity.WARN,
                    clauses=("2.6",),
                ),
                Finding("image-location", "GPS", str(photo), severity=Severity.WARN, clauses=("3.11",)),
            ],
        },
        {str(photo): [FaceBox((100, 250, 200, 150), "review", None)]},
    )
    return draft, photo, post, fake


def test_fix_posts_writes_copies_and_keeps_originals(school: School, tmp_path: Path) -> None:
    draft, photo, post, fake = _post_fixture(tmp_path)
    before = {p: sha(p) for p in (draft, photo)}
    out = tmp_path / "safe"
    run = fix_posts([post], session(school), out, check=fake)
    assert {p: sha(p) for p in (draft, photo)} == before  # originals byte-identical
    written = sorted(p.name for p in out.iterdir())
    assert written == ["draft-1.txt", "photo-1.jpg"]  # names carrying a pupil's name replaced
    assert (out / "draft-1.txt").read_text() == "Well done A. S.!\n"
    with Image.open(out / "photo-1.jpg") as im:
        assert len(im.getexif()) == 0
        # the face (rotated coordinates) and its head margin are painted over
        assert im.convert("RGB").getpixel((200, 150))[0] == im.convert("RGB").getpixel((150, 70))[0]
    pf = run.posts[0]
    assert pf.before.verdict == Severity.BLOCK and pf.after is not None and pf.after.verdict == Severity.PASS
    assert run.verdict == Severity.PASS
    changes = " | ".join(c for f in pf.files for c in f.changes)
    assert "1 face(s) covered (solid): unknown" in changes and "metadata removed" in changes


def test_existing_copies_kept_without_force(school: School, tmp_path: Path) -> None:
    _draft, _photo, post, fake = _post_fixture(tmp_path)
    out = tmp_path / "safe"
    out.mkdir()
    (out / "draft-1.txt").write_text("an earlier copy\n")
    run = fix_posts([post], session(school), out, check=fake)
    assert (out / "draft-1.txt").read_text() == "an earlier copy\n"
    # the earlier copy is not what this run writes: kept, out of date, and the post blocks
    assert [f.status for f in run.posts[0].files] == ["stale", "written"]
    assert run.posts[0].verdict == Severity.BLOCK and run.verdict == Severity.BLOCK
    assert "out of date" in run.posts[0].files[0].changes[0]
    run = fix_posts([post], session(school), out, check=fake, force=True)
    assert (out / "draft-1.txt").read_text() == "Well done A. S.!\n"
    assert [f.status for f in run.posts[0].files] == ["written", "written"]
    run = fix_posts([post], session(school), out, check=fake)  # the same copies again
    assert [f.status for f in run.posts[0].files] == ["kept", "kept"]
    assert run.verdict == Severity.PASS


def test_refuses_to_write_over_an_original(school: School, tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    draft = folder / "notice.txt"
    draft.write_text("Sports day is on Friday.\n")
    post = Post("notice", (InputFile(str(draft), "text", draft),))
    fake = FakeCheck({str(draft): []}, {})
    before = sha(draft)
    with pytest.raises(UsageError, match="over the original"):
        fix_posts([post], session(school), folder, check=fake)
    assert sha(draft) == before
    assert sorted(p.name for p in folder.iterdir()) == ["notice.txt"]


def test_write_new_never_replaces_without_force(tmp_path: Path) -> None:
    dest = tmp_path / "a.txt"
    assert write_new(dest, b"one", force=False) == "written"
    assert write_new(dest, b"two", force=False) == "stale"  # left alone, and said so
    assert write_new(dest, b"one", force=False) == "kept"  # already there, identical
    assert dest.read_bytes() == b"one"
    assert write_new(dest, b"two", force=True) == "written"
    assert dest.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temporary files left


# --- through the command line and the real checks ------------------------------------


def _disable_missing(school: School, keep: tuple[str, ...] = ()) -> str:
    from postcheck.catalogue import ALWAYS_ON

    missing = [r for r in unavailable_rules() if r not in ALWAYS_ON and r not in keep]
    rules = ", ".join(f'"{r}"' for r in sorted(missing))
    school.write_config(school_toml("enquire", f"\n[rules]\ndisable = [{rules}]\n"))
    return rules


def test_cli_fix_photo_metadata_and_location(cli, school: School, tmp_path: Path) -> None:
    need_rules("image-location")
    _disable_missing(school)
    photo = phone_photo(tmp_path / "sports.jpg", caption="sports day")
    before = sha(photo)
    check = cli("--config", str(school.config), str(photo))
    assert check.exit_code in (1, 2)
    assert "image-location" in check.output
    out = tmp_path / "safe"
    res = cli("fix", str(photo), "--out", str(out), "--config", str(school.config))
    assert sha(photo) == before
    copy = out / "sports.jpg"
    assert copy.is_file(), res.output
    recheck = cli("--config", str(school.config), "--format", "json", str(copy))
    data = json.loads(recheck.stdout)
    rules = {f["rule"] for p in data["posts"] for f in p["findings"]}
    assert not rules & {"image-location", "trust-premises-photo", "image-text"}, rules
    assert res.exit_code == {"pass": 0, "warn": 1, "block": 2}[data["verdict"]]


def test_cli_fix_after_the_original_changed_is_not_a_pass(cli, school: School, tmp_path: Path) -> None:
    _disable_missing(school)
    draft = tmp_path / "posts" / "notice.txt"
    draft.parent.mkdir()
    draft.write_text("Sports day is on Friday.\n")
    out = tmp_path / "safe"
    first = cli("fix", str(draft), "--out", str(out), "--config", str(school.config), "-q")
    assert first.exit_code == 0 and first.stdout.strip() == "notice: pass -> pass"
    copy = (out / "notice.txt").read_text()
    os.utime(out / "notice.txt", (1_000_000_000, 1_000_000_000))  # the copy is older than the edit
    draft.write_text("Sports day is on Friday. Well done Amelia Smith!\n")
    again = cli("fix", str(draft), "--out", str(out), "--config", str(school.config))
    assert (out / "notice.txt").read_text() == copy  # kept: never replaced without --force
    assert "out of date" in again.stdout and "the original, which changed" in again.stdout
    assert again.exit_code == 2  # not the old copy's pass
    quiet = cli("fix", str(draft), "--out", str(out), "--config", str(school.config), "-q")
    assert quiet.stdout.strip() == "notice: block -> block (copy out of date)" and quiet.exit_code == 2
    forced = cli("fix", str(draft), "--out", str(out), "--config", str(school.config), "--force", "-q")
    assert "Amelia Smith" not in (out / "notice.txt").read_text()
    assert forced.stdout.strip().startswith("notice: block -> ")
    assert "out of date" not in forced.stdout


def test_cli_fix_refuses_its_own_folder_and_keeps_existing(cli, school: School, tmp_path: Path) -> None:
    _disable_missing(school)
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "notice.txt").write_text("Sports day is on Friday.\n")
    res = cli("fix", str(folder / "notice.txt"), "--out", str(folder), "--config", str(school.config))
    assert res.exit_code == 64
    assert "never writes over or into an input" in res.stderr and "Traceback" not in res.output
    out = tmp_path / "safe"
    out.mkdir()
    (out / "notice.txt").write_text("earlier\n")
    res = cli("fix", str(folder / "notice.txt"), "--out", str(out), "--config", str(school.config))
    assert (out / "notice.txt").read_text() == "earlier\n"
    assert "kept" in res.stdout
    res = cli(
        "fix", str(folder / "notice.txt"), "--out", str(out), "--config", str(school.config), "--force", "-q"
    )
    assert (out / "notice.txt").read_text() == "Sports day is on Friday.\n"
    assert res.stdout.strip() == "notice: pass -> pass" and res.exit_code == 0
    missing = cli("fix", str(tmp_path / "nope.txt"), "--out", str(out))
    assert missing.exit_code == 66 and "Traceback" not in missing.output


def test_cli_fix_draft_passes_the_text_rules(cli, school: School, tmp_path: Path) -> None:
    need_rules("pupil-full-name", "pupil-first-name", "personal-data", "trust-contact", "missing-disclaimer")
    _disable_missing(school)
    draft = tmp_path / "award.txt"
    draft.write_text(
        "So proud of Amelia Smith and Zoe Okafor in my class at Oakfield Primary Academy today, "
        "a brilliant school! Questions? Call me on 07700 900123 or email office@oakfield.example.sch.uk.\n",
        encoding="utf-8",
    )
    before = sha(draft)
    first = cli("--config", str(school.config), "--format", "json", str(draft))
    rules_before = {f["rule"] for p in json.loads(first.stdout)["posts"] for f in p["findings"]}
    assert "pupil-full-name" in rules_before and "personal-data" in rules_before
    out = tmp_path / "safe"
    res = cli("fix", str(draft), "--out", str(out), "--config", str(school.config))
    assert sha(draft) == before
    fixed = (out / "award.txt").read_text()
    assert "Amelia" not in fixed and "Okafor" not in fixed and "07700" not in fixed
    after = cli("--config", str(school.config), "--format", "json", str(out / "award.txt"))
    rules_after = {f["rule"] for p in json.loads(after.stdout)["posts"] for f in p["findings"]}
    fixed_rules = {"pupil-full-name", "pupil-first-name", "personal-data", "trust-contact"}
    assert not rules_after & fixed_rules, (fixed, rules_after)
    if "missing-disclaimer" in rules_before:
        assert "missing-disclaimer" not in rules_after
    assert res.exit_code == {"pass": 0, "warn": 1, "block": 2}[json.loads(after.stdout)["verdict"]]


# --- real faces ----------------------------------------------------------------------


def _detectors() -> list[tuple[str, object]]:
    """The pipeline's own face detector (CenterFace) and, as a second opinion,
    dlib's HOG detector upsampled once (face_recognition's default)."""
    import numpy as np

    from postcheck.faces.dlib_model import face_locations

    found: list[tuple[str, object]] = [("hog", lambda rgb: face_locations(rgb, 1, "hog"))]
    try:
        from postcheck.faces.detector import detect_centerface

        probe = np.zeros((64, 64, 3), dtype=np.uint8)
        detect_centerface(probe, 20)
        found.insert(0, ("centerface", lambda rgb: detect_centerface(rgb, 20)))
    except Exception:  # the detector is not importable or cannot load its model: dlib's HOG still checks
        pass
    return found


def _overlaps(a: tuple[int, int, int, int], region: tuple[int, int, int, int]) -> bool:
    top, right, bottom, left = a
    l2, t2, r2, b2 = region
    cx, cy = (left + right) / 2, (top + bottom) / 2
    return l2 <= cx <= r2 and t2 <= cy <= b2


@pytest.mark.faces
@pytest.mark.parametrize("mode", ["solid", "pixelate", "blur"])
@pytest.mark.parametrize("name", ["misc/obama-720p.jpg", "misc/two_people.jpg"])
def test_covered_faces_cannot_be_redetected(tmp_path: Path, mode: str, name: str) -> None:
    src = FACES_DIR / name
    if not src.is_file():
        pytest.skip(f"shared face photos not found at {FACES_DIR}")
    import numpy as np

    with Image.open(src) as im:
        original = np.asarray(im.convert("RGB"))
    for label, detect in _detectors():
        faces = detect(original)  # type: ignore[operator]
        assert faces, f"{label} finds the faces in the original"
        fixed = fix_photo_bytes(InputFile(name, "image", src), faces, [], mode)
        with Image.open(io.BytesIO(fixed.data)) as out:
            again = detect(np.asarray(out.convert("RGB")))  # type: ignore[operator]
        left = [f for f in again if any(_overlaps(f, r) for r in fixed.regions)]
        assert not left, f"{mode}: {label} still detects a face where one was covered: {left}"


@pytest.mark.faces
def test_fixed_copy_passes_the_face_check(cli, school: School, tmp_path: Path) -> None:
    need_rules("face-unknown", "face-no-consent")
    if not (FACES_DIR / "misc" / "two_people.jpg").is_file():
        pytest.skip(f"shared face photos not found at {FACES_DIR}")
    _disable_missing(school)
    src = FACES_DIR / "misc" / "two_people.jpg"
    before = sha(src)
    first = cli("--config", str(school.config), "--format", "json", str(src))
    rules = [f["rule"] for p in json.loads(first.stdout)["posts"] for f in p["findings"]]
    assert rules.count("face-unknown") >= 2  # nobody in the register: both faces unknown
    out = tmp_path / "safe"
    res = cli("fix", str(src), "--out", str(out), "--config", str(school.config), "--cover", "blur")
    assert sha(src) == before
    after = cli("--config", str(school.config), "--format", "json", str(out / "two_people.jpg"))
    data = json.loads(after.stdout)
    face_rules = {"face-unknown", "face-no-consent", "pupil-photo-personal"}
    assert not [f for p in data["posts"] for f in p["findings"] if f["rule"] in face_rules], res.stdout
    assert data["posts"][0]["inputs"][0]["faces"] == 0


def test_an_input_that_cannot_be_copied_keeps_the_post_blocked(school: School, tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    good = phone_photo(folder / "good.jpg")
    bad = folder / "bad.jpg"
    bad.write_bytes(b"not a photo")
    post = Post("trip", (InputFile(str(good), "image", good), InputFile(str(bad), "image", bad)))
    unreadable = Finding("unreadable-input", "cannot read", str(bad), severity=Severity.BLOCK)
    fake = FakeCheck({str(good): [], str(bad): [unreadable]}, {})
    run = fix_posts([post], session(school), tmp_path / "safe", check=fake)
    pf = run.posts[0]
    assert [f.status for f in pf.files] == ["written", "skipped"]
    assert pf.after is not None and pf.after.verdict == Severity.PASS  # the photo that was copied passes
    assert pf.verdict == Severity.BLOCK and run.verdict == Severity.BLOCK  # ... but the post does not
    from postcheck.fix import still_by_hand

    assert unreadable in still_by_hand(pf)


@pytest.mark.faces
@pytest.mark.parametrize(("channel", "covered"), [("personal", True), ("official", False)])
def test_consented_pupil_covered_only_on_a_personal_post(
    cli, school: School, tmp_path: Path, channel: str, covered: bool
) -> None:
    """A recognised pupil with photo consent stays visible on an official post and
    is covered on a personal one (every pupil, consent or not)."""
    need_rules("face-unknown", "face-no-consent", "pupil-photo-personal")
    refs = FACES_DIR / "people" / "obama"
    src = FACES_DIR / "misc" / "obama-480p.jpg"
    if not refs.is_dir() or not src.is_file():
        pytest.skip(f"shared face photos not found at {FACES_DIR}")
    (school.root / "register" / "pupils.csv").write_text(
        "pupil_id,first_name,last_name,preferred_name,year,photo_consent,name_consent,consent_expires,"
        f"never_publish,photos\nP010,Barry,Ober,,6,yes,yes,2099-07-31,,{refs}\n",
        encoding="utf-8",
    )
    _disable_missing(school)
    first = cli("--config", str(school.config), "--channel", channel, "--format", "json", str(src))
    inputs = json.loads(first.stdout)["posts"][0]["inputs"]
    assert inputs[0]["faces"] == 1
    out = tmp_path / "safe"
    res = cli("fix", str(src), "--out", str(out), "--config", str(school.config), "--channel", channel)
    changes = res.stdout
    assert ("face(s) covered" in changes) is covered, changes
    if covered:
        assert "P010" in changes
    after = cli("--config", str(school.config), "--channel", channel, "--format", "json", str(out / src.name))
    data = json.loads(after.stdout)
    assert data["posts"][0]["inputs"][0]["faces"] == (0 if covered else 1)
    face_rules = {"face-unknown", "face-no-consent", "pupil-photo-personal"}
    assert not [f for p in data["posts"] for f in p["findings"] if f["rule"] in face_rules]


def test_pupil_name_read_in_a_photo_is_covered(cli, school: School, tmp_path: Path) -> None:
    """A name badge read by OCR: the copy has the badge covered, and OCR finds no name in it."""
    need_rules("image-text", "pupil-full-name")
    font_path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
    if not font_path.is_file():
        pytest.skip("the DejaVu fonts (fonts-dejavu-core) are not installed")
    if (
        importlib.util.find_spec("rapidocr") is None
        and importlib.util.find_spec("rapidocr_onnxruntime") is None
    ):
        pytest.skip("the OCR engine (rapidocr) is not installed")
    from PIL import ImageFont

    _disable_missing(school)
    im = Image.new("RGB", (1400, 900), (70, 120, 90))
    draw = ImageDraw.Draw(im)
    draw.rectangle((250, 300, 1150, 560), fill=(255, 255, 255))
    draw.text((300, 360), "AMELIA SMITH", font=ImageFont.truetype(str(font_path), 110), fill=(0, 0, 0))
    src = tmp_path / "badge.jpg"
    im.save(src, "JPEG", quality=92)
    first = cli("--config", str(school.config), "--format", "json", str(src))
    named = [
        f
        for p in json.loads(first.stdout)["posts"]
        for f in p["findings"]
        if f["rule"] in ("pupil-full-name", "image-text") and f["box"]
    ]
    if not named:
        pytest.skip(f"OCR did not read the badge here: {first.stdout[:400]}")
    out = tmp_path / "safe"
    res = cli("fix", str(src), "--out", str(out), "--config", str(school.config))
    assert "text area(s) covered" in res.stdout, res.stdout
    after = cli("--config", str(school.config), "--format", "json", str(out / "badge.jpg"))
    left = [
        f
        for p in json.loads(after.stdout)["posts"]
        for f in p["findings"]
        if f["rule"] in ("pupil-full-name", "pupil-first-name", "image-text")
    ]
    assert not left, left


def test_cli_fix_keeps_channel_folders_for_the_copies(cli, school: School, tmp_path: Path) -> None:
    _disable_missing(school)
    batch = tmp_path / "batch"
    (batch / "official").mkdir(parents=True)
    (batch / "official" / "fair.txt").write_text("The fair is on Friday.\n")
    (batch / "walk.txt").write_text("A lovely walk.\n")
    out = tmp_path / "safe"
    res = cli("fix", str(batch), "--out", str(out), "--config", str(school.config), "-q")
    assert res.exit_code in (0, 1), res.output
    assert (out / "official" / "fair" / "fair.txt").is_file() and (out / "walk" / "walk.txt").is_file()
    again = cli(str(out), "--config", str(school.config), "-f", "json")
    channels = {p["name"]: p["channel"] for p in json.loads(again.stdout)["posts"]}
    assert channels == {"official/fair": "official", "walk": "personal"}
