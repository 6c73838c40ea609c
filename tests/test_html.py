"""The HTML report: self-contained, escaped, every post and photo present, faces
boxed and labelled, matched text highlighted, clause summaries from the pack;
rendered once in a real headless browser."""

from __future__ import annotations

import base64
import io
import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from postcheck.model import FaceBox, Finding, InputFile, InputSummary, Post, PostResult, Report, Severity
from postcheck.policy import load_policy
from postcheck.reporters.html import highlight, render_html
from postcheck.reporters.html_photos import THUMB_MAX, THUMB_MAX_BATCH

CHROMIUM = Path("/usr/bin/chromium")
MAGENTA = (230, 0, 230)


class Page(HTMLParser):
    """Every start tag with its attributes, and the text inside each tag name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.marks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop() == tag:
                break

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.stack and self.stack[-1] == "mark":
            self.marks.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]


def parse(markup: str) -> Page:
    page = Page()
    page.feed(markup)
    page.close()
    return page


def make_photo(path: Path, size: tuple[int, int] = (1600, 1200)) -> Path:
    im = Image.new("RGB", size, (200, 210, 220))
    d = ImageDraw.Draw(im)
    w, h = size
    d.rectangle((w // 10, h // 10, w // 2, h // 2), fill=MAGENTA)  # a colour to find on screen
    d.ellipse((w // 2, h // 3, w // 2 + w // 6, h // 3 + h // 4), fill=(240, 200, 170))
    im.save(path, "JPEG", quality=90)
    return path


def sample(tmp_path: Path) -> tuple[Report, list[Post]]:
    draft = tmp_path / "award.txt"
    text = "Well done Zoë Okafor for the award! Call 07700 900123 <b>now</b> & see you.\n"
    draft.write_text(text, encoding="utf-8")
    photo = make_photo(tmp_path / "award.jpg")
    photo2 = make_photo(tmp_path / "team.jpg", (900, 1200))
    z = text.index("Zoë Okafor")
    p = text.index("07700 900123")
    findings = (
        Finding(
            "pupil-full-name",
            "Names a pupil (P003) on a personal account.",
            str(draft),
            span=(z, z + 10),
            evidence="Zoë Okafor",
            person="P003",
            severity=Severity.BLOCK,
            clauses=("2.4", "2.5"),
            line=1,
        ),
        Finding(
            "personal-data",
            "A phone number.",
            str(draft),
            span=(p, p + 12),
            evidence="07700 900123",
            severity=Severity.BLOCK,
            clauses=("3.4",),
            line=1,
        ),
        Finding(
            "face-no-consent",
            "A pupil without photo consent.",
            str(photo),
            box=(120, 700, 420, 400),
            person="P003",
            severity=Severity.BLOCK,
            clauses=("2.6",),
        ),
        Finding(
            "face-unknown",
            "A face that matches nobody.",
            str(photo),
            box=(500, 1300, 800, 1000),
            severity=Severity.WARN,
            clauses=("2.6",),
        ),
        Finding(
            "image-text",
            "OCR: names a pupil",
            str(photo),
            box=(900, 600, 960, 200),
            source="text in the photo",
            severity=Severity.BLOCK,
            clauses=("2.5",),
        ),
    )
    post1 = PostResult(
        "award",
        Severity.BLOCK,
        (
            InputSummary(str(draft), "text"),
            InputSummary(
                str(photo),
                "image",
                3,
                (
                    FaceBox((120, 700, 420, 400), "block", "P003", "Zoë Okafor"),
                    FaceBox((500, 1300, 800, 1000), "review", None),
                    FaceBox((100, 1500, 300, 1300), "ok", "P002", "Oliver Brown"),
                ),
                (1600, 1200),
            ),
        ),
        findings,
    )
    post2 = PostResult(
        "<script>alert(1)</script> team",
        Severity.PASS,
        (InputSummary(str(photo2), "image", 0, (), (900, 1200)),),
        (),
    )
    report = Report(
        "0.1.0", "enquire", "The Enquire Learning Trust Social Media Policy", "personal", None, (post1, post2)
    )
    posts = [
        Post("award", (InputFile(str(draft), "text", draft), InputFile(str(photo), "image", photo))),
        Post("<script>alert(1)</script> team", (InputFile(str(photo2), "image", photo2),)),
    ]
    return report, posts


def external_urls(page: Page) -> list[str]:
    bad = []
    for tag, attrs in page.tags:
        for key in ("src", "href", "action", "poster", "data", "srcset", "xlink:href"):
            value = attrs.get(key)
            if value is None:
                continue
            if not (value.startswith("data:") or value.startswith("#")):
                bad.append(f"<{tag} {key}={value[:60]}>")
    return bad


def test_structure_posts_photos_faces_and_clauses(tmp_path: Path) -> None:
    report, posts = sample(tmp_path)
    markup = render_html(report, posts)
    page = parse(markup)
    sections = [a for a in page.all("section") if "post" in a.get("class", "")]
    assert [s["data-post"] for s in sections] == ["award", "<script>alert(1)</script> team"]
    assert not page.all("script") and "<script>alert" not in markup  # escaped, never markup
    assert not external_urls(page)
    assert not re.search(r"url\(|@import|https?://", markup.split("<body>")[0].replace("http://ns", ""))
    figures = [a["data-input"] for a in page.all("figure")]
    assert figures == [str(posts[0].inputs[1].path), str(posts[1].inputs[0].path)]
    imgs = page.all("img")
    assert len(imgs) == 2 and all(i["src"].startswith("data:image/jpeg;base64,") for i in imgs)
    for img in imgs:
        thumb = Image.open(io.BytesIO(base64.b64decode(img["src"].split(",", 1)[1])))
        assert max(thumb.size) <= THUMB_MAX
    faces = page.all("g")
    labels = [(g["class"], g.get("data-label")) for g in faces if "face" in g.get("class", "")]
    assert labels == [("face face-block", "P003"), ("face face-review", "unknown"), ("face face-ok", "P002")]
    assert "Oliver Brown" not in markup  # face labels are ids, never names
    rects = {a["stroke"] for a in page.all("rect") if a.get("stroke")}
    assert {"#d7191c", "#f0a202", "#1a9641"} <= rects  # red, amber, green
    assert any(a.get("class") == "text-box" for a in faces)  # the OCR box is drawn too
    pack = load_policy("enquire")
    body = " ".join(page.text)
    for number in ("2.4", "2.5", "3.4", "2.6"):
        assert pack.clause(number) in body
    assert page.marks == ["Zoë Okafor", "07700 900123"]
    assert "&lt;b&gt;now&lt;/b&gt; &amp; see" in markup  # the draft is text, not markup
    counts = [t for t in page.text if "blocked" in t or "passed" in t or "to review" in t]
    assert counts == ["1 blocked", "0 to review", "1 passed"]


def test_highlight_escapes_and_merges_overlaps() -> None:
    text = "<i>Amelia Smith</i>"
    findings = [
        Finding("pupil-first-name", "m", "d", span=(3, 9), severity=Severity.WARN),
        Finding("pupil-full-name", "m", "d", span=(3, 15), severity=Severity.BLOCK),
    ]
    out = highlight(text, findings)
    assert out == '&lt;i&gt;<mark class="m-block" title="pupil-full-name">Amelia Smith</mark>&lt;/i&gt;'


def test_without_posts_boxes_on_a_blank_frame(tmp_path: Path) -> None:
    report, _ = sample(tmp_path)
    page = parse(render_html(report))
    assert not page.all("img")
    assert len([a for a in page.all("svg") if "blank" in a.get("class", "")]) == 2
    assert len([g for g in page.all("g") if "face" in g.get("class", "")]) == 3


def test_single_post_has_no_batch_summary(tmp_path: Path) -> None:
    report, posts = sample(tmp_path)
    one = Report(report.version, report.policy_id, report.policy_name, "official", "HT-114", report.posts[:1])
    page = parse(render_html(one, posts[:1]))
    assert not page.all("nav") and not page.all("ul")
    assert "HT-114" in " ".join(page.text)


@pytest.mark.slow
def test_two_hundred_posts_stay_small(tmp_path: Path) -> None:
    photo = tmp_path / "big.jpg"
    # a 3 MP photo: smooth shapes with some grain (12 MP makes the test slow, not different)
    base = Image.effect_noise((252, 189), 90).convert("RGB").resize((2016, 1512), Image.Resampling.BICUBIC)
    base.save(photo, "JPEG", quality=88)
    results, posts = [], []
    for i in range(200):
        name = f"post-{i:03d}"
        results.append(
            PostResult(
                name,
                Severity.WARN,
                (
                    InputSummary(
                        str(photo), "image", 1, (FaceBox((100, 300, 300, 100), "review"),), (2016, 1512)
                    ),
                ),
                (
                    Finding(
                        "face-unknown",
                        "unknown",
                        str(photo),
                        box=(100, 300, 300, 100),
                        severity=Severity.WARN,
                        clauses=("2.6",),
                    ),
                ),
            )
        )
        posts.append(Post(name, (InputFile(str(photo), "image", photo),)))
    report = Report("0.1.0", "enquire", "Enquire", "personal", None, tuple(results))
    markup = render_html(report, posts)
    page = parse(markup)
    assert len([a for a in page.all("section") if "post" in a.get("class", "")]) == 200
    imgs = page.all("img")
    assert len(imgs) == 200
    first = Image.open(io.BytesIO(base64.b64decode(imgs[0]["src"].split(",", 1)[1])))
    assert max(first.size) <= THUMB_MAX_BATCH
    size = len(markup.encode())
    # thumbnails, not originals: a small fraction of the photos' own size
    assert size < 200 * photo.stat().st_size / 8, f"{size / 1e6:.1f} MB for 200 photos"
    assert size < 20_000_000, f"{size / 1e6:.1f} MB"


# --- a real browser ------------------------------------------------------------------


def _chromium_or_skip() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("CI: /usr/bin/chromium is missing (.ci/run installs Debian's chromium)")
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); apt-get install -y chromium")


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    base = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_renders_in_headless_chromium(tmp_path: Path) -> None:
    _chromium_or_skip()
    report, posts = sample(tmp_path)
    html_file = tmp_path / "report.html"
    html_file.write_text(render_html(report, posts), encoding="utf-8")
    shot = tmp_path / "shot.png"
    run = _chromium(
        [
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={shot}",
            "--window-size=1200,2000",
            html_file.as_uri(),
        ],
        tmp_path / "profile",
    )
    assert shot.is_file(), run.stderr[-2000:]
    errors = [
        line
        for line in run.stderr.splitlines()
        if "Uncaught" in line or "ERROR:CONSOLE" in line or "Refused to" in line
    ]
    assert not errors, errors
    with Image.open(shot) as im:
        rgb = im.convert("RGB")
        small = rgb.resize((300, 500))
        colours = small.getcolors(300 * 500)
        assert colours is not None and len(colours) > 20, "the screenshot is blank"
        non_white = sum(n for n, c in colours if sum(c) < 720)
        assert non_white > 0.05 * 300 * 500
        # the embedded photo was decoded and drawn: its magenta block is on screen
        magenta = sum(n for n, (r, g, b) in colours if r > 180 and b > 180 and g < 80)
        assert magenta > 50, "the photo did not render"
        # a red face box is drawn over it
        red = sum(n for n, (r, g, b) in rgb.getcolors(1200 * 2000) or [] if r > 190 and g < 60 and b < 60)
        assert red > 100, "no red face box on screen"
    dom = _chromium(["--dump-dom", html_file.as_uri()], tmp_path / "profile2")
    page = parse(dom.stdout)
    assert len([a for a in page.all("section") if "post" in a.get("class", "")]) == 2
    assert len(page.all("img")) == 2 and len(page.all("figure")) == 2
    assert not page.all("script")


def test_chromium_is_required_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """The browser test may skip on a developer's machine, never in CI."""
    monkeypatch.setenv("CI", "true")
    if CHROMIUM.exists():
        assert _chromium_or_skip() == CHROMIUM
    else:
        with pytest.raises(pytest.fail.Exception):
            _chromium_or_skip()


