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

Documentation for ``postcheck explain``: a module-level ``DOCS`` dict
(rule -> text) if the function serves several rules, else the docstring.

A new rule = a function, one line in ``CHECKS``, an entry in every pack, tests.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from postcheck.config import Config
from postcheck.model import Finding, InputFile
from postcheck.policy import Policy
from postcheck.register import Register

CheckFn = Callable[[Any, "CheckContext"], Iterable[Finding]]


@dataclass(frozen=True)
class CheckSpec:
    rule: str
    kind: str  # text | image | post
    target: str  # "module:function"
    emits: tuple[str, ...] = ()

    @property
    def rules(self) -> tuple[str, ...]:
        return self.emits or (self.rule,)

    def load(self) -> CheckFn:
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)

    def doc(self, rule: str) -> str | None:
        module, _, name = self.target.partition(":")
        mod = importlib.import_module(module)
        docs = getattr(mod, "DOCS", None)
        if isinstance(docs, dict) and rule in docs:
            return docs[rule]
        return getattr(mod, name).__doc__


_T = "postcheck.checks.text"
_I = "postcheck.checks.image"
FACE_RULES = ("face-no-consent", "pupil-photo-personal", "face-unknown")

CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec("pupil-full-name", "text", f"{_T}.names:pupil_full_name"),
    CheckSpec("pupil-first-name", "text", f"{_T}.names:pupil_first_name"),
    CheckSpec("unknown-person", "text", f"{_T}.names:unknown_person"),
    CheckSpec("personal-data", "text", f"{_T}.personal:personal_data"),
    CheckSpec("trust-contact", "text", f"{_T}.personal:trust_contact"),
    CheckSpec("offensive-language", "text", f"{_T}.language:offensive_language"),
    CheckSpec("adverse-comment", "text", f"{_T}.language:adverse_comment"),
    CheckSpec("confidential-info", "text", f"{_T}.confidential:confidential_info"),
    CheckSpec("school-community-mention", "text", f"{_T}.community:school_community_mention"),
    CheckSpec("missing-disclaimer", "text", f"{_T}.community:missing_disclaimer"),
    CheckSpec("reference", "text", f"{_T}.community:reference"),
    CheckSpec("pupil-contact", "text", f"{_T}.community:pupil_contact"),
    CheckSpec("spelling", "text", f"{_T}.spelling:spelling"),
    CheckSpec("official-authorisation", "post", "postcheck.checks.post:official_authorisation"),
    CheckSpec("face-no-consent", "image", f"{_I}.faces:faces", FACE_RULES),
    CheckSpec(
        "image-location", "image", f"{_I}.location:location", ("image-location", "trust-premises-photo")
    ),
    CheckSpec("image-text", "image", f"{_I}.metadata:metadata_text", ("image-text",)),
    CheckSpec("logo", "image", f"{_I}.logo:logo"),
    CheckSpec("image-text", "image", f"{_I}.ocr:ocr_text", ("image-text",)),
)


def specs_for(rule: str) -> list[CheckSpec]:
    return [s for s in CHECKS if rule in s.rules]


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

    def enabled(self, rule: str, variant: str | None = None) -> bool:
        """Whether ``rule`` can produce a finding on this channel."""
        if rule in self.config.get("rules.disable"):
            return False
        override = self.config.get("rules.severity").get(rule)
        if override is not None:
            return override != "off"
        return self.policy.severity(rule, self.channel, variant) is not None

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
