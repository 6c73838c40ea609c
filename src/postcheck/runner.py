"""Running the checks on posts.

Coverage is explicit: the readers return every part of every input (a
draft's text parts and the pictures in it; a picture's frames, pages, images
and EXIF thumbnails) and the runner runs every applicable check on each part.
A part that could not be read is an ``unreadable-input`` finding naming it;
every check runs inside its own ``try``, so an exception becomes a
``check-error`` finding naming the part and a capability that is off or
missing a reported "not checked": nothing passes unchecked. The runner then
gives each finding its severity and clauses from the policy pack, applies
``[rules]`` overrides from the config, the ``--approval`` reference and the
waivers of ``waivers.toml`` (:mod:`postcheck.waivers`), and takes the highest
severity as the post's verdict. Each finding gets a fingerprint, and each input
the SHA-256 of its bytes, hashed before and after the checks: a file that
changes while it is being checked blocks its post.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from postcheck import catalogue, warmup
from postcheck.catalogue import ALWAYS_ON
from postcheck.channel import ChannelChoice, choose, declared_channel
from postcheck.checks import CHECKS, CheckContext, CheckSpec
from postcheck.config import Config
from postcheck.errors import Unavailable, UnreadableInput
from postcheck.fingerprints import input_sha256, sha256_bytes, with_fingerprints
from postcheck.inputs import DraftParts, TextDoc, read_draft_parts
from postcheck.model import Finding, InputFile, InputSummary, Post, PostResult, Severity
from postcheck.policy import Policy, effective_severity, weakened
from postcheck.register import Register
from postcheck.text.analysis import TextIndex
from postcheck.waivers import WaiverSet, apply_waiver, expired_notes


@dataclass(frozen=True)
class Session:
    """Everything fixed for a run: config, pack, channel, register, approval, and
    the text layer's indexes (built on first use, once per session and worker)."""

    config: Config
    policy: Policy
    channel: str
    register: Register
    approval: str | None = None
    today: dt.date | None = None
    waivers: WaiverSet | None = None  # approval workflows: waivers.toml beside the config
    text_index: TextIndex = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        from postcheck.nlp import check_setting

        check_setting(self.config.get("nlp.model"))  # a missing pipeline is a config error, now
        object.__setattr__(self, "text_index", TextIndex(self.config, self.register))

    def context(self, channel: str | None = None) -> CheckContext:
        """A fresh context for one post, on ``channel`` (default: the run's)."""
        ctx = CheckContext(
            self.config,
            self.policy,
            channel or self.channel,
            self.register,
            self.approval,
            self.today or dt.date.today(),
            text_index=self.text_index,
        )
        ctx.text_runner = _text_from_image
        return ctx


def _specs(kind: str, ctx: CheckContext) -> list[CheckSpec]:
    return [s for s in CHECKS if s.kind == kind and any(ctx.enabled(r) for r in s.emits)]


def _error(spec: CheckSpec, item: str, exc: BaseException) -> Finding:
    if isinstance(exc, Unavailable):
        return Finding(
            "check-error",
            f"Not checked: {exc.what}. {exc.hint}. The post cannot pass until this is checked.",
            item,
            evidence=None,
        )
    where = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return Finding(
        "check-error",
        f"The {spec.emits[0]} check failed on this input ({where}); it was not fully checked, "
        "so the post is blocked. Please report this to the postcheck maintainers.",
        item,
    )


def _run(spec: CheckSpec, item: Any, display: str, ctx: CheckContext, arg: Any = None) -> list[Finding]:
    try:
        return list(spec.load()(item, ctx if arg is None else arg))
    except UnreadableInput as exc:  # a part of the input the check needed could not be read
        return [_unreadable(display, exc.reason)]
    except Unavailable as exc:
        ctx.note(f"not checked: {exc.what} ({exc.hint})")
        return [_error(spec, display, exc)]
    except Exception as exc:
        return [_error(spec, display, exc)]


