"""The HTML report: one self-contained page for a post or a batch.

Nothing is fetched when the page is opened: styles are inline, there are no
scripts, fonts or external links, and photos are embedded as downscaled JPEG
data URIs (thumbnails, never the originals) with the faces boxed over them in
inline SVG: red for block, amber for review, green for consented, labelled
with the pupil's register id or "unknown" (never a name). Every face whose
status is block or review is blurred in the thumbnail itself, over the whole
head, so the page never carries the face of a child without consent or of
someone unknown; a photo whose faces were not checked is not embedded at all. Findings cite the
clauses they enforce with the clause's summary from the policy pack, and the
matched text is highlighted in the draft. Every piece of text is escaped.

The page reads on a phone (one column, wrapping tables) and on a projector
(larger type on wide screens, and a "large text" switch that needs no script).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from postcheck.model import Finding, InputFile, InputSummary, Post, PostResult, Report, Severity
from postcheck.reporters.html_photos import (
    BATCH_PHOTOS,
    TEXT_BOX_COLOUR,
    THUMB_MAX,
    THUMB_MAX_BATCH,
    THUMB_QUALITY,
    THUMB_QUALITY_BATCH,
    photo_section,
)
from postcheck.waivers import describe as describe_waiver

CSS = """
:root { --fg:#1b1b1b; --bg:#ffffff; --muted:#5c5c5c; --line:#d8d8d8; --card:#f7f7f5;
  --block:#b3121b; --warn:#8a5a00; --pass:#1e6b30; --block-bg:#fde8e8; --warn-bg:#fff4d6;
  --pass-bg:#e5f5e8; --mark-block:#ffc9c9; --mark-warn:#ffe8a3; }
* { box-sizing: border-box; }
html { font-size: 16px; -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: var(--bg); line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
#big { position: absolute; left: -9999px; }
.switch { float: right; font-size: .9rem; border: 1px solid var(--line); border-radius: 6px;
  padding: .2rem .6rem; cursor: pointer; user-select: none; background: var(--card); }
#big:checked ~ main { font-size: 1.45rem; }
#big:checked ~ main .switch { background: #333; color: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6em; margin: .2em 0 .4em; }
h2 { font-size: 1.3em; margin: 0 0 .4em; word-break: break-word; }
h3 { font-size: 1.05em; margin: 1em 0 .4em; }
.meta { color: var(--muted); margin: 0 0 1em; }
.meta span { margin-right: 1.2em; display: inline-block; }
.counts { display: flex; flex-wrap: wrap; gap: .6em; margin: .6em 0 1em; padding: 0; list-style: none; }
.counts li { padding: .5em 1em; border-radius: 8px; font-weight: 600; }
.badge { display: inline-block; padding: .1em .55em; border-radius: 6px; font-weight: 700;
  font-size: .85em; text-transform: uppercase; letter-spacing: .03em; white-space: nowrap; }
.v-block { background: var(--block-bg); color: var(--block); }
.v-warn { background: var(--warn-bg); color: var(--warn); }
.v-pass { background: var(--pass-bg); color: var(--pass); }
.v-waived { background: #eee; color: var(--muted); }
nav.toc ol { padding-left: 1.4em; columns: 2 18em; margin: 0; }
nav.toc a { color: inherit; }
section.post { border: 1px solid var(--line); border-left-width: 8px; border-radius: 8px;
  padding: 1em; margin: 1.2em 0; background: var(--bg); }
section.post.s-block { border-left-color: var(--block); }
section.post.s-warn { border-left-color: #e0a100; }
section.post.s-pass { border-left-color: var(--pass); }
table.findings { width: 100%; border-collapse: collapse; font-size: .95em; }
table.findings th, table.findings td { text-align: left; vertical-align: top; padding: .45em .5em;
  border-top: 1px solid var(--line); }
table.findings th { font-size: .85em; color: var(--muted); font-weight: 600; }
@media (min-width: 900px) { table.findings td code { white-space: nowrap; } }
.clause { display: block; }
.clause b { white-space: nowrap; }
.where { color: var(--muted); font-size: .9em; overflow-wrap: anywhere; min-width: 8em; }
.evidence { display: block; font-style: italic; color: var(--muted); }
pre.draft { white-space: pre-wrap; word-wrap: break-word; background: var(--card);
  border: 1px solid var(--line); border-radius: 6px; padding: .8em; font: inherit; margin: 0;
  max-height: 40em; overflow: auto; }
mark { border-radius: 3px; padding: 0 .1em; }
mark.m-block { background: var(--mark-block); }
mark.m-warn { background: var(--mark-warn); }
mark.m-pass { background: #d5efd9; }
.photos { display: flex; flex-wrap: wrap; gap: 1em; }
figure.photo { margin: 0; flex: 1 1 320px; max-width: 560px; }
@media (max-width: 640px) { figure.photo { max-width: 100%; } }
.frame { position: relative; line-height: 0; }
.frame img, .frame .blank { width: 100%; height: auto; display: block; border-radius: 4px; }
.frame .blank { background: #e6e6e6; }
.frame svg { position: absolute; left: 0; top: 0; width: 100%; height: 100%; overflow: visible; }
figcaption { font-size: .9em; color: var(--muted); margin-top: .4em; word-break: break-all; }
.legend { font-size: .85em; color: var(--muted); }
.legend i { display: inline-block; width: .9em; height: .9em; border: 3px solid; vertical-align: -2px;
  margin: 0 .2em 0 .8em; }
.notes { color: var(--muted); font-size: .9em; }
.empty { color: var(--pass); font-weight: 600; }
footer { color: var(--muted); font-size: .85em; margin: 2em 0 1em; }
@media (max-width: 640px) {
  main { padding: .6rem; }
  table.findings thead { display: none; }
  table.findings tr { display: block; border-top: 1px solid var(--line); padding: .4em 0; }
  table.findings td { display: block; border: 0; padding: .15em 0; }
}
@media (min-width: 1600px) { html { font-size: 20px; } main { max-width: 1500px; } }
@media (prefers-contrast: more) { :root { --muted:#222; --line:#555; } }
@media print { .switch, #big { display: none; } section.post { break-inside: avoid-page; } }
"""


def _sev(value: Severity | None) -> str:
    return (value or Severity.WARN).label


def _load_policy(policy_id: str) -> Any:
    try:
        from postcheck.policy import load_policy

        return load_policy(policy_id)
    except Exception:  # the report still renders without clause summaries
        return None


def render_html(report: Report, posts: list[Post] | None = None) -> str:
    """The report as one self-contained HTML page.

    ``posts`` (the checked posts, in the report's order) give the original
    files, so drafts are shown with their matches highlighted and photos are
    embedded; without them the page shows the findings and, where the photo's
    size is known, its face boxes on a blank frame.
    """
    policy = _load_policy(report.policy_id)
    originals = _match_posts(report, posts)
    photo_count = sum(1 for p in report.posts for i in p.inputs if i.kind == "image")
    small = photo_count > BATCH_PHOTOS
    thumb = (THUMB_MAX_BATCH, THUMB_QUALITY_BATCH) if small else (THUMB_MAX, THUMB_QUALITY)
    batch = len(report.posts) > 1
    title = "postcheck report" + (f": {report.posts[0].name}" if len(report.posts) == 1 else "")
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">",
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        '<input type="checkbox" id="big" aria-label="Large text">',
        "<main>",
        '<label class="switch" for="big">Large text</label>',
    ]
    shared = _shared_notes(report)
    out += _summary(report, batch, shared)
    # worst first, as in the list at the top; ids keep the report's order
    for index, result in _worst_first(report):
        out += _post(index, result, originals.get(index - 1), policy, thumb, shared)
    out.append(
        f"<footer>postcheck {escape(report.version)} · {escape(report.policy_name)} · "
        f"channel {escape(report.channel)}. Face boxes are labelled with register ids, never names. "
        "Photos are reduced copies; the originals are unchanged.</footer>"
    )
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def _match_posts(report: Report, posts: list[Post] | None) -> dict[int, Post]:
    if not posts:
        return {}
    if len(posts) == len(report.posts) and all(
        p.name == r.name for p, r in zip(posts, report.posts, strict=True)
    ):
        return dict(enumerate(posts))
    by_name: dict[str, list[Post]] = {}
    for p in posts:
        by_name.setdefault(p.name, []).append(p)
    matched: dict[int, Post] = {}
    for i, r in enumerate(report.posts):
        candidates = by_name.get(r.name)
        if candidates:
            matched[i] = candidates.pop(0)
    return matched


def _worst_first(report: Report) -> list[tuple[int, PostResult]]:
    return sorted(enumerate(report.posts, 1), key=lambda t: (-int(t[1].verdict), t[0]))


def _shared_notes(report: Report) -> list[str]:
    """Notes every post carries (how a check worked): shown once, at the top."""
    if len(report.posts) < 2:
        return []
    common = set(report.posts[0].notes)
    for post in report.posts[1:]:
        common &= set(post.notes)
    return [n for n in report.posts[0].notes if n in common]


def _summary(report: Report, batch: bool, shared: Sequence[str] = ()) -> list[str]:
    verdict = report.verdict.label
    counts = report.counts
    out = [
        "<header>",
        f'<h1>postcheck report <span class="badge v-{verdict}">{escape(verdict)}</span></h1>',
        '<p class="meta">',
        f"<span>Policy: {escape(report.policy_name)} ({escape(report.policy_id)})</span>",
        f"<span>Channel: {escape(report.channel)}</span>",
        f"<span>Approval: {escape(report.approval) if report.approval else 'none'}</span>",
        f"<span>{len(report.posts)} post{'s' if len(report.posts) != 1 else ''}</span>",
        "</p>",
    ]
    if batch:
        out.append('<ul class="counts" aria-label="Posts by verdict">')
        for label, text in (("block", "blocked"), ("warn", "to review"), ("pass", "passed")):
            out.append(f'<li class="v-{label}">{counts.get(label, 0)} {text}</li>')
        out.append("</ul>")
    for note in (*report.notes, *shared):
        out.append(f'<p class="notes">{escape(note)}</p>')
    out.append("</header>")
    if batch:
        out.append('<nav class="toc" aria-label="Posts"><h3>Posts</h3><ol>')
        for index, post in _worst_first(report):
            v = post.verdict.label
            out.append(
                f'<li><a href="#post-{index}">{escape(post.name)}</a> '
                f'<span class="badge v-{v}">{escape(v)}</span></li>'
            )
        out.append("</ol></nav>")
    return out


def _post(
    index: int,
    result: PostResult,
    post: Post | None,
    policy: Any,
    thumb: tuple[int, int],
    shared: Sequence[str] = (),
) -> list[str]:
    v = result.verdict.label
    out = [
        f'<section class="post s-{v}" id="post-{index}" data-post="{escape(result.name)}">',
        f'<h2>{escape(result.name)} <span class="badge v-{v}">{escape(v)}</span></h2>',
    ]
    if result.findings:
        out += _findings_table(result.findings, policy)
    else:
        out.append('<p class="empty">No problems found.</p>')
    for note in result.notes:
        if note in shared:
            continue
        out.append(f'<p class="notes">{escape(note)}</p>')
    items = {i.display: i for i in post.inputs} if post else {}
    photos: list[str] = []
    for summary in result.inputs:
        item = items.get(summary.path)
        mine = [f for f in result.findings if f.input == summary.path]
        if summary.kind == "text":
            out += _draft(summary, item, mine)
        else:
            photos += photo_section(summary, item, mine, thumb)
    if photos:
        out.append("<h3>Photos</h3>")
        out.append(
            '<p class="legend">Faces: <i style="border-color:#d7191c"></i>block '
            '<i style="border-color:#f0a202"></i>review <i style="border-color:#1a9641"></i>consented '
            f'<i style="border-color:{TEXT_BOX_COLOUR};border-style:dashed"></i>text</p>'
        )
        out.append('<div class="photos">')
        out += photos
        out.append("</div>")
    out.append("</section>")
    return out


def _findings_table(findings: Sequence[Finding], policy: Any) -> list[str]:
    out = [
        '<table class="findings">',
        "<thead><tr><th>severity</th><th>rule</th><th>policy clauses</th><th>what was found</th>"
        "<th>where</th></tr></thead><tbody>",
    ]
    for f in findings:
        sev = "waived" if f.approved else _sev(f.severity)
        clauses = []
        for number in f.clauses:
            summary = policy.clause(number) if policy is not None else None
            text = f"<b>{escape(number)}</b>" + (f" {escape(summary)}" if summary else "")
            clauses.append(f'<span class="clause">{text}</span>')
        message = escape(f.message)
        if f.evidence and f.evidence not in f.message and f.rule not in ("face-no-consent", "face-unknown"):
            message += f'<span class="evidence">“{escape(f.evidence)}”</span>'
        if waived := describe_waiver(f):  # approval workflows: who waived it, why, until when
            message += f'<br><span class="waiver">{escape(waived)}</span>'
        short = f.input.replace("\\", "/").rsplit("/", 1)[-1]
        where = f'<span title="{escape(f.input)}">{escape(short)}'
        if f.line is not None:
            where += f":{f.line}"
        where += "</span>"
        if f.source and f.source not in f.input:
            where += f"<br>{escape(f.source)}"
        out.append(
            f'<tr class="finding" data-rule="{escape(f.rule)}"><td><span class="badge v-{sev}">'
            f"{escape(sev)}</span></td><td><code>{escape(f.rule)}</code></td>"
            f"<td>{''.join(clauses) or '-'}</td><td>{message}</td>"
            f'<td class="where">{where}</td></tr>'
        )
    out.append("</tbody></table>")
    return out


def highlight(text: str, findings: Sequence[Finding]) -> str:
    """``text`` escaped, with each finding's span wrapped in ``<mark>``
    (overlapping spans take the more severe colour)."""
    marks: list[tuple[int, int, Finding]] = []
    for f in findings:
        if f.span is None:
            continue
        s, e = f.span
        s, e = max(0, s), min(len(text), e)
        if s < e:
            marks.append((s, e, f))
    if not marks:
        return escape(text)
    # per-character severity, then runs
    level = [-1] * len(text)
    title: list[str | None] = [None] * len(text)
    for s, e, f in marks:
        sev = int(f.severity if f.severity is not None else Severity.WARN)
        for i in range(s, e):
            if sev > level[i]:
                level[i] = sev
                title[i] = f.rule
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        j = i
        while j < n and level[j] == level[i] and title[j] == title[i]:
            j += 1
        chunk = escape(text[i:j])
        if level[i] >= 0:
            cls = Severity(level[i]).label
            out.append(f'<mark class="m-{cls}" title="{escape(title[i] or "")}">{chunk}</mark>')
        else:
            out.append(chunk)
        i = j
    return "".join(out)


def _draft(summary: InputSummary, item: InputFile | None, findings: Sequence[Finding]) -> list[str]:
    out = [f"<h3>Draft: {escape(summary.path)}</h3>"]
    text = None
    if item is not None:
        try:
            from postcheck.inputs import read_draft

            text = read_draft(item).text
        except Exception:  # an unreadable draft is already a finding
            text = None
    if text is None:
        out.append('<p class="notes">The draft text is not shown (not available to the report).</p>')
        return out
    out.append(f'<pre class="draft" data-input="{escape(summary.path)}">{highlight(text, findings)}</pre>')
    return out
