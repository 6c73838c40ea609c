"""The immutable records every part of postcheck passes around.

A check returns :class:`Finding` records with ``severity`` and ``clauses`` left
empty; the runner fills them in from the policy pack (see :mod:`postcheck.policy`),
so a check never needs to know which pack or channel it runs under, except where
the rule itself depends on the channel (naming pupils, for example).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Literal

InputKind = Literal["text", "image"]
Channel = Literal["personal", "official"]
CHANNELS: tuple[str, ...] = ("personal", "official")


class Severity(IntEnum):
    """A finding's severity, and a post's verdict (the highest severity found)."""

    PASS = 0
    WARN = 1
    BLOCK = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity | None:
        """``"warn"``/``"block"`` to a Severity; ``"off"`` to ``None``."""
        value = value.strip().lower()
        if value == "off":
            return None
        return cls[value.upper()]


@dataclass(frozen=True)
class Waiver:
    """A waiver from ``waivers.toml`` as it applies to one finding (see
    :mod:`postcheck.waivers`): who approved it, why, and until when.

    ``expired`` is set by the runner when the post was checked after
    ``expires``: the waiver then no longer applies and the report says so.
    ``reason`` and ``approved_by`` are the school's own words, shown in every report.
    """

    fingerprint: str
    reason: str
    approved_by: str
    expires: dt.date
    approval: str | None = None
    expired: bool = False


@dataclass(frozen=True)
class Finding:
    """One thing wrong with one input of a post.

    ``span`` is a character range in the input's text; ``box`` is
    ``(top, right, bottom, left)`` in the image's own EXIF-rotated pixels.
    ``message`` is written to every report, so it must never contain a name
    from the register that is not in the checked text itself, nor a pupil's
    consent status (never_publish, no consent, expired): JSON, SARIF and HTML go
    to machines and other people. ``detail`` is what only the person at the
    keyboard sees (the terminal report): the pupil's name from the register and
    why their consent forbids this. ``person`` is the register id of the pupil
    whose consent decided the finding, ``people`` every register id it may be;
    ``label`` is a display name for the terminal report only. ``variant``
    selects a stricter case defined by the rule (an adverse comment that is a
    personal attack; a pupil marked never_publish).
    """

    rule: str
    message: str
    input: str
    span: tuple[int, int] | None = None
    box: tuple[int, int, int, int] | None = None
    evidence: str | None = None
    fixable: bool = False
    variant: str | None = None
    source: str | None = None
    person: str | None = None
    label: str | None = None
    detail: str | None = None
    people: tuple[str, ...] = ()
    distance: float | None = None
    line: int | None = None  # 1-based line of span's start in a draft
    severity: Severity | None = None
    clauses: tuple[str, ...] = ()
    approved: bool = False
    # Approval workflows (postcheck.fingerprints, postcheck.waivers): the finding's
    # stable id, and the waiver that waives it (or that expired).
    fingerprint: str | None = None
    waiver: Waiver | None = None


@dataclass(frozen=True)
class InputFile:
    """One file (or stdin) that is part of a post."""

    display: str
    kind: InputKind
    path: Path | None = None
    data: bytes | None = None  # stdin's bytes; files are read when checked


@dataclass(frozen=True)
class Post:
    """What is published together: a draft and its photos."""

    name: str
    inputs: tuple[InputFile, ...]
    # Problems found while collecting the post (a symlink loop, an unreadable
    # entry): each becomes an ``unreadable-input`` finding.
    problems: tuple[tuple[str, str], ...] = ()
    # Channels the post's folders name, as ``(channel, where)``: a folder called
    # ``official`` or ``personal`` (see :mod:`postcheck.channel`).
    channels: tuple[tuple[str, str], ...] = ()
    # What the report should say about how the post was put together
    # (several drafts in one post).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaceBox:
    """A face found in a photo, for annotated reports and fixes (never an encoding).

    ``status``: ``block`` (no valid consent, or a pupil on a personal post),
    ``review`` (unknown, or in the review band), ``ok`` (consented pupil or staff).
    """

    box: tuple[int, int, int, int]  # top, right, bottom, left (EXIF-rotated pixels)
    status: str
    person: str | None = None
    label: str | None = None  # display name: terminal and HTML reports only


@dataclass(frozen=True)
class InputSummary:
    path: str
    kind: InputKind
    faces: int | None = None
    face_boxes: tuple[FaceBox, ...] = ()
    size: tuple[int, int] | None = None  # width, height after EXIF rotation
    sha256: str | None = None  # of the bytes checked (None: could not be read)


@dataclass(frozen=True)
class PostResult:
    """One post's verdict. ``channel`` is the channel it was checked on (its
    folder, its draft's first line, or the run's default); ``weakened`` lists how
    the config's ``[rules]`` weakens the pack on that channel."""

    name: str
    verdict: Severity
    inputs: tuple[InputSummary, ...]
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()
    channel: str | None = None
    weakened: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """A run. ``channel`` is the default channel (``--channel`` or the config);
    each post's own channel is on its :class:`PostResult`. ``weakened``: how
    ``[rules]`` weakens the pack on the channels of this run's posts;
    ``missing``: rules the pack does not list (postcheck's defaults apply)."""

    version: str
    policy_id: str
    policy_name: str
    channel: str
    approval: str | None
    posts: tuple[PostResult, ...]
    notes: tuple[str, ...] = ()
    methods: dict[str, str] = field(default_factory=dict)
    weakened: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def verdict(self) -> Severity:
        return max((p.verdict for p in self.posts), default=Severity.PASS)

    @property
    def counts(self) -> dict[str, int]:
        counts = {s.label: 0 for s in Severity}
        for post in self.posts:
            counts[post.verdict.label] += 1
        return counts