def run_text_checks(doc: TextDoc, ctx: CheckContext) -> list[Finding]:
    """Analyse the text once, then run every enabled text rule on the analysis."""
    specs = _specs("text", ctx)
    if not specs:
        return []
    try:
        analysis = ctx.analysis(doc)
    except Exception as exc:
        spec = CheckSpec("text", "postcheck.text.analysis:analyse", ("text analysis",))
        if isinstance(exc, Unavailable):
            ctx.note(f"not checked: {exc.what} ({exc.hint})")
        return [_error(spec, doc.input, exc)]
    text_ctx = ctx.text_context()
    findings: list[Finding] = []
    for spec in specs:
        findings += _run(spec, analysis, doc.input, ctx, text_ctx)
    return [_with_line(f, doc.text) for f in findings]


def _with_line(f: Finding, text: str) -> Finding:
    if f.span is None or f.line is not None:
        return f
    return dataclasses.replace(f, line=text.count("\n", 0, f.span[0]) + 1)


def _text_from_image(
    text: str, item: InputFile, source: str, box: tuple[int, int, int, int] | None, ctx: CheckContext
) -> list[Finding]:
    if not ctx.enabled("image-text"):
        return []
    doc = TextDoc(text, f"{item.display} ({source})", source)
    out = []
    for f in run_text_checks(doc, ctx):
        if f.rule == "check-error":
            out.append(dataclasses.replace(f, input=item.display, source=source))
            continue
        message = f"{source}: {f.message}"
        out.append(
            dataclasses.replace(
                f, input=item.display, source=source, box=box or f.box, message=message, line=None
            )
        )
    return out


def _unreadable(display: str, reason: str) -> Finding:
    return Finding(
        "unreadable-input",
        f"Could not read this input: {reason}. postcheck could not verify it, so the post is blocked.",
        display,
    )


def resolve(finding: Finding, ctx: CheckContext, waivers: WaiverSet | None = None) -> Finding | None:
    """Give a finding its severity and clauses; None when its rule is off.
    ``--approval`` and ``waivers`` waive findings of approvable rules.

    A finding whose variant its rule does not define is a bug in the check: it
    becomes a ``check-error`` (block), never a silently lower severity."""
    rule = catalogue.rule(finding.rule)
    if finding.variant is not None and rule.variant(finding.variant) is None:
        return dataclasses.replace(
            finding,
            rule="check-error",
            message=f"The {finding.rule} check reported an unknown case ({finding.variant!r}), so its "
            "severity is unknown and the post is blocked. Please report this to the postcheck maintainers.",
            variant=None,
            severity=Severity.BLOCK,
            clauses=(),
        )
    severity = effective_severity(ctx.policy, ctx.config.rules, rule.id, ctx.channel, finding.variant)
    if severity is None:
        return None
    entry = ctx.policy.rule(rule.id, finding.variant)
    variant = rule.variant(finding.variant)
    protected = variant is not None and variant.protected  # a never_publish child: never waived
    approved = bool(ctx.approval) and entry.approvable and rule.id not in ALWAYS_ON and not protected
    resolved = dataclasses.replace(finding, severity=severity, clauses=entry.clauses, approved=approved)
    return apply_waiver(resolved, waivers, ctx.policy, ctx.today)  # approval workflows: waivers.toml


def _channel_for(
    post: Post, session: Session, docs: dict[int, DraftParts | UnreadableInput]
) -> ChannelChoice:
    """The post's channel (:mod:`postcheck.channel`); reads its drafts into ``docs``."""
    declared: list[tuple[str, str]] = []
    for i, item in enumerate(post.inputs):
        if item.kind != "text":
            continue
        try:
            docs[i] = read_draft_parts(item)
        except UnreadableInput as exc:
            docs[i] = exc
            continue
        value = declared_channel(docs[i].doc.text)
        if value is not None:
            declared.append((value, item.display))
    return choose(session.channel, post.channels, declared)


def _draft(i: int, item: InputFile, docs: dict[int, DraftParts | UnreadableInput]) -> DraftParts:
    parts = docs.get(i) or read_draft_parts(item)
    if isinstance(parts, UnreadableInput):
        raise parts
    return parts


