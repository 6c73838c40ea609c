"""The registry: every check, the rules it emits, and the rules' definitions.

``CHECKS`` is the explicit list of checks, one line each: the kind of item it
runs on, the function (``"module:function"``) and the rules it can emit. Each
check module defines its rules once, as :class:`postcheck.rules.Rule` objects in
a module-level ``RULES`` tuple; :func:`rules` collects them (importing the check
modules, which import no heavy library at module level). Rule ids alone
(:data:`RULE_IDS`, :data:`TEXT_RULES`) are known without importing anything.

A new rule = its module (the function and its ``Rule``), one line here, its
entries in the packs, its tests.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from postcheck.rules import ALWAYS_ON_RULES, Rule


@dataclass(frozen=True)
class CheckSpec:
    """One check: ``kind`` is ``text``, ``image`` or ``post``."""

    kind: str
    target: str  # "module:function"
    emits: tuple[str, ...]

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]

    @property
    def rules(self) -> tuple[str, ...]:
        return self.emits

    def load(self) -> Callable[..., Iterable[Any]]:
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)


_T = "postcheck.checks.text"
_I = "postcheck.checks.image"

CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec("text", f"{_T}.names:pupil_full_name", ("pupil-full-name",)),
    CheckSpec("text", f"{_T}.names:pupil_first_name", ("pupil-first-name",)),
    CheckSpec("text", f"{_T}.names:unknown_person", ("unknown-person",)),
    CheckSpec("text", f"{_T}.personal:personal_data", ("personal-data",)),
    CheckSpec("text", f"{_T}.personal:trust_contact", ("trust-contact",)),
    CheckSpec("text", f"{_T}.language:offensive_language", ("offensive-language",)),
    CheckSpec("text", f"{_T}.language:adverse_comment", ("adverse-comment",)),
    CheckSpec("text", f"{_T}.confidential:confidential_info", ("confidential-info",)),
    CheckSpec("text", f"{_T}.community:school_community_mention", ("school-community-mention",)),
    CheckSpec("text", f"{_T}.community:missing_disclaimer", ("missing-disclaimer",)),
    CheckSpec("text", f"{_T}.conduct:reference", ("reference",)),
    CheckSpec("text", f"{_T}.conduct:pupil_contact", ("pupil-contact",)),
    CheckSpec("text", f"{_T}.spelling:spelling", ("spelling",)),
    CheckSpec("post", "postcheck.checks.post:official_authorisation", ("official-authorisation",)),
    CheckSpec("image", f"{_I}.faces:faces", ("face-no-consent", "pupil-photo-personal", "face-unknown")),
    CheckSpec("image", f"{_I}.location:location", ("image-location", "trust-premises-photo")),
    CheckSpec("image", f"{_I}.logo:logo", ("logo",)),
    # OCR reads a photo's text in native code before its text rules need spaCy:
    # beside a draft, that reading overlaps the loading of spaCy (runner._check_inputs)
    CheckSpec("image", f"{_I}.ocr:ocr_text", ("image-text",)),
    CheckSpec("image", f"{_I}.metadata:metadata_text", ("image-text",)),
)

ALWAYS_ON: tuple[str, ...] = tuple(r.id for r in ALWAYS_ON_RULES)
RULE_IDS: tuple[str, ...] = (*dict.fromkeys(r for s in CHECKS for r in s.emits), *ALWAYS_ON)
TEXT_RULES: tuple[str, ...] = tuple(dict.fromkeys(r for s in CHECKS if s.kind == "text" for r in s.emits))


def specs_for(rule: str) -> list[CheckSpec]:
    return [s for s in CHECKS if rule in s.emits]


@cache
def rules() -> dict[str, Rule]:
    """Every rule's definition, in report order (``RULE_IDS``)."""
    found: dict[str, Rule] = {r.id: r for r in ALWAYS_ON_RULES}
    for module in dict.fromkeys(s.module for s in CHECKS):
        for rule in getattr(importlib.import_module(module), "RULES", ()):
            found[rule.id] = rule
    missing = [r for r in RULE_IDS if r not in found]
    if missing:  # a check emits a rule nobody defined: a bug, caught by the tests
        raise RuntimeError(f"rules without a definition: {', '.join(missing)}")
    return {r: found[r] for r in RULE_IDS}


def rule(rule_id: str) -> Rule:
    return rules()[rule_id]
