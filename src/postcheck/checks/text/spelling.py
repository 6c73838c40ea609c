"""Spelling on official posts, with British English accepted.

The dictionary is pyspellchecker's English word list, loaded lazily once per
process, plus British spellings: the words of ``postcheck/data/text/british.txt``,
and any word that its spelling patterns ("colour" for "color") or the -ise/-yse
endings turn into a dictionary word. Names from the register and the config,
and ``[text] words``, are accepted per run without changing the shared
dictionary.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from postcheck.checks.text.community import data_list
from postcheck.model import Finding
from postcheck.rules import Rule

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


_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+(?:['’][A-Za-z]+)*")
_SKIP_SPAN = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[@#][\w-]+|\b[\w-]+(?:\.[A-Za-z]{2,})+(?:/\S*)?"
    r"|\S*\d\S*",
)
_ISE = re.compile(r"(?<=[a-z]{3})(is|ys)(e|es|ed|ing|er|ers|ation|ations|able)$")


@lru_cache(maxsize=1)
def _checker() -> Any:
    """pyspellchecker's English dictionary plus the single British words of
    british.txt, loaded once per process."""
    from spellchecker import SpellChecker

    spell = SpellChecker(language="en", distance=1)
    spell.word_frequency.load_words([line.lower() for line in data_list("british.txt") if " " not in line])
    return spell


@lru_cache(maxsize=1)
def _british() -> tuple[re.Pattern[str], dict[str, str]]:
    """British stem -> US stem ("colour" -> "color"), from the pairs of british.txt."""
    pairs = {}
    for line in data_list("british.txt"):
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


@lru_cache(maxsize=16)
def _config_words(
    name: str | None, aliases: tuple[str, ...], schools: tuple[str, ...], words: tuple[str, ...]
):
    out: set[str] = set()
    for phrase in (name or "", *aliases, *schools, *words):
        out.update(w.lower() for w in _WORD.findall(phrase))
    return frozenset(out)


def spelling(doc: Any, ctx: Any) -> Iterator[Finding]:
    """Misspelt words on an official post (see ``DOCS``)."""
    text = doc.text
    spell = _checker()
    c = ctx.config
    known = _config_words(
        c.get("trust.name"),
        tuple(c.get("trust.aliases")),
        tuple(c.get("trust.schools")),
        tuple(c.get("text.words")),
    )
    names = _register_words(ctx)
    letters = [c for c in text if c.isalpha()]
    lower_draft = bool(letters) and sum(c.isupper() for c in letters) / len(letters) < 0.01
    skip = [(m.start(), m.end()) for m in _SKIP_SPAN.finditer(text)]
    candidates: list[tuple[int, int, str]] = []
    for m in _WORD.finditer(text):
        a, b = m.start(), m.end()
        if any(s <= a < e for s, e in skip):
            continue
        word = m.group()
        if len(word) < 2 or word.isupper():
            continue
        core = re.sub(r"['’](?:s|d|ll|re|ve|t|m)$", "", word)
        if re.search(r"n['’]t$", word):
            core = word  # contractions are in the dictionary as written
        low = core.lower().replace("’", "'")
        if low in known or _plain(low) in names:
            continue
        if any(ch.isupper() for ch in word[1:]):
            continue  # CamelCase: a brand or a name
        if word[0].isupper() and not _sentence_start(text, a):
            # a capitalised word mid-sentence: a name. Only a near miss of a register
            # name is reported ("Kowalcyk" for Kowalczyk).
            near = None if spell.known([low]) else _near_name(core, names)
            if near:
                yield _finding(doc, a, a + len(core), f" (did you mean {near!r}?)")
            continue
        candidates.append((a, b, low, word[0].isupper()))
    unknown = spell.unknown([w for _, _, w, _ in candidates])
    for a, b, low, capital in candidates:
        if low not in unknown or ("'" in low and spell.known([low.split("'")[0]])):
            continue
        if _british_spelling(low, spell):
            continue
        suggestion = spell.correction(low)
        if suggestion is None and (capital or lower_draft):
            # a capitalised sentence start, or a draft all in lower case, with no
            # close dictionary word: most likely a name
            continue
        hint = f" (did you mean {suggestion!r}?)" if suggestion and suggestion != low else ""
        yield _finding(doc, a, b, hint)


def _finding(doc: Any, a: int, b: int, hint: str) -> Finding:
    text = doc.text
    return Finding(
        "spelling",
        f"Check the spelling of {text[a:b]!r}{hint}; if it is a name or a correct word, add it to "
        "[text] words in postcheck.toml.",
        doc.input,
        span=(a, b),
        evidence=text[a:b],
        fixable=False,
    )


def _plain(word: str) -> str:
    """Lower case without accents: Siobhán = siobhan, Zoë = zoe."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


_REGISTER_WORDS: dict[int, tuple[Any, dict[str, str]]] = {}


def _register_words(ctx: Any) -> dict[str, str]:
    """Every part of every register name, accent-free lower case -> as written."""
    reg = ctx.register
    hit = _REGISTER_WORDS.get(id(reg))
    if hit is None or hit[0] is not reg:
        display: dict[str, str] = {}
        for p in reg.people:
            for n in (*p.given_names, p.last_name):
                for part in re.split(r"[\s-]+", n):
                    if part:
                        display[_plain(part)] = part
        hit = (reg, display)
        _REGISTER_WORDS.clear()
        _REGISTER_WORDS[id(reg)] = hit
    return hit[1]


def _near_name(word: str, names: dict[str, str]) -> str | None:
    """The register name ``word`` misspells by one letter (names of five letters or more)."""
    if len(word) < 5 or not names:
        return None
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import extractOne

    best = extractOne(_plain(word), names.keys(), scorer=Levenshtein.distance, score_cutoff=1)
    if best is None or best[1] == 0 or len(best[0]) < 5:
        return None
    return names[best[0]]


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t\"“‘'([")
    if not before:
        return True
    if before[-1] in "-–—*•":
        return before[:-1].rstrip(" \t") == "" or before[:-1].rstrip(" \t")[-1:] == "\n"
    return before[-1] in ".!?\n"
