"""The one tokenizer: spaCy's, on the clean view, plus the splits names need.

spaCy's English tokenizer (from ``spacy.blank("en")``) splits the clean text;
three kinds of its tokens are split further, keeping exact offsets, because
names hide inside them: hashtags and handles into their parts
(``#WellDoneAmelia`` → well, done, amelia; ``@amelia_smith`` → amelia, smith),
and words glued to digits (``okoro2`` → okoro, 2, as in photo file names).
Sentences come from spaCy's sentencizer, and a line break also ends one (drafts
have headings, lists and sign-offs).

Each :class:`Tok` carries its folded form ``norm`` (lower case, accents removed,
apostrophes unified: "Zoë’s" → ``zoe``, ``'s``), used by every matcher.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
# letters with no decomposition that still have an obvious base letter
_EXTRA_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i", "ß": "ss"})


def fold(text: str) -> str:
    """``text`` without accents, with apostrophes unified (lengths may change)."""
    text = text.translate(_APOSTROPHES)
    if text.isascii():
        return text
    text = text.translate(_EXTRA_FOLD)
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@dataclass(frozen=True)
class Tok:
    """A token of the clean text: ``start``/``end`` are clean-text offsets."""

    text: str
    norm: str
    start: int
    end: int
    word: bool  # letters (a word or a part of one)
    tag: bool = False  # part of a #hashtag or @handle
    sent_start: bool = False
    space_before: bool = True  # whitespace (or the text's start) right before it

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()

    @property
    def upper(self) -> bool:
        return self.text.isupper() and len(self.text) > 1

    @property
    def number(self) -> bool:
        return self.text.isdigit()


_PART = re.compile(r"[^\W\d_]+|\d+")
_CAMEL = re.compile(r"[A-Z][^\W\d_A-Z]+|[A-Z]+(?![^\W\d_A-Z])|[^\W\d_A-Z]+|\d+")
# letters joined by "+", "&" or "/" ("Ffion+Kerry+Tate", "Jo/Sam"): separate words
_JOINED = re.compile(r"[^\W\d_][+&/][^\W\d_]")
_MIXED = re.compile(r"^(?=.*[^\W\d_])(?=.*\d)[^\W_]+$")


def _parts(text: str, tag: bool) -> list[tuple[int, int]]:
    """Sub-ranges of a token that are words or numbers of their own."""
    if tag:
        out = []
        for piece in _PART.finditer(text):
            for part in _CAMEL.finditer(piece.group()):
                out.append((piece.start() + part.start(), piece.start() + part.end()))
        return out
    return [m.span() for m in _PART.finditer(text)]


def _tok(text: str, start: int, *, tag: bool = False, sent: bool = False, space: bool = True) -> Tok:
    word = text[:1].isalpha()
    return Tok(text, fold(text).lower(), start, start + len(text), word, tag, sent, space)


def tokens(sdoc: Any) -> list[Tok]:
    """The token list of a spaCy Doc made from the clean text."""
    out: list[Tok] = []
    new_sentence = True
    prev_end = 0
    text_all = sdoc.text
    for t in sdoc:
        if t.is_space:
            new_sentence = new_sentence or "\n" in t.text
            continue
        start, text = t.idx, t.text
        gap = text_all[prev_end:start]
        new_sentence = new_sentence or "\n" in gap or t.is_sent_start
        space = start == 0 or text_all[start - 1].isspace()
        prev_end = start + len(text)
        handle = text[:1] in "#@" and len(text) > 1
        joined = _JOINED.search(text) and not (t.like_url or t.like_email)
        if handle or "_" in text.strip("_") or _MIXED.match(text) or joined:
            at = 1 if handle else 0
            if handle:
                out.append(Tok(text[0], text[0], start, start + 1, False, False, new_sentence, space))
                new_sentence, space = False, False
            for a, b in _parts(text[at:], handle):
                out.append(
                    _tok(text[at + a : at + b], start + at + a, tag=handle, sent=new_sentence, space=space)
                )
                new_sentence, space = False, False
            continue
        out.append(_tok(text, start, sent=new_sentence, space=space))
        new_sentence = False
    return _mark_tags(out)


def _mark_tags(toks: list[Tok]) -> list[Tok]:
    """spaCy splits "#WellDoneAmelia" into "#" + "WellDoneAmelia": join them up as
    a hashtag whose parts are tag tokens."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if (
            t.text in "#@"
            and nxt is not None
            and nxt.start == t.end
            and not nxt.tag
            and nxt.text[:1].isalnum()
        ):
            out.append(t)
            for a, b in _parts(nxt.text, True):
                out.append(_tok(nxt.text[a:b], nxt.start + a, tag=True, sent=False, space=False))
            i += 2
            continue
        out.append(t)
        i += 1
    return out
