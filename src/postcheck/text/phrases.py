"""Phrase lists matched as one regex, compiled only for texts that could match.

A vocabulary of a few hundred phrases is one large alternation, and compiling it
costs milliseconds; a check loads dozens of them, most of which a given draft never
needs (a thank-you newsletter has no word of the profanity or confidential lists).
:class:`Phrases` knows the first word of every phrase and compiles its regex only
when a text it is asked to search contains one of those words as a whole word.
The answer is always the regex's own: the regex anchors each phrase at a word start
and ends its first word at a space, a hyphen, punctuation or the phrase's end, so a
text without any first word cannot match. Phrases whose first word is not plain
letters or digits (a placeholder, an apostrophe) make the list always compile.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

_RUN = re.compile(r"\w+")
_FIRST = re.compile(r"^(\w+)(?:$|[^\w{])")


@lru_cache(maxsize=512)
def _words(text: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in _RUN.findall(text))


def first_words(phrases: tuple[str, ...]) -> frozenset[str] | None:
    """The first words of ``phrases`` (case-folded), or None when one has no plain
    first word, so that the list must always be searched."""
    out = set()
    for p in phrases:
        m = _FIRST.match(p.strip())
        if m is None:
            return None
        out.add(m.group(1).casefold())
    return frozenset(out)


class Phrases:
    """A regex (``pattern``, ``flags``) searched only in texts holding a first word."""

    def __init__(self, pattern: str, flags: int, firsts: frozenset[str] | None) -> None:
        self.pattern = pattern
        self.flags = flags
        self._firsts = firsts
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self.pattern, self.flags)
        return self._regex

    def _may_match(self, text: str) -> bool:
        return self._firsts is None or not self._firsts.isdisjoint(_words(text))

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        return self.regex.search(text, *args) if self._may_match(text) else None

    def finditer(self, text: str, *args: int) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text, *args) if self._may_match(text) else iter(())

    def __getattr__(self, name: str) -> Any:  # match, sub, findall...: the regex's own, always compiled
        return getattr(self.regex, name)
