"""What a text rule receives besides the analysis, and how it makes a finding.

A text rule is ``rule(a: TextAnalysis, ctx: TextContext) -> Iterable[Finding]``.
It reads the analysis (:mod:`postcheck.text.analysis`) and the context, and
reports clean-text ranges through :func:`finding`, which maps them back to the
user's own characters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from postcheck.model import Finding
from postcheck.text.analysis import TextAnalysis, TextIndex


@dataclass(frozen=True)
class TextContext:
    """The fixed facts of a check: channel, date, config, register, pack, indexes."""

    channel: str
    today: dt.date
    config: Any
    register: Any
    approver: str
    index: TextIndex
    method: Callable[[str, str], None]  # (key, how) for the report's notes

    @property
    def personal(self) -> bool:
        return self.channel == "personal"


def finding(rule: str, a: TextAnalysis, start: int, end: int, message: str, **kw: Any) -> Finding:
    """A finding on clean-text range ``start:end`` of ``a``."""
    span = a.span(start, end)
    return Finding(
        rule,
        message,
        a.input,
        span=span,
        evidence=a.original[span[0] : span[1]],
        source=a.source,
        **kw,
    )
