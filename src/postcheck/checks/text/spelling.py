"""Spelling on official posts, with British English accepted.

The dictionary is pyspellchecker's English word list plus British spellings
(``postcheck/data/text/british.txt`` and the -ise/-yse forms of every -ize/-yze
word), loaded lazily once per process. Names from the register and the config,
and ``[text] words``, are accepted per run without changing the shared
dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from postcheck.checks.text.community import data_list, register_names
from postcheck.model import Finding

DOCS: dict[str, str] = {
    "spelling": """Misspelt words on an official post.

What it does: checks every word of an official post against pyspellchecker's English
dictionary with British spellings added ("colour", "organise", "programme", "centre",
"favourite", "travelled", "whilst"). Pupil, staff, Trust and school names, and the
words in [text] words of the config, count as words. URLs, e-mail addresses,
@handles, #hashtags, numbers, abbreviations in capitals, and capitalised words in
mid-sentence (usually names) are skipped. Each finding suggests a correction when
there is one close spelling.

Why it matters: staff posting for the Trust must maintain high standards of English,
spelling and grammar, because the post creates a perception of the Trust
(Haybrook 5.3).

Example: "We recieved lots of lovely feedback" is reported: 'recieved' (did you mean
'received'?).""",
}

_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+(?:['’][A-Za-z]+)*")
_SKIP_SPAN = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[@#][\w-]+|\b[\w-]+(?:\.[A-Za-z]{2,})+(?:/\S*)?"
    r"|\S*\d\S*",
)
_IZE = re.compile(r"(?<=[a-z]{3})(iz|yz)(e|es|ed|ing|er|ers|ation|ations|able)$")


@lru_cache(maxsize=1)
def _checker() -> Any:
    """pyspellchecker's English dictionary with British spellings, built once."""
    from spellchecker import SpellChecker

    spell = SpellChecker(language="en", distance=1)
    words = list(spell.word_frequency.dictionary.keys())
    extra: set[str] = set()
    pairs: list[tuple[str, str]] = []
    for line in data_list("british.txt"):
        parts = line.lower().split()
        if len(parts) == 2:
            pairs.append((parts[0], parts[1]))
        else:
            extra.add(parts[0])
    for w in words:
        m = _IZE.search(w)
        if m:
            extra.add(w[: m.start()] + ("is" if m.group(1) == "iz" else "ys") + m.group(2))
        for us, uk in pairs:
            if us in w:
                extra.add(w.replace(us, uk))
    extra.update(uk for _, uk in pairs)
    spell.word_frequency.load_words(sorted(extra))
    return spell


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
    names = register_names(ctx)
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
        if low in known or low in names["given"] or low in names["surnames"]:
            continue
        if word[0].isupper() and not _sentence_start(text, a):
            continue  # a capitalised word mid-sentence: probably a name
        if any(ch.isupper() for ch in word[1:]):
            continue  # CamelCase: a brand or a name
        candidates.append((a, b, low))
    unknown = spell.unknown([w for _, _, w in candidates])
    for a, b, low in candidates:
        if low not in unknown or ("'" in low and spell.known([low.split("'")[0]])):
            continue
        suggestion = spell.correction(low)
        hint = f" (did you mean {suggestion!r}?)" if suggestion and suggestion != low else ""
        yield Finding(
            "spelling",
            f"Check the spelling of {text[a:b]!r}{hint}; if it is a name or a correct word, add it to "
            "[text] words in postcheck.toml.",
            doc.input,
            span=(a, b),
            evidence=text[a:b],
            fixable=False,
        )


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t\"“‘'([")
    return not before or before[-1] in ".!?:\n•*-–—"