def _start(
    post: Post, session: Session, docs: dict[int, DraftParts | UnreadableInput]
) -> tuple[CheckContext, list[Finding]]:
    """The post's context, on its channel, and the findings about the post itself:
    an unknown channel, problems met while collecting it, no inputs at all."""
    choice = _channel_for(post, session, docs)
    ctx = session.context(choice.channel)
    for note in (*post.notes, *([choice.note] if choice.note else [])):
        ctx.note(note)
    raw: list[Finding] = []
    if choice.problem:
        raw.append(
            Finding(
                "check-error",
                f"The post's channel is unknown: {choice.problem}. It is blocked rather than checked "
                "against the wrong channel's rules.",
                post.name,
            )
        )
    raw += [_unreadable(display, reason) for display, reason in post.problems]
    if not post.inputs and not post.problems:
        raw.append(_unreadable(post.name, "the post has no inputs"))
    return ctx, raw


def _check_draft(
    parts_of: Callable[[], DraftParts], item: InputFile, ctx: CheckContext, summaries: list[InputSummary]
) -> list[Finding]:
    """Every text part of a draft, then every picture in it (as an image input)."""
    summaries.append(InputSummary(item.display, item.kind))
    try:
        parts = parts_of()
    except UnreadableInput as exc:
        return [_unreadable(item.display, exc.reason)]
    if parts.doc.note:
        ctx.note(parts.doc.note)
    out = run_text_checks(parts.doc, ctx)
    out += [_unreadable(display, reason) for display, reason in parts.problems]
    for picture in parts.images:
        out += _check_picture(picture, ctx, summaries)
    return out


def _check_picture(item: InputFile, ctx: CheckContext, summaries: list[InputSummary]) -> list[Finding]:
    """Every part of a picture: the first frame, then the others and the EXIF
    thumbnails (:mod:`postcheck.parts`). A finding repeated word for word on a
    later part (the same caption in every frame) is reported once."""
    from postcheck.parts import image_parts, open_embedded, thumbnail_covered

    try:
        # decode once, so an unreadable picture is reported as such
        if item.path is None:
            ctx.provide_image(item, open_embedded(item))
        ctx.image(item)
    except UnreadableInput as exc:
        summaries.append(InputSummary(item.display, "image"))
        return [_unreadable(item.display, exc.reason)]
    out = _image_checks(item, ctx, summaries)
    seen = {_same(f) for f in out}
    try:
        for part in image_parts(item, ctx.image(item), ctx.notes, thumbnail_covered(ctx)):
            if part.loaded is None:
                out.append(_unreadable(part.item.display, part.problem or "could not be decoded"))
                continue
            ctx.provide_image(part.item, part.loaded)
            for f in _image_checks(part.item, ctx, summaries):
                if _same(f) not in seen:
                    seen.add(_same(f))
                    out.append(f)
            ctx.forget(part.item.display)  # a frame's pixels are not kept once checked
    except UnreadableInput as exc:
        out.append(_unreadable(f"{item.display} (frames)", exc.reason))
    return out


def _same(f: Finding) -> tuple[Any, ...]:
    return (f.rule, f.variant, f.message, f.evidence, f.source, f.box, f.span, f.person)


def _image_checks(item: InputFile, ctx: CheckContext, summaries: list[InputSummary]) -> list[Finding]:
    ctx.fact(item.display, "size", ctx.image(item).size)
    out: list[Finding] = []
    for spec in _specs("image", ctx):
        out += _run(spec, item, item.display, ctx)
    facts = ctx.facts.get(item.display, {})
    summaries.append(
        InputSummary(
            item.display,
            item.kind,
            facts.get("faces"),
            tuple(facts.get("face_boxes", ())),
            facts.get("size"),
        )
    )
    return out


