"""Spelling on official posts, with British English accepted.

The dictionary is pyspellchecker's English word list, loaded lazily once per
process, plus British spellings: the words of ``postcheck/data/text/british.txt``,
and any word that its spelling patterns ("colour" for "color") or the -ise/-yse
endings turn into a dictionary word. Names from the register and the config,
and ``[text] words``, are accepted per run without changing the shared
dictionary. A near miss of a register name is suggested in the terminal report
only: a pupil's surname must not reach machine-readable reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from postcheck.model import Finding
from postcheck.rules import Rule
from postcheck.text import vocab
from postcheck.text.analysis import TextAnalysis
from postcheck.text.base import TextContext, finding
from postcheck.text.community import lower_case
from postcheck.text.tokens import Tok, fold

SPELLING = Rule(
    "spelling",
    "text",
    "Misspelt words on an official post",
    what=(
        "checks every word of an official post against pyspellchecker's English dictionary with British "
        'spellings added ("colour", "organise", "programme", "centre", "favourite", "travelled", '
        '"whilst"). Pupil, staff, Trust and school names, and the words in [text] words of the config, '
        "count as words. URLs, e-mail addresses, @handles, #hashtags, numbers, abbreviations in capitals,"
        " and capitalised words in mid-sentence (usually names) are skipped. Each finding suggests a "
        "correction when there is one close spelling."
    ),
    why=(
        "staff posting for the Trust must maintain high standards of English, spelling and grammar, "
        "because the post creates a perception of the Trust (Haybrook 5.3)."
    ),
    example="\"We recieved lots of lovely feedback\" is reported: 'recieved' (did you mean 'received'?).",
    personal="off",
    official="warn",
    by_hand="correct the spelling",
)
RULES = (SPELLING,)

_CONTRACTION = re.compile(r"'(?:s|d|ll|re|ve|t|m)$")
_ISE = re.compile(r"(?<=[a-z]{3})(is|ys)(e|es|ed|ing|er|ers|ation|ations|able)$")


@lru_cache(maxsize=1)
def _checker() -> Any:
    """pyspellchecker's English dictionary plus the single British words of
    british.txt, loaded once per process."""
    from spellchecker import SpellChecker

    spell = SpellChecker(language="en", distance=1)
    spell.word_frequency.load_words(
        [line.lower() for line in vocab.words("text/british.txt") if " " not in line]
    )
    return spell


@lru_cache(maxsize=1)
def _british() -> tuple[re.Pattern[str], dict[str, str]]:
    """British stem -> US stem ("colour" -> "color"), from the pairs of british.txt."""
    pairs = {}
    for line in vocab.words("text/british.txt"):
        parts = line.lower().split()
        if len(parts) == 2:
            pairs[parts[1]] = parts[0]
    stems = re.compile("|".join(re.escape(uk) for uk in sorted(pairs, key=len, reverse=True)))
    return stems, pairs


def _british_spelling(word: str, spell: Any) -> bool:
    """Whether ``word`` is the British spelling of a dictionary word: "colours" of
    "colors", "organisation" of "organization", "travelled" of "traveled". Checked
    only for words the dictionary does not know, so no list of variants is built."""
    candidates = set()
    m = _ISE.search(word)
    if m:
        candidates.add(word[: m.start()] + ("iz" if m.group(1) == "is" else "yz") + m.group(2))
    stems, pairs = _british()
    if stems.search(word):
        candidates.add(stems.sub(lambda m: pairs[m.group()], word))
    return bool(candidates) and bool(spell.known(candidates))


def _known_words(ctx: TextContext) -> frozenset[str]:
    """The Trust's and schools' names and ``[text] words``, folded, lower case."""
    c = ctx.config
    phrases = (
        c.get("trust.name") or "",
        *c.get("trust.aliases"),
        *c.get("trust.schools"),
        *c.get("text.words"),
    )
    return frozenset(fold(w).lower() for p in phrases for w in re.findall(r"[^\W\d_]+", p))


def _words(a: TextAnalysis) -> Iterator[tuple[int, Tok, str]]:
    """Word tokens with their contraction re-joined ("don't", "it's"), skipping
    web and e-mail addresses, handles, hashtags and anything with digits."""
    toks = a.toks
    for i, t in enumerate(toks):
        if not t.word or t.tag or len(t.text) < 2 or t.upper or any(ch.isdigit() for ch in t.text):
            continue
        if not t.text.replace("'", "").replace("\u2019", "").isalpha():
            continue  # masked words ("f***ing", "Sh!t"), addresses, codes
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        word = t.text.lower().replace("\u2019", "'")  # as written: "café" is a word, "cafe" too
        if nxt is not None and nxt.start == t.end and nxt.norm in ("n't", "'t"):
            word += nxt.norm
        yield i, t, word


def spelling(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """Misspelt words on an official post."""
    spell = _checker()
    known = _known_words(ctx)
    register = {w for form in ctx.index.names.forms for w in form}
    lower_draft = lower_case(a.text)
    named = {i for m in a.people if not m.fuzzy for i in range(m.start, m.end)}
    candidates: list[tuple[Tok, str]] = []
    for i, t, word in _words(a):
        if t.norm in known or t.norm in register or i in named:
            continue
        if any(ch.isupper() for ch in t.text[1:]):
            continue  # CamelCase: a brand or a name
        if t.cap and not t.sent_start:
            # a capitalised word mid-sentence: a name. Only a near miss of a register
            # name is reported ("Kowalcyk" for Kowalczyk).
            near = None if spell.known([word]) else _near_name(t.norm, ctx)
            if near:
                yield _finding(a, t, "", f"Did you mean the register name {near!r}?")
            continue
        candidates.append((t, word))
    unknown = spell.unknown([w for _, w in candidates])
    for t, word in candidates:
        if word not in unknown or ("'" in word and spell.known([word.split("'")[0]])):
            continue
        if _british_spelling(word, spell):
            continue
        suggestion = spell.correction(word)
        if suggestion is None and (t.cap or lower_draft):
            continue  # a capitalised sentence start, or a draft in lower case: most likely a name
        hint = f" (did you mean {suggestion!r}?)" if suggestion and suggestion != word else ""
        yield _finding(a, t, hint, None)


def _finding(a: TextAnalysis, t: Tok, hint: str, detail: str | None) -> Finding:
    return finding(
        "spelling",
        a,
        t.start,
        t.end,
        f"Check the spelling of {a.evidence(t.start, t.end)!r}{hint}; if it is a name or a correct word, "
        "add it to [text] words in postcheck.toml.",
        detail=detail,
    )


def _near_name(word: str, ctx: TextContext) -> str | None:
    """The register name ``word`` misspells by one letter (names of five letters or
    more), as the register writes it."""
    index = ctx.index.names
    for name in index.fuzzy.lookup(word):
        for person, role in index.forms[(name,)]:
            source = (
                person.last_name
                if role == "surname"
                else next((g for g in person.given_names if fold(g).lower() == name), name)
            )
            return source
    return None
