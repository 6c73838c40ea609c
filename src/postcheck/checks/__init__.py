"""The explicit list of checks, and the context every check receives.

A check is a function ``check(item, ctx) -> Iterable[Finding]``:

* ``kind="text"``: ``item`` is a :class:`postcheck.inputs.TextDoc` (a draft, or
  text found in an image, which the runner re-attributes to the image);
* ``kind="image"``: ``item`` is a :class:`postcheck.model.InputFile`; use
  ``ctx.image(item)`` to get the decoded photo;
* ``kind="post"``: ``item`` is the :class:`postcheck.model.Post`.

Findings leave ``severity`` and ``clauses`` empty: the runner fills them from
the policy pack. A check module imports heavy libraries (spaCy, dlib, OpenCV)
inside its functions only, so that ``postcheck --help`` stays fast.

Each rule is defined once, as a :class:`postcheck.rules.Rule` in its check
module's ``RULES`` tuple; the list of checks is :data:`postcheck.catalogue.CHECKS`.

A new rule = a function and its ``Rule``, one line in ``CHECKS``, an entry in
every pack, tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from postcheck.catalogue import CHECKS, CheckSpec, specs_for
from postcheck.config import Config
from postcheck.model import Finding, InputFile
from postcheck.policy import Policy
from postcheck.register import Register

__all__ = ["CHECKS", "FACE_RULES", "CheckContext", "CheckSpec", "specs_for"]

FACE_RULES = ("face-no-consent", "pupil-photo-personal", "face-unknown")

CheckFn = Callable[[Any, "CheckContext"], Iterable[Finding]]


@dataclass
class CheckContext:
    """What a check may use: the config, pack, channel, register and caches.

    One context serves one post. ``memo`` caches per-input work shared by
    several rules (the spaCy doc of a draft, the faces of a photo).
    """

    config: Config
    policy: Policy
    channel: str
    register: Register
    approval: str | None = None
    today: dt.date = field(default_factory=dt.date.today)
    notes: list[str] = field(default_factory=list)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    _memo: dict[tuple[str, str], Any] = field(default_factory=dict)
    # set by the runner: runs every text rule on text found in an image
    text_runner: Callable[..., list[Finding]] | None = None
    text_index: Any = None  # the session's postcheck.text.analysis.TextIndex

    def analysis(self, doc: Any) -> Any:
        """The text analysis of a :class:`postcheck.inputs.TextDoc`, made once per text."""
        from postcheck.text.analysis import TextIndex, analyse

        if self.text_index is None:
            self.text_index = TextIndex(self.config, self.register)
        key = f"{doc.input}\0{doc.source}\0{hash(doc.text)}"
        return self.memo("analysis", key, lambda: analyse(doc.text, self.text_index, doc.input, doc.source))

    def text_context(self) -> Any:
        """What a text rule receives besides the analysis (postcheck.text.base.TextContext)."""
        from postcheck.text.analysis import TextIndex
        from postcheck.text.base import TextContext

        if self.text_index is None:
            self.text_index = TextIndex(self.config, self.register)
        return TextContext(
            self.channel,
            self.today,
            self.config,
            self.register,
            self.policy.approver,
            self.text_index,
            self.method,
        )

    def memo(self, key: str, item_key: str, fn: Callable[[], Any]) -> Any:
        k = (key, item_key)
        if k not in self._memo:
            self._memo[k] = fn()
        return self._memo[k]

    def image(self, item: InputFile) -> Any:
        """The decoded photo (:class:`postcheck.images.LoadedImage`), decoded once:
        at full resolution only when faces will be encoded against the register,
        otherwise (a JPEG) straight to the reduced size the detectors need."""
        from postcheck.images import open_image

        def load() -> Any:
            min_scale, full = 0.0, False
            if any(self.enabled(r) for r in FACE_RULES):
                from postcheck.faces.detector import work_scale

                min_scale = work_scale(
                    self.config.get("faces.detector"), self.config.get("faces.min_face_px")
                )
                full = not self.register.empty
            return open_image(item, min_scale=min_scale, full=full)

        return self.memo("image", item.display, load)

    def provide_image(self, item: InputFile, loaded: Any) -> None:
        """Hand the checks a picture decoded by its reader (a frame, an embedded picture)."""
        self._memo[("image", item.display)] = loaded

    def forget(self, item_key: str) -> None:
        """Drop everything kept for one input (its pixels, its OCR lines, its features)."""
        for key in [k for k in self._memo if k[1] == item_key]:
            del self._memo[key]

    def enabled(self, rule: str) -> bool:
        """Whether ``rule`` (any of its variants) can produce a finding on this channel."""
        from postcheck.policy import could_fire

        return could_fire(self.policy, self.config.rules, rule, self.channel)

    def fork(self) -> CheckContext:
        """A context for checking some of the post's inputs in another thread: it
        shares the caches and facts (keyed by input) and keeps its own notes and
        methods, which :meth:`absorb` adds back in a fixed order."""
        return replace(self, notes=[], methods={})

    def absorb(self, other: CheckContext) -> None:
        for text in other.notes:
            self.note(text)
        self.methods.update(other.methods)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def fact(self, item: str, key: str, value: Any) -> None:
        self.facts.setdefault(item, {})[key] = value

    def method(self, key: str, value: str) -> None:
        self.methods[key] = value

    def run_text_rules(
        self,
        text: str,
        item: InputFile,
        source: str,
        box: tuple[int, int, int, int] | None = None,
    ) -> list[Finding]:
        """Run every text rule on ``text`` found in image ``item`` (a metadata
        field, the file name, OCR): findings name the field and carry ``box``."""
        assert self.text_runner is not None
        return self.text_runner(text, item, source, box, self)