def test_example_school_batch_through_the_cli(cli, tmp_path: Path) -> None:
    """The real pipeline: the example school's batch as one HTML page."""
    example = Path(__file__).resolve().parents[1] / "examples" / "oakfield"
    if not (example / "posts").is_dir():
        pytest.skip("the example school (examples/oakfield) is not in this checkout")
    out = tmp_path / "report.html"
    res = cli(
        str(example / "posts"),
        "--config",
        str(example / "postcheck.toml"),
        "--format",
        "html",
        "--output",
        str(out),
    )
    assert res.exit_code in (0, 1, 2), res.output
    markup = out.read_text(encoding="utf-8")
    page = parse(markup)
    from postcheck.inputs import collect_posts

    posts = collect_posts([str(example / "posts")])
    sections = [a["data-post"] for a in page.all("section") if "post" in a.get("class", "")]
    assert sorted(sections) == sorted(p.name for p in posts)
    photos = [i.display for p in posts for i in p.inputs if i.kind == "image"]
    drafts = [i.display for p in posts for i in p.inputs if i.kind == "text"]
    figures = [a["data-input"] for a in page.all("figure")]
    # every photo has its figure, and so has every picture inside a draft (a .docx's preview)
    assert set(photos) <= set(figures)
    assert all(f in photos or any(f.startswith(f"{d} (") for d in drafts) for f in figures)
    assert len(page.all("img")) == len(photos)
    assert not external_urls(page)
    assert len(markup) < 2_000_000
