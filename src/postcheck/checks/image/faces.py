"""Faces in photos against the consent register (DESIGN §5: face-no-consent,
pupil-photo-personal, face-unknown).

Every face is found (``[faces] detector``), encoded with face_recognition's
128-d model and matched against every enrolled reference photo at once (see
:mod:`postcheck.faces.matching`). Consent is decided by
:func:`postcheck.register.photo_consent` alone.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from postcheck.checks import CheckContext
from postcheck.model import FaceBox, Finding, InputFile
from postcheck.rules import Rule, Variant

FACE_NO_CONSENT = Rule(
    "face-no-consent",
    "image",
    "A recognised pupil without valid photo consent",
    what=(
        "finds every face in the photo, compares it with the reference photos enrolled from the consent "
        "register (`postcheck register enrol`) and reports a face that matches a pupil whose photo "
        "consent is no, withdrawn, expired, or who is marked never_publish."
    ),
    why=(
        "publishing a child's photo without their parents' consent breaks the policy and the law; for a "
        "never_publish child (a court order, a child in care) it can put the child in danger."
    ),
    example=(
        "a sports-day photo in which pupil P014 (photo_consent = no) is recognised is blocked; the report"
        " shows the face's box so it can be cropped or blurred (`postcheck fix`)."
    ),
    personal="block",
    official="block",
    variants=(Variant("never-publish", "a pupil marked never_publish on the register", protected=True),),
    remedy="fix",
)

PUPIL_PHOTO_PERSONAL = Rule(
    "pupil-photo-personal",
    "image",
    "Any recognised pupil on a personal post",
    what=(
        "reports every face that matches a register pupil when the post is for a member of staff's own "
        "account (--channel personal), whatever the pupil's consent."
    ),
    why=(
        "consent is given for the school's official channels; staff must not publish pupils' images on "
        "their own accounts."
    ),
    example="a teacher's own post of a class trip photo in which two pupils are recognised is blocked.",
    personal="block",
    official="off",
    remedy="fix",
)

FACE_UNKNOWN = Rule(
    "face-unknown",
    "image",
    "A face that matches nobody, or only within the review band",
    what=(
        "reports a face that is not close enough to any enrolled pupil or member of staff, a face within "
        "the review band above the match tolerance, and a face that two people resemble almost equally; "
        "the finding names the candidates' register ids so a person can look."
    ),
    why=(
        "an unrecognised face may be a pupil with no usable reference photo, a visiting child or a "
        "parent: someone must check before posting."
    ),
    example=(
        "a face at distance 0.54 from pupil P003 (tolerance 0.5, review band 0.08) is reported as "
        "face-unknown naming P003."
    ),
    personal="warn",
    official="warn",
    remedy="fix",
)
RULES = (
    FACE_NO_CONSENT,
    PUPIL_PHOTO_PERSONAL,
    FACE_UNKNOWN,
)


def faces(item: InputFile, ctx: CheckContext) -> Iterable[Finding]:
    """Faces in the photo: no consent, pupils on personal posts, unknown faces."""
    import numpy as np

    from postcheck.faces.detector import detect
    from postcheck.faces.encodings import encode
    from postcheck.faces.matching import match_faces
    from postcheck.register import consent

    detector = ctx.config.get("faces.detector")
    tolerance = float(ctx.config.get("faces.tolerance"))
    band = float(ctx.config.get("faces.review_band"))
    min_px = int(ctx.config.get("faces.min_face_px"))
    register = ctx.register

    enrolled = None
    if not register.empty:
        enrolled = _enrolled(ctx, detector)

    loaded = ctx.image(item)
    # detection on the shared reduced copy; boxes come back in full-resolution pixels
    boxes = detect(np.asarray(loaded.reduced), detector, min_px, full_size=loaded.size)
    if boxes and enrolled is not None and len(enrolled):
        encodings = encode(np.asarray(loaded.image), boxes, detector)
        loaded.release_full()  # the other checks use the reduced copy: 36 MB less for a 12 MP photo
    else:  # nobody to compare with: every face is unknown, so encoding would be wasted work
        encodings = np.zeros((len(boxes), 128))
    W, H = loaded.size
    matches = match_faces(encodings, enrolled, tolerance, band)
    ctx.method(
        "faces",
        f"{detector} detector (faces from {min_px} px), face_recognition encodings, "
        f"tolerance {tolerance:g}, review band {band:g}",
    )

    findings: list[Finding] = []
    face_boxes: list[FaceBox] = []
    personal = ctx.channel == "personal"
    for box, m in zip(boxes, matches, strict=True):
        where = f"face at {_where(box, (H, W))}"
        person = register.by_id(m.person) if m.person else None
        if person is not None and person.is_staff:
            face_boxes.append(FaceBox(box, "ok", person.id, person.display_name))
            continue
        if person is not None:
            c = consent(person, ctx.today)
            status = "ok"
            if not c.photo:
                if ctx.enabled("face-no-consent"):
                    status = "block"
                findings.append(_no_consent(item, box, where, person, c.reason, m.distance))
            if personal:
                if ctx.enabled("pupil-photo-personal"):
                    status = "block"
                msg = (
                    f"The {where} matches pupil {person.id}: pupils must not appear in photos on a "
                    "member of staff's personal account, whatever their consent."
                )
                detail = f"{person.display_name} ({person.id}) is a pupil on the register."
                findings.append(_finding("pupil-photo-personal", msg, item, box, person, m.distance, detail))
            face_boxes.append(FaceBox(box, status, person.id, person.display_name))
            continue
        # unknown, or a person must look
        msg, detail = _unknown_message(where, m, register, ctx.today, tolerance)
        label = None
        if m.candidates:
            label = " or ".join(
                (p.display_name if (p := register.by_id(pid)) else pid) for pid, _d in m.candidates
            )
        candidate = m.candidates[0][0] if m.candidates else None
        findings.append(
            Finding(
                "face-unknown",
                msg,
                item.display,
                box=box,
                person=candidate,
                label=label,
                detail=detail,
                people=tuple(pid for pid, _d in m.candidates),
                distance=m.distance,
                fixable=True,
            )
        )
        face_boxes.append(FaceBox(box, "review", candidate, label))

    ctx.fact(item.display, "faces", len(boxes))
    ctx.fact(item.display, "face_boxes", face_boxes)
    return findings


def _no_consent(
    item: InputFile, box: Any, where: str, person: Any, reason: str, distance: float | None
) -> Finding:
    """``face-no-consent``: the message names the pupil by register id only and is
    the same whatever the reason, so no report says that a child is never_publish;
    the name and the reason are in ``detail``, for the person at the keyboard."""
    msg = (
        f"The {where} matches pupil {person.id}, whose photo may not be published. "
        "Remove or blur this face before posting."
    )
    if person.never_publish:
        detail = (
            f"{person.display_name} ({person.id}) must never appear in any published photo "
            "(never_publish on the register): do not publish this photo; remove the child from it."
        )
    else:
        detail = f"{person.display_name} ({person.id}): {reason}."
    return _finding("face-no-consent", msg, item, box, person, distance, detail)


def _unknown_message(
    where: str, m: Any, register: Any, today: Any, tolerance: float
) -> tuple[str, str | None]:
    """The ``face-unknown`` message (register ids and distances only) and its
    ``detail`` (candidates' names and which of them may not be published)."""
    from postcheck.register import consent

    if register.empty:
        msg = (
            f"The {where} could not be checked against a consent register (none is configured): "
            "make sure this person may appear before posting."
        )
        return msg, None
    if m.status != "review":
        msg = (
            f"The {where} matches nobody in the consent register: make sure this person may "
            "appear before posting."
        )
        return msg, None
    ids = ", ".join(f"{pid} ({d:.2f})" for pid, d in m.candidates)
    msg = (
        f"The {where} looks like {ids} but not closely enough to be sure "
        f"(tolerance {tolerance:g}): a person must check who this is before posting."
    )
    who = []
    for pid, _d in m.candidates:
        p = register.by_id(pid)
        if p is None:
            continue
        note = ""
        if not p.is_staff and not (c := consent(p, today)).photo:
            note = f": {c.reason}"
        who.append(f"{p.display_name} ({pid}{note})")
    return msg, ("Could be " + " or ".join(who) + ".") if who else None


def _finding(
    rule: str,
    msg: str,
    item: InputFile,
    box: Any,
    person: Any,
    distance: float | None,
    detail: str | None = None,
) -> Finding:
    return Finding(
        rule,
        msg,
        item.display,
        box=box,
        person=person.id,
        people=(person.id,),
        label=person.display_name,
        detail=detail,
        distance=distance,
        fixable=True,
        variant="never-publish" if rule == "face-no-consent" and person.never_publish else None,
    )


def _where(box: tuple[int, int, int, int], shape: Any) -> str:
    """A human description of where a face is, plus its box."""
    t, r, b, le = box
    h, w = shape[:2]
    cx, cy = (le + r) / 2 / w, (t + b) / 2 / h
    horiz = "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else "centre"
    vert = "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else "middle"
    place = "centre" if (horiz, vert) == ("centre", "middle") else f"{vert} {horiz}"
    return f"{place} (top {t}, right {r}, bottom {b}, left {le})"


def _enrolled(ctx: CheckContext, detector: str) -> Any:
    """The register's encodings, enrolling now (with a progress bar) if the cache is stale."""
    from postcheck.faces import cache

    def load() -> Any:
        from postcheck.errors import Unavailable
        from postcheck.faces.private import UnsafeFaceData

        try:
            enrolled = cache.enrolled_for(
                ctx.register, detector, lambda: _progress_bar("Enrolling reference photos")
            )
        except UnsafeFaceData as exc:  # faces cannot be matched: the photo is not checked
            raise Unavailable("faces in photos", exc.message) from None
        owners = set(enrolled.owners)
        missing = [p.id for p in ctx.register.pupils if p.id not in owners]
        if missing:
            ctx.note(
                f"{len(missing)} pupil(s) have no usable reference photo and cannot be recognised "
                "in photos; their faces are reported as unknown (see `postcheck register status`)"
            )
        return enrolled

    return ctx.memo("faces-enrolled", "", load)


class _progress_bar:
    """A rich progress bar on stderr, or nothing when stderr is not a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=None)

        def update(done: int, total: int, what: str) -> None:
            self._progress.update(self._task, completed=done, total=total)

        return update

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
