"""``postcheck fix``: safe copies of what can be made safe.

The originals are checked first; each finding that has a mechanical remedy is
applied to a *copy* written into the output folder, and the copies are then
checked again, so the verdict printed for a copy is postcheck's own verdict on
that copy, not a promise.

Photos
    EXIF orientation baked into the pixels; every piece of metadata dropped
    (EXIF with GPS, maker notes and thumbnails, XMP, IPTC, comments, PNG text)
    except the colour profile; every face whose status is not ``ok`` (no valid
    consent, unknown, in the review band) and, on a personal post, every
    recognised pupil covered over the whole head with a margin; text boxes that
    carried a finding (a pupil's name on a badge, a phone number on a
    whiteboard) covered; a file name that carries a pupil's name replaced.

Drafts
    Written as plain text (``.docx`` and ``.html`` become ``.txt``). Each
    pupil's name is cut down to what their name consent allows on the channel
    (``register.name_permission``): the first name only, or initials (or
    nothing, with ``--names remove``); personal data becomes ``[removed]``;
    the Trust's contact details are removed; the first configured disclaimer is
    appended when ``missing-disclaimer`` fired. Everything else (offensive
    language, adverse comments, confidential matters, references, anything a
    check did not mark fixable) is left alone and listed as still to fix by hand.

Originals are never written to: an output path that resolves to an input is
refused, and an existing output is kept unless ``force`` is given. A kept copy
that is not what this run would write (its original was edited since, or the
options, register or config changed) is reported as out of date, and the post's
verdict is block: the copy's own verdict would not be the verdict of the
original as it is now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postcheck.errors import UnreadableInput, UsageError
from postcheck.fix_outputs import PlannedOutput, plan_outputs, refuse_overwrite, text_ext, write_new
from postcheck.fix_photo import COVERS, FACE_RULES, faces_to_cover, fix_photo_bytes, texts_to_cover
from postcheck.fix_text import REMOVED, fix_draft_text
from postcheck.model import Finding, InputFile, Post, PostResult, Report, Severity
from postcheck.register import Register

NAME_MODES = ("initials", "remove")


# --- the whole run -------------------------------------------------------------------


@dataclass
class FileFix:
    """One input and its copy."""

    original: str
    output: Path | None
    kind: str
    status: str  # written | kept (identical) | stale (kept, out of date) | skipped
    changes: list[str] = field(default_factory=list)
    renamed: bool = False


@dataclass
class PostFix:
    name: str
    out_name: str
    before: PostResult
    files: list[FileFix] = field(default_factory=list)
    manual: list[Finding] = field(default_factory=list)
    after: PostResult | None = None
    copy: Post | None = None

    @property
    def verdict(self) -> Severity:
        """The copy's verdict; block when an input could not be copied or a kept copy
        is out of date (fail closed)."""
        if self.after is None or not_copied(self) or self.stale:
            return Severity.BLOCK
        return self.after.verdict

    @property
    def stale(self) -> list[FileFix]:
        """Copies kept from an earlier run that do not match what this run would write."""
        return [f for f in self.files if f.status == "stale"]


@dataclass
class FixRun:
    out: Path
    posts: list[PostFix]
    before: Report
    after: Report | None

    @property
    def verdict(self) -> Severity:
        return max((p.verdict for p in self.posts), default=Severity.PASS)


def _kept_changes(status: str, plan: PlannedOutput) -> list[str]:
    """What to say about a copy left from an earlier run."""
    if status == "kept":
        return ["an identical copy from an earlier run is already there: kept"]
    why = "this run's fixes (other options, or a changed register or config)"
    try:
        if plan.item.path is not None and plan.item.path.stat().st_mtime > plan.dest.stat().st_mtime:
            why = "the original, which changed after the copy was made"
    except OSError:
        pass
    return [
        f"out of date: the copy from an earlier run does not match {why}; it was kept, not "
        "replaced, so the post is blocked (use --force to replace it)"
    ]


CheckFn = Callable[[list[Post], Callable[[PostResult], None] | None], Report]


def fix_posts(
    posts: list[Post],
    session: Any,
    out: Path,
    *,
    cover_mode: str = "solid",
    names: str = "initials",
    force: bool = False,
    jobs: int = 1,
    check: CheckFn | None = None,
    progress: Callable[[str, int], Callable[[str], None]] | None = None,
) -> FixRun:
    """Check ``posts``, write their repaired copies into ``out``, check the copies.

    ``check`` runs the checks (default: :func:`postcheck.batch.check_posts`
    with ``session``); ``progress(stage, total)`` returns an ``advance(name)``.
    """
    if cover_mode not in COVERS:
        raise UsageError(f"--cover {cover_mode}: expected one of {', '.join(COVERS)}")
    if names not in NAME_MODES:
        raise UsageError(f"--names {names}: expected one of {', '.join(NAME_MODES)}")
    if check is None:
        from postcheck.batch import check_posts

        def check(ps: list[Post], on_done: Callable[[PostResult], None] | None) -> Report:
            return check_posts(ps, session, jobs, on_done=on_done)

    def stage(name: str, total: int) -> Callable[[str], None]:
        return progress(name, total) if progress else (lambda _name: None)

    advance = stage("Checking originals", len(posts))
    before = check(posts, lambda r: advance(r.name))
    register: Register = session.register
    today = getattr(session, "today", None)
    phrases = session.config.get("disclaimer.phrases") if session.config is not None else ()
    disclaimer = phrases[0] if phrases else None

    dir_names, planned = plan_outputs(posts, before.posts, out, register)
    refuse_overwrite(planned, posts, out)
    out.mkdir(parents=True, exist_ok=True)

    fixes = [PostFix(p.name, dir_names[i], before.posts[i]) for i, p in enumerate(posts)]
    by_post: dict[int, list[PlannedOutput]] = {}
    for p in planned:
        by_post.setdefault(p.post, []).append(p)
    advance = stage("Writing safe copies", len(posts))
    copies: list[Post] = []
    for i, post in enumerate(posts):
        pf = fixes[i]
        result = before.posts[i]
        channel: str = result.channel or session.channel
        handled: set[int] = set()
        copy_inputs: list[InputFile] = []
        summaries = {s.path: s for s in result.inputs}
        for plan in by_post.get(i, []):
            item = plan.item
            mine = [(k, f) for k, f in enumerate(result.findings) if f.input == item.display]
            # an unreadable metadata block (f.source) goes with the metadata; an unreadable file stays
            unreadable = [f for _, f in mine if f.rule == "unreadable-input" and f.source is None]
            if unreadable:
                pf.files.append(FileFix(item.display, None, item.kind, "skipped", ["could not be read"]))
                continue
            try:
                if item.kind == "text":
                    ff, used = _fix_draft_file(plan, mine, register, channel, today, names, disclaimer, force)
                else:
                    ff, used = _fix_photo_file(
                        plan, mine, summaries.get(item.display), register, channel, cover_mode, force
                    )
                    if ff.output is not None and _has_frames(item, result):
                        ff.changes.append(
                            "only the first frame, page or image is kept: the copy is one picture"
                        )
            except UnreadableInput as exc:
                pf.files.append(FileFix(item.display, None, item.kind, "skipped", [exc.reason]))
                continue
            handled.update(used)
            pf.files.append(ff)
            if ff.output is not None:
                copy_inputs.append(InputFile(str(ff.output), item.kind, path=ff.output))
        pf.manual = [f for k, f in enumerate(result.findings) if k not in handled]
        # the copy is checked on the channel its original was checked on
        copy = Post(pf.out_name, tuple(copy_inputs), channels=((channel, "the original post"),))
        pf.copy = copy
        copies.append(copy)
        advance(post.name)

    checkable = [c for c in copies if c.inputs]
    after: Report | None = None
    if checkable:
        advance = stage("Checking the copies", len(checkable))
        after = check(checkable, lambda r: advance(r.name))
        results = iter(after.posts)
        for pf in fixes:
            if pf.copy is not None and pf.copy.inputs:
                pf.after = next(results)
    return FixRun(out, fixes, before, after)


def _fix_draft_file(
    plan: PlannedOutput,
    mine: list[tuple[int, Finding]],
    register: Register,
    channel: str,
    today: dt.date | None,
    names: str,
    disclaimer: str | None,
    force: bool,
) -> tuple[FileFix, set[int]]:
    from postcheck.inputs import read_draft

    doc = read_draft(plan.item)
    findings = [f for _, f in mine]
    result = fix_draft_text(
        doc.text,
        findings,
        register=register,
        channel=channel,
        today=today,
        names=names,
        disclaimer=disclaimer,
    )
    manual_ids = {id(f) for f in result.manual}
    used = {k for k, f in mine if id(f) not in manual_ids}
    changes: list[str] = []
    _, note = text_ext(plan.item)
    if note:
        changes.append(note)
    counts: dict[str, int] = {}
    for e in result.edits:
        counts[e.rule] = counts.get(e.rule, 0) + 1
    labels = {
        "pupil-full-name": "pupil name(s) cut to what consent allows",
        "pupil-first-name": "pupil first name(s) cut to what consent allows",
        "personal-data": f"personal data replaced with {REMOVED}",
        "trust-contact": "Trust contact detail(s) removed",
    }
    for rule, n in counts.items():
        changes.append(f"{n} {labels.get(rule, rule)}")
    if result.disclaimer_added:
        changes.append("disclaimer added")
    renamed = plan.dest.stem != (plan.item.path.stem if plan.item.path else "draft")
    if renamed:
        changes.append("renamed: the file name carried a pupil's name")
    data = result.text.encode("utf-8")
    status = write_new(plan.dest, data, force)
    if status in ("kept", "stale"):
        changes = _kept_changes(status, plan)
        used = used if status == "kept" else set()
    return FileFix(plan.item.display, plan.dest, "text", status, changes, renamed), used


def _fix_photo_file(
    plan: PlannedOutput,
    mine: list[tuple[int, Finding]],
    summary: Any,
    register: Register,
    channel: str,
    cover_mode: str,
    force: bool,
) -> tuple[FileFix, set[int]]:
    findings = [f for _, f in mine]
    boxes = tuple(summary.face_boxes) if summary is not None else ()
    faces = faces_to_cover(boxes, findings, channel, register)
    texts = texts_to_cover(findings)
    fixed = fix_photo_bytes(plan.item, [b for b, _ in faces], [f.box for f in texts if f.box], cover_mode)
    text_ids = {id(f) for f in texts}
    used: set[int] = set()
    for k, f in mine:
        if f.rule in FACE_RULES or id(f) in text_ids:
            used.add(k)
        elif f.rule in ("image-location", "trust-premises-photo"):
            used.add(k)  # GPS is gone with the metadata
        elif f.rule == "unreadable-input" and f.source:
            used.add(k)  # an unreadable metadata block is gone with the metadata
        elif f.box is None and f.source and f.rule not in ("check-error", "logo"):
            used.add(k)  # text from metadata or the file name: dropped or renamed
    changes: list[str] = []
    if fixed.rotated:
        changes.append("orientation baked into the pixels")
    if fixed.metadata_removed:
        kept = " (colour profile kept)" if fixed.icc_kept else ""
        changes.append("metadata removed: " + ", ".join(fixed.metadata_removed) + kept)
    if faces:
        ids = ", ".join(sorted({label for _, label in faces}))
        changes.append(f"{len(faces)} face(s) covered ({cover_mode}): {ids}")
    logos = sum(1 for f in texts if f.rule == "logo")
    if len(texts) - logos:
        changes.append(f"{len(texts) - logos} text area(s) covered")
    if logos:
        changes.append(f"{logos} logo(s) covered")
    src_ext = plan.item.path.suffix.lower() if plan.item.path else ""
    if plan.dest.suffix.lower() != src_ext and plan.dest.suffix == ".jpg":
        changes.append("saved as JPEG")
    renamed = plan.item.path is not None and plan.dest.stem != plan.item.path.stem
    if renamed:
        changes.append("renamed: the file name carried a pupil's name")
    if any(f.rule == "check-error" for f in findings):
        changes.append("not every check ran on the original: faces may not all be covered")
    status = write_new(plan.dest, fixed.data, force)
    if status in ("kept", "stale"):
        changes = _kept_changes(status, plan)
        used = used if status == "kept" else set()
    return FileFix(plan.item.display, plan.dest, "image", status, changes, renamed), used


def _has_frames(item: InputFile, result: PostResult) -> bool:
    """Whether the original picture has more than one frame, page or image."""
    prefix = f"{item.display} ("
    return any(s.path.startswith(prefix) and "thumbnail" not in s.path for s in result.inputs)


def still_by_hand(pf: PostFix) -> list[Finding]:
    """What remains for a person on the copy: the copy's own findings when it was
    checked, else what the fix left alone on the original."""
    if pf.after is not None:
        return not_copied(pf) + list(pf.after.findings)
    return list(pf.manual)


def not_copied(pf: PostFix) -> list[Finding]:
    """The original's findings about inputs that have no copy (unreadable files,
    unreadable folder entries): the copy cannot be checked for them."""
    skipped = {f.original for f in pf.files if f.status == "skipped"}
    return [f for f in pf.manual if f.rule == "unreadable-input" or f.input in skipped]


def reason_for(f: Finding) -> str:
    """What a person must do about a finding ``fix`` left alone (its rule's definition)."""
    from postcheck import catalogue

    return catalogue.rule(f.rule).by_hand


def with_clauses(f: Finding) -> str:
    return ", ".join(f.clauses) if f.clauses else "-"


__all__ = [
    "NAME_MODES",
    "FileFix",
    "FixRun",
    "PostFix",
    "fix_posts",
    "not_copied",
    "reason_for",
    "still_by_hand",
    "with_clauses",
]
