"""Masked and disguised profanity in plain text.

:func:`find_masked` finds words that are written so as to hide them, and says what
each one hides and how:

* letters replaced by symbols: ``f***``, ``sh*t``, ``bl**dy``, ``F***``, ``C****``,
  ``bulls***``, ``f**king``, ``f---``, ``f--k`` (each symbol stands for one letter);
* letters replaced by look-alike symbols or digits: ``sh!t``, ``a$$``, ``b1tch``;
* a word spelt out letter by letter: ``f u c k``, ``s.h.i.t``, ``b-i-t-c-h``;
* an expletive marked as removed: ``(expletive)``, ``[expletive deleted]``,
  ``(bleep)``, ``[censored]``;
* a run of dashes or symbols standing where a word goes: ``you --- got``,
  ``I'm a --- teacher``, ``what the #$%&``.

A disguised word is matched against a vocabulary of listed words (by default
better-profanity's list and postcheck's British and slur lists, less ordinary
school vocabulary, plus mild expletives such as "bloody" so that ``bl**dy`` is
recognised for what it is). A mask that fits several listed words names the most
common one and keeps the others in ``candidates``. A masked word that fits no
listed word is not reported, so ``A*`` and ``A**`` grades, ``5*`` and markdown
``**bold**`` stay clean. Whether a masked word is offensive (``f***``) or mild
(``bl**dy``) is for the caller to decide from ``word``.

Pure text: no spaCy, no models; the word lists load on first use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

LETTERS = "symbols in place of letters"
LOOKALIKE = "look-alike symbols or digits in place of letters"
SPELLED = "spelt out letter by letter"
MARKER = "an expletive marked as removed"
SLOT = "dashes or symbols in place of a word"

# Mild expletives: not in the offensive lists, but a mask of them is still a mask.
MILD = ("bloody", "crap", "damn", "hell", "sod", "bugger", "piss", "pissed", "arse", "bollocks")
# When a mask fits several listed words, the most common expletive is named first.
COMMON = (
    "fuck", "fucking", "fucked", "fucker", "fuckers", "shit", "shite", "shitty", "bullshit", "cunt", "cunts",
    "bitch", "bitches", "bastard", "bastards", "bollocks", "bloody", "wanker", "twat", "prick", "dick",
    "cock", "arse", "arsehole", "ass", "asshole", "piss", "pissed", "crap", "damn", "hell", "slut", "whore",
    "retard", "retarded",
)  # fmt: skip
_RANK = {w: i for i, w in enumerate(COMMON)}

_LEET = str.maketrans({"!": "i", "1": "i", "|": "i", "@": "a", "4": "a", "$": "s", "5": "s", "0": "o",
                       "3": "e", "+": "t", "7": "t"})  # fmt: skip
_CODE = re.compile(r"[a-z]{1,4}\d{2,}")
_WILD = "*#%_@$!"  # one of these in a word stands for one letter
# a word with letters, masks, look-alikes and dashes; emails, links and handles are
# skipped (``_SKIP``)
_TOKEN = re.compile(r"[A-Za-z0-9*#%_@$!|+'’-]+")
_SKIP = re.compile(r"\S+@\S+\.\w+|https?://\S+|www\.\S+|(?<!\w)[@#]\w+")
# three or more single letters joined by the same separator ("f.u.c.k", "s h i t",
# "b-i-t-c-h"); a separator may be followed by one space ("f. u. c. k")
_SPELLED_RX = re.compile(r"(?<![\w.])[A-Za-z]([.\-_*] ?| )[A-Za-z](?:\1[A-Za-z])+(?![\w])")
_MARKER_RX = re.compile(
    r"[(\[{<*]\s*(?:expletive|expletives|bleep|bleeped|beep|censored|swear\s*word)"
    r"(?:\s+(?:deleted|removed|omitted))?\s*[)\]}>*]",
    re.IGNORECASE,
)
# a run of 2+ dashes, 3+ asterisks, or a grawlix (#$%&, @#$%!) standing alone
_RUN = re.compile(
    r"(?<!\S)(?:--+|—{1,3}|\*{3,}|(?=[@#$%&!*]*[@#$%&][@#$%&!*]*[@#$%&])[@#$%&!*]{3,})(?![^\s.,;:!?])"
)
_GRAWLIX = re.compile(r"[@#$%&!*]{3,}")
# words after which a word must follow ("a ---", "you ---", "the #$%&")
_SLOT_BEFORE = frozenset(
    "a an the you your ya yer my his her their our this that these those such what some total complete "
    "absolute bloody little stupid".split()
)
# words that start a new phrase: after these, a dash run was punctuation
_PHRASE_START = frozenset(
    "i we you he she they it and but or so then which who whom whose that this there here the a an not all "
    "if as just especially including in on at for with from to of by about after before because when while "
    "where although though yet no yes".split()
)


@dataclass(frozen=True)
class Masked:
    """A masked or disguised word: where it is, what it hides and why."""

    start: int
    end: int
    text: str
    word: str | None  # the listed word it hides; None when a mask stands for an unknown word
    why: str
    candidates: tuple[str, ...] = field(default=())


def _data_words(name: str) -> set[str]:
    text = (resources.files("postcheck") / "data" / "text" / name).read_text(encoding="utf-8")
    return {line.split("#", 1)[0].strip().lower() for line in text.splitlines()} - {""}


@lru_cache(maxsize=1)
def default_vocabulary() -> frozenset[str]:
    """better-profanity's list and postcheck's lists, less school vocabulary, plus mild words."""
    base = (resources.files("better_profanity") / "profanity_wordlist.txt").read_text(encoding="utf-8")
    words = {w.strip().lower() for w in base.splitlines() if w.strip()} - _data_words("profanity_allow.txt")
    words |= _data_words("profanity_extra.txt") | _data_words("slurs.txt") | set(MILD)
    words |= {w + "s" for w in list(words) if w.isalpha() and not w.endswith("s")}
    return frozenset(w for w in words if " " not in w)


@lru_cache(maxsize=8)
def _by_shape(vocabulary: frozenset[str]) -> dict[tuple[int, str], tuple[str, ...]]:
    out: dict[tuple[int, str], list[str]] = {}
    for w in vocabulary:
        if w.isalpha():
            out.setdefault((len(w), w[0]), []).append(w)
    return {k: tuple(sorted(v, key=lambda w: (_RANK.get(w, len(_RANK)), w))) for k, v in out.items()}


def _wild_core(word: str) -> str | None:
    """The word with each mask as ``.`` ("f**k" -> "f..k"), or None if it has none.

    Dashes count as masks only as a run of two or more after a single first letter
    ("f---", "s--t") or between letters ("f--k", "b----y"); a dash after a word
    ("so--") is punctuation.
    """
    core = word.replace("'", "").replace("’", "")
    dashed = re.fullmatch(r"[A-Za-z]--+(?:[A-Za-z]+)?|[A-Za-z]+--+[A-Za-z]+", core)
    if "-" in core and not dashed:
        return None
    out = "".join("." if c in _WILD or c == "-" else c for c in core)
    if "." not in out or not re.fullmatch(r"[A-Za-z][A-Za-z.]*", out):
        return None
    return out.lower()


def unmask(token: str, vocabulary: frozenset[str] | None = None) -> tuple[str, str, tuple[str, ...]] | None:
    """What one disguised token hides: ``(word, why, candidates)``, or None.

    A listed word written plainly ("shit") is not a disguise and gives None.
    """
    vocab = default_vocabulary() if vocabulary is None else vocabulary
    w = token.lower().strip(".'’")
    if len(w) < 2 or (w in vocab and w.replace("-", "").isalpha()):
        return None
    if _CODE.fullmatch(w):
        return None  # a class, room or course code ("Cl17", "Y10", "KS2"), not a disguise
    unleet = w.translate(_LEET)
    if unleet != w and unleet in vocab and sum(c.isalpha() for c in w) >= 2:
        return unleet, LOOKALIKE, (unleet,)
    if w in vocab:  # a disguise the list itself spells out ("5h1t")
        return w, LOOKALIKE, (w,)
    core = _wild_core(w)
    if core is None:
        return None
    letters = sum(c.isalpha() for c in core)
    if letters == 1 and (len(core) < 3 or (len(core) == 3 and token[0].isupper())):
        return None  # "A*", "A**" are grades; "f**" is too short to tell
    pattern = re.compile(core)
    fits = tuple(c for c in _by_shape(vocab).get((len(core), core[0]), ()) if pattern.fullmatch(c))
    if not fits:
        return None
    return fits[0], LETTERS, fits


def _spelled(text: str, vocab: frozenset[str]) -> Iterable[Masked]:
    for m in _SPELLED_RX.finditer(text):
        word = "".join(c for c in m.group() if c.isalpha()).lower()
        if word in vocab:
            yield Masked(m.start(), m.end(), m.group(), word, SPELLED, (word,))


def _markers(text: str) -> Iterable[Masked]:
    for m in _MARKER_RX.finditer(text):
        yield Masked(m.start(), m.end(), m.group(), None, MARKER)


def _word_before(text: str, pos: int) -> tuple[str, str]:
    words = re.findall(r"[A-Za-z']+", text[:pos][-40:])
    return (words[-1].lower() if words else ""), (words[-2].lower() if len(words) > 1 else "")


def _slots(text: str) -> Iterable[Masked]:
    """Dash or symbol runs where a word belongs: "you --- got", "a --- teacher"."""
    for m in _RUN.finditer(text):
        before, before2 = _word_before(text, m.start())
        after = re.match(r"\s*([A-Za-z']+|[.!?,;:]|$)", text[m.end() :])
        nxt = after.group(1) if after else None
        if nxt is None:
            continue
        grawlix = bool(_GRAWLIX.fullmatch(m.group())) and not set(m.group()) <= {"*"}
        if nxt[:1].isalpha():
            ok = (before in _SLOT_BEFORE or grawlix) and nxt.islower() and nxt not in _PHRASE_START
        else:
            # at the end of a clause: "you ---!", "what the #$%&?"
            ok = (before in {"you", "the", "a", "your"} or grawlix) and before2 != "thank"
        if ok:
            yield Masked(m.start(), m.end(), m.group(), None, SLOT)


def _tokens(text: str, vocab: frozenset[str]) -> Iterable[Masked]:
    skip = [(m.start(), m.end()) for m in _SKIP.finditer(text)]
    for m in _TOKEN.finditer(text):
        if any(a <= m.start() < b for a, b in skip):
            continue
        raw = m.group()
        # leading markdown or hashtag symbols and quotes; trailing "!" and quotes
        # (trailing masks stay: "f***", "sh**", "f---")
        lead = len(raw) - len(raw.lstrip("*#_'’-"))
        body = raw[lead:].rstrip("!'’")
        found = unmask(body, vocab) if body else None
        if found is not None:
            start = m.start() + lead
            yield Masked(start, start + len(body), body, found[0], found[1], found[2])


def find_masked(text: str, vocabulary: Iterable[str] | None = None) -> list[Masked]:
    """Masked or disguised words in ``text``, in order, without overlaps."""
    vocab = default_vocabulary() if vocabulary is None else frozenset(w.lower() for w in vocabulary)
    found: list[Masked] = []
    for group in (_markers(text), _spelled(text, vocab), _slots(text), _tokens(text, vocab)):
        for hit in group:
            if not any(h.start < hit.end and hit.start < h.end for h in found):
                found.append(hit)
    return sorted(found, key=lambda h: h.start)