def _check_inputs(
    post: Post, ctx: CheckContext, docs: dict[int, DraftParts | UnreadableInput]
) -> tuple[list[Finding], list[InputSummary]]:
    """Every input's findings and summaries, in the order of the inputs.

    A post's photos are checked in a second thread while its drafts are checked,
    or, for photos alone whose file names have words, while the text rules' spaCy
    pipeline is built for those words; the OCR engine starts loading in a third
    (:mod:`postcheck.warmup`). The photo models spend their time in native code
    that releases the GIL (onnxruntime, OpenCV, dlib) while spaCy loads, so a
    draft with one phone photo waits for the longer of the two, not their sum.
    Each side has its own context (:meth:`CheckContext.fork`), whose notes are
    added back in a fixed order: the result is the same as checking one input
    after the other. Nothing on either side may depend on Python's warning
    filters, which the threads share (:mod:`postcheck.vision.exif_check`).
    """

    def one(i: int, item: InputFile, ctx: CheckContext) -> tuple[list[Finding], list[InputSummary]]:
        summaries: list[InputSummary] = []
        if item.kind == "text":
            found = _check_draft(lambda: _draft(i, item, docs), item, ctx, summaries)
        else:
            found = _check_picture(item, ctx, summaries)
        return found, summaries

    def side(ctx: CheckContext, text: bool) -> dict[int, tuple[list[Finding], list[InputSummary]]]:
        if text and warm:
            ctx.text_index.warm()
        return {i: one(i, x, ctx) for i, x in enumerate(post.inputs) if (x.kind == "text") == text}

    photos = any(item.kind != "text" for item in post.inputs)
    drafts = any(item.kind == "text" for item in post.inputs)
    if photos:
        warmup.start_photo_models(ctx)
    warm = photos and not drafts and warmup.names_need_text(post.inputs, ctx, bool(_specs("text", ctx)))
    if not photos or not (warm or drafts):
        results = side(ctx, not photos)
    else:
        texts, pictures = ctx.fork(), ctx.fork()
        with ThreadPoolExecutor(1, thread_name_prefix="postcheck-photos") as pool:
            later = pool.submit(side, pictures, False)
            results = side(texts, True)
            results.update(later.result())
        first, second = (texts, pictures) if post.inputs[0].kind == "text" else (pictures, texts)
        ctx.absorb(first)
        ctx.absorb(second)
    findings = [f for i in sorted(results) for f in results[i][0]]
    return findings, [s for i in sorted(results) for s in results[i][1]]


def check_post(post: Post, session: Session) -> PostResult:
    digests = {item.display: input_sha256(item) for item in post.inputs}
    docs: dict[int, DraftParts | UnreadableInput] = {}
    ctx, raw = _start(post, session, docs)
    checked, summaries = _check_inputs(post, ctx, docs)
    raw += checked
    digests = _with_parts(digests, summaries)
    summaries = [dataclasses.replace(s, sha256=digests.get(s.path)) for s in summaries]
    for spec in _specs("post", ctx):
        raw += _run(spec, post, post.name, ctx)
    raw += _changed_while_checked(post, digests)
    raw = with_fingerprints(raw, digests)
    findings = [f for f in (resolve(f, ctx, session.waivers) for f in raw) if f is not None]
    findings.sort(key=lambda f: (-int(f.severity or 0), f.input, f.span or (0, 0), f.rule))
    counted = [f.severity for f in findings if not f.approved and f.severity is not None]
    verdict = max(counted, default=Severity.PASS)
    notes = list(ctx.notes)
    for key, value in ctx.methods.items():
        notes.append(f"{key}: {value}")
    notes += expired_notes(findings)
    if not session.config.get("audit.enabled"):
        notes.append("audit trail off ([audit] enabled = false in postcheck.toml): this run is not recorded")
    lowered = tuple(weakened(session.policy, session.config.rules, (ctx.channel,)))
    return PostResult(
        post.name, verdict, tuple(summaries), tuple(findings), tuple(notes), ctx.channel, lowered
    )


def _with_parts(digests: dict[str, str | None], summaries: list[InputSummary]) -> dict[str, str | None]:
    """``digests`` and, for each part of an input ("class.gif (frame 2)"), a hash of
    its input's hash and the part's name, so its findings keep stable fingerprints."""
    out = dict(digests)
    for summary in summaries:
        if summary.path in out:
            continue
        owner = max((d for d in digests if summary.path.startswith(f"{d} (")), key=len, default=None)
        if owner is not None and digests[owner] is not None:
            out[summary.path] = sha256_bytes(f"{digests[owner]}:{summary.path[len(owner) :]}".encode())
    return out


def _changed_while_checked(post: Post, digests: dict[str, str | None]) -> list[Finding]:
    """An input whose bytes changed during the checks was not checked as it now is."""
    out = []
    for item in post.inputs:
        before = digests[item.display]
        if before is not None and input_sha256(item) != before:
            out.append(_unreadable(item.display, "it changed while it was being checked"))
    return out
