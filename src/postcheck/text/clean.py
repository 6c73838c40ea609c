"""The clean view of a draft: markup removed, Unicode normalised, with a map back.

Every text rule reads the clean view; every finding's span points into the
user's own text. :func:`clean` makes, in one pass over the draft:

* **markup removed**: Markdown emphasis (``**Amelia** *Smith*``, ``_x_``,
  ``~~x~~``, backticks), headings and quote markers at the start of a line, link
  and image syntax (``[text](url)`` keeps the text and the address), HTML tags and
  entities, and WordPress-style shortcodes (``[caption id="1"]…[/caption]``).
  Emphasis is removed only where it pairs up, so masked words such as ``f***``,
  ``bl**dy`` or ``b**ch`` keep their asterisks;
* **invisible and control characters removed**: format characters (zero-width
  spaces and joiners, soft hyphens, direction marks, word joiners, BOMs),
  variation selectors, terminal escape sequences and other control characters
  except newlines and tabs;
* **Unicode NFKC**, per grapheme (full-width ``Ａｍｅｌｉａ`` is ``Amelia``,
  ligatures are letters, a combining accent joins its letter);
* **look-alike letters folded** (:mod:`postcheck.data.text.confusables`): a
  Cyrillic ``е`` in ``Lео`` is read as ``e``, inside words that also have Latin
  letters or whose letters all look Latin.

:meth:`Clean.span` maps a range of the clean text back to the original.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from postcheck.text import vocab


@dataclass(frozen=True)
class Clean:
    """``text`` is the clean view of ``original``. ``starts[i]``/``ends[i]`` are the
    original range that produced clean character ``i`` (``None``: identical)."""

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original range of clean range ``start:end`` (``end`` exclusive)."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else len(self.original)
            return at, at
        return self.starts[start], self.ends[end - 1]

    def evidence(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


# --- pieces -------------------------------------------------------------------------

# A run of emphasis characters, a backtick run, or anything else one character at a time.
_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.S)
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|tr|td|th|table|h[1-6]|section|article|blockquote)\b", re.I)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,30});")
_SHORTCODE = re.compile(
    r"\[(/?)([a-z][a-z0-9_-]{1,30})((?:\s+[a-z_-]+=(?:\"[^\"]*\"|'[^']*'|[^\s\]]+))*)\s*/?\]"
)
_LINK = re.compile(r"(!?)\[([^\[\]\n]{1,300})\]\(([^()\s]{1,500})\)")
_LINE_MARK = re.compile(r"(?m)^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?)")
_EMPHASIS = re.compile(r"\*+|_+|~~|`+")
_NEEDS = re.compile(
    r"[*_~`<>&\[#\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufe00-\ufe0f]"
)


def _deletions(text: str) -> tuple[dict[int, str], set[int]]:
    """Markup to drop: ``replace`` maps a position to the text that stands for the
    markup starting there (a space, a newline, a decoded entity); ``drop`` holds
    every position that is markup."""
    drop: set[int] = set()
    replace: dict[int, str] = {}

    def cut(a: int, b: int, by: str | None = None) -> None:
        drop.update(range(a, b))
        if by is not None:
            replace[a] = by

    for m in _ESCAPE.finditer(text):
        cut(m.start(), m.end())
    for m in _TAG.finditer(text):
        cut(m.start(), m.end(), "\n" if _BLOCK_TAG.match(m.group()) else None)
    for m in _ENTITY.finditer(text):
        cut(m.start(), m.end(), html.unescape(m.group()))
    _shortcodes(text, cut)
    for m in _LINK.finditer(text):
        if any(i in drop for i in range(m.start(), m.end())):
            continue
        bang, label = m.group(1), m.group(2)
        cut(m.start(), m.start() + len(bang) + 1)  # "![" or "["
        close = m.start() + len(bang) + 1 + len(label)
        cut(close, close + 2, " ")  # "](" stands for a space between text and address
        cut(m.end() - 1, m.end())  # ")"
    for m in _LINE_MARK.finditer(text):
        cut(m.start(), m.end())
    _emphasis(text, drop, cut)
    return replace, drop


def _shortcodes(text: str, cut) -> None:
    """``[name attr="…"]`` and ``[/name]``: dropped when the shortcode has attributes
    or its closing tag is in the text; a lone ``[removed]`` is ordinary text."""
    found = list(_SHORTCODE.finditer(text))
    closed = {m.group(2) for m in found if m.group(1)}
    for m in found:
        if m.group(1) or m.group(3).strip() or m.group(2) in closed:
            cut(m.start(), m.end())


def _flank(text: str, a: int, b: int) -> tuple[bool, bool]:
    """Whether the delimiter run ``a:b`` can open and can close emphasis."""
    before = text[a - 1] if a > 0 else " "
    after = text[b] if b < len(text) else " "
    opens = not after.isspace() and not before.isalnum()
    closes = not before.isspace() and not after.isalnum()
    return opens, closes


def _emphasis(text: str, drop: set[int], cut) -> None:
    """Pair emphasis runs on each line (an opener before a closer of the same
    characters): only paired runs are markup."""
    openers: list[tuple[str, int, int]] = []
    for m in _EMPHASIS.finditer(text):
        a, b = m.span()
        if a in drop:
            continue
        if "\n" in text[openers[-1][2] : a] if openers else False:
            openers.clear()
        opens, closes = _flank(text, a, b)
        run = m.group()
        if closes:
            match = next((k for k in range(len(openers) - 1, -1, -1) if openers[k][0] == run), None)
            if match is not None:
                _, oa, ob = openers[match]
                del openers[match:]
                cut(oa, ob)
                cut(a, b)
                continue
        if opens:
            openers.append((run, a, b))


# --- characters ---------------------------------------------------------------------


def _invisible(ch: str) -> bool:
    o = ord(ch)
    if ch in "\n\t\r":
        return False
    if o < 32 or 0x7F <= o <= 0x9F:
        return True
    if 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF:
        return True  # variation selectors
    return unicodedata.category(ch) == "Cf"


@cache
def _confusables() -> dict[str, str]:
    out: dict[str, str] = {}
    for latin, lookalikes in vocab.table("text/confusables.toml")["latin"].items():
        for ch in lookalikes:
            out.setdefault(ch, latin)
    return out


_WORD = re.compile(r"[^\W\d_]+")


def _fold_lookalikes(text: str) -> str:
    """Look-alike letters to Latin inside words that mix them with Latin letters or
    are made only of look-alikes (same length: offsets are unchanged)."""
    table = _confusables()
    if text.isascii() or not any(ch in table for ch in text):
        return text
    out = list(text)
    for m in _WORD.finditer(text):
        word = m.group()
        if not any(ch in table for ch in word):
            continue
        latin = any("a" <= ch.lower() <= "z" for ch in word)
        if latin or all(ch in table for ch in word):
            for i, ch in enumerate(word, m.start()):
                out[i] = table.get(ch, ch)
    return "".join(out)


def clean(original: str) -> Clean:
    """The clean view of ``original`` with its map back (see the module docstring)."""
    if original.isascii() and not _NEEDS.search(original):
        return Clean(original, original)
    replace, drop = _deletions(original) if _NEEDS.search(original) else ({}, set())
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(original)
    while i < n:
        if i in drop:
            if i in replace:
                j = i
                while j < n and j in drop and (j == i or j not in replace):
                    j += 1
                for ch in replace[i]:
                    chars.append(ch)
                    starts.append(i)
                    ends.append(j)
            i += 1
            continue
        ch = original[i]
        if _invisible(ch):
            i += 1
            continue
        # a grapheme: the character and the combining marks after it
        j = i + 1
        while j < n and j not in drop and unicodedata.combining(original[j]):
            j += 1
        cluster = original[i:j]
        norm = cluster if cluster.isascii() else unicodedata.normalize("NFKC", cluster)
        for c in norm:
            if not _invisible(c):
                chars.append(c)
                starts.append(i)
                ends.append(j)
        i = j
    text = _fold_lookalikes("".join(chars))
    if text == original and len(starts) == n:
        return Clean(original, original)
    return Clean(original, text, tuple(starts), tuple(ends))
