"""Offensive language and adverse comments about the Trust community:
``offensive-language`` and ``adverse-comment``.

Word lists live in ``postcheck/data/text``: better-profanity's maintained list,
minus ``profanity_allow.txt`` (ordinary school vocabulary it contains), plus
``profanity_extra.txt`` (British profanity) and ``slurs.txt`` (slurs and
discriminatory terms); ``adverse.toml`` holds the personal-attack words and
VADER lexicon adjustments.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from postcheck.model import Finding
from postcheck.rules import Rule, Variant
from postcheck.text import vocab
from postcheck.text.analysis import TextAnalysis
from postcheck.text.base import TextContext, finding

OFFENSIVE_LANGUAGE = Rule(
    "offensive-language",
    "text",
    "Profanity, slurs, abusive, sexual or discriminatory language",
    what=(
        "matches whole words against better-profanity's maintained word list (minus ordinary school "
        'vocabulary it contains, such as "organ", "breasts", "gay", "potty", "Hitler" in a history post),'
        ' British profanity it lacks ("bollocks", "arse", "tosser") and a curated list of slurs and '
        'discriminatory terms. Masked and disguised words count: "f***", "f**king", "sh!t", "b*llocks", '
        '"a$$". Words are matched whole, so "Scunthorpe", "assess", "class", "Dickens" and "cocktail" are'
        ' fine, and so are known innocent phrases ("blue tit", "Moby Dick", "puff pastry").'
    ),
    why=(
        "employees must not use offensive or discriminatory language, or publish material of a sexual or "
        "offensive nature (Haybrook 3.2.1, 3.2.6, 3.2.8, 4.6; Enquire 3.3, 3.10, 4.1, and the Equality "
        "Act)."
    ),
    example='"What a sh!t week" is reported ("sh!t"); "Our trip to Scunthorpe" is not.',
    personal="block",
    official="block",
    by_hand="rewrite or remove the offensive wording",
)

ADVERSE_COMMENT = Rule(
    "adverse-comment",
    "text",
    "Negative remarks about the Trust community",
    what=(
        "scores each sentence that mentions the Trust community (the Trust and its schools, staff, named "
        'people, pupils, parents, governors, "my school", "the head", "SLT", partners) with the VADER '
        "sentiment model; a clearly negative sentence (compound score <= -0.4) is reported. A sentence "
        'that calls an identifiable person or the school a "liar", "incompetent", "corrupt", "useless", '
        '"lazy", "a joke" (and similar words in adverse.toml) is a personal attack or potentially '
        'defamatory, and is reported as the "attack" variant, which the packs block. Sad news about '
        'events ("sports day was cancelled") is not a remark about anyone and is not reported.'
    ),
    why=(
        "staff must not post derogatory, defamatory or hurtful remarks about the Trust community or "
        "anything that damages its reputation (Haybrook 2.2, 3.2.1, 4.2, 4.6; Enquire 2.7, 3.2). Concerns"
        " go through the grievance or whistleblowing procedure instead."
    ),
    example=(
        '"Our head is a liar and completely incompetent." (attack: block); "Not happy with how SLT '
        'handled the inspection." (warn).'
    ),
    personal="warn",
    official="warn",
    by_hand="reconsider the negative remark; postcheck does not rewrite opinions",
    variants=(Variant("attack", "a personal attack on, or defamatory remark about, an identifiable person"),),
)
RULES = (OFFENSIVE_LANGUAGE, ADVERSE_COMMENT)


def _phrases(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for whole phrases in any case; spaces match spaces or hyphens."""
    parts = [
        r"[\s\-]+".join(re.escape(w) for w in p.split()) for p in sorted(set(phrases), key=len, reverse=True)
    ]
    if not parts:
        return None
    return re.compile(r"(?<![\w@#])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)


_TOKEN = re.compile(r"[A-Za-z0-9*!@$#+%_.'’-]*[A-Za-z*@$][A-Za-z0-9*!@$#+%_.'’-]*")
_LEET = str.maketrans({"!": "i", "1": "i", "|": "i", "@": "a", "4": "a", "$": "s", "5": "s", "0": "o",
                       "3": "e", "+": "t", "7": "t"})  # fmt: skip
_MASK = set("*#%_")


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], frozenset[str], re.Pattern[str] | None, re.Pattern[str] | None]:
    """(single words, slurs, multi-word regex, allowed-phrase regex)."""
    # better-profanity's maintained list, read without importing the package (its
    # import builds a censor of its own: 65 ms a process)
    spec = importlib.util.find_spec("better_profanity")
    assert spec is not None and spec.origin is not None, "better-profanity is a dependency"
    base = (Path(spec.origin).parent / "profanity_wordlist.txt").read_text(encoding="utf-8")
    allow = vocab.word_set("text/profanity_allow.txt")
    words = {w.strip().lower() for w in base.splitlines() if w.strip()} - allow
    words |= vocab.word_set("text/profanity_extra.txt")
    slurs = set(vocab.word_set("text/slurs.txt"))
    # plural and possessive forms ("tossers", "bastard's"); words ending in "s" are
    # not extended, so "ass" never becomes part of "assess"
    for group in (words, slurs):
        group |= {w + suf for w in list(group) if " " not in w and not w.endswith("s") for suf in ("s", "'s")}
    everything = words | slurs
    single = frozenset(w for w in everything if " " not in w)
    multi = _phrases(w for w in everything if " " in w)
    allowed = _phrases(vocab.words("text/profanity_phrases_allow.txt"))
    return single, frozenset(slurs), multi, allowed


@lru_cache(maxsize=1)
def _by_shape() -> dict[tuple[int, str], tuple[str, ...]]:
    """Listed words grouped by (length, first letter), for unmasking "f***"."""
    single, _, _, _ = _lexicon()
    out: dict[tuple[int, str], list[str]] = {}
    for w in single:
        if w.isalpha():
            out.setdefault((len(w), w[0]), []).append(w)
    return {k: tuple(v) for k, v in out.items()}


def _forms(w: str) -> tuple[str, ...]:
    return (w, w.replace("’", "'"))


def _listed(word: str) -> str | None:
    """The listed word ``word`` is (or disguises), or None."""
    single, _, _, _ = _lexicon()
    w = word.lower().strip(".'’-")
    if not w:
        return None
    for f in _forms(w):
        if f in single:
            return f
    letters = sum(c.isalpha() for c in w)
    if letters < 1:
        return None
    unleet = w.translate(_LEET)
    if unleet != w and letters >= 2:
        for f in _forms(unleet):
            if f in single:
                return f
    masks = sum(c in _MASK for c in w)
    if masks and w[0].isalpha() and letters + masks == len(w.replace("'", "")):
        # f***, sh*t, b*llocks, f**king: each mask stands for one letter
        core = w.replace("'", "")
        pattern = re.compile("".join("[a-z]" if c in _MASK else re.escape(c) for c in core.translate(_LEET)))
        for cand in _by_shape().get((len(core), core[0]), ()):
            if pattern.fullmatch(cand):
                return cand
    return None


# Three or more single letters joined by the same separator (a dot, hyphen, space,
# underscore or asterisk): checked as the word they spell.
_SPELLED = re.compile(r"(?<![\w.])[A-Za-z]([.\-_* ])[A-Za-z](?:\1[A-Za-z])+(?![\w])")


def _offensive_hits(text: str) -> list[tuple[int, int, str]]:
    """Offensive words in ``text``: (start, end, the listed word)."""
    _, _, multi, allowed = _lexicon()
    safe = [(m.start(), m.end()) for m in allowed.finditer(text)] if allowed else []

    def innocent(a: int, b: int) -> bool:
        return any(s <= a and b <= e for s, e in safe)

    hits: list[tuple[int, int, str]] = []
    if multi is not None:
        for m in multi.finditer(text):
            if not innocent(m.start(), m.end()):
                hits.append((m.start(), m.end(), m.group().lower()))
    for m in _SPELLED.finditer(text):
        # a word spelt out letter by letter: "b.a.s.t.a.r.d", "f-u-c-k", "s h i t"
        found = _listed("".join(c for c in m.group() if c.isalpha()))
        if found is not None and not innocent(m.start(), m.end()):
            hits.append((m.start(), m.end(), found))
    for m in _TOKEN.finditer(text):
        raw = m.group()
        start, end = m.start(), m.end()
        # strip markdown emphasis, hashtags/handles and trailing punctuation
        lead = len(raw) - len(raw.lstrip("*#@_"))
        trail = len(raw) - len(raw.rstrip("!.*_'’-"))
        if trail and raw.rstrip("!.*_'’-") and raw[len(raw) - trail :].startswith("*"):
            # "f***" or "sh**": trailing masks are part of the word
            trail = len(raw) - len(raw.rstrip("!.'’-"))
        word = raw[lead : len(raw) - trail] if trail else raw[lead:]
        if len(word) < 2 or word.isdigit():
            continue
        start += lead
        end = start + len(word)
        if any(a <= start < b for a, b, _ in hits) or innocent(start, end):
            continue
        found = _listed(word)
        if found is None and "-" in word and not any(c in _MASK for c in word):
            continue
        if found is None:
            continue
        hits.append((start, end, found))
    return sorted(hits)


def offensive_language(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """Profanity, slurs, abusive, sexual or discriminatory language."""
    _, slurs, _, _ = _lexicon()
    for start, end, found in _offensive_hits(a.text):
        kind = "discriminatory term" if found in slurs else "offensive word"
        yield finding(
            "offensive-language",
            a,
            start,
            end,
            f"Remove the {kind} ({a.evidence(start, end)!r}): offensive or discriminatory language must "
            "not be posted.",
        )


# --- adverse-comment -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    for word, value in vocab.table("text/adverse.toml").get("lexicon", {}).items():
        if value == 0:
            analyzer.lexicon.pop(word, None)
        else:
            analyzer.lexicon[word] = float(value)
    return analyzer


def sentiment(text: str) -> float:
    """VADER's compound score of ``text`` (-1 .. 1), with our lexicon adjustments."""
    return float(_analyzer().polarity_scores(text)["compound"])


@lru_cache(maxsize=1)
def _attack_regex() -> re.Pattern[str]:
    words = vocab.table("text/adverse.toml")["attack"]
    parts = sorted({w.strip() for w in words}, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(x) for x in p.split()) for p in parts)
    return re.compile(r"(?<![\w-])(?:" + body + r")(?![\w-])", re.IGNORECASE)


_NEGATION_NEAR = re.compile(
    r"(?:\bnot|\bnever|n't|\bno|\bhardly|\bfar from|\banything but|\bnobody|\bnone of)\b(?:\W+\w+){0,3}\W*$",
    re.IGNORECASE,
)
THRESHOLD = -0.4


_THEY = re.compile(r"\b(?:they|them|their|these people|those people|people|everyone|he|she|his|her)\b", re.I)
_TARGETS = ("org", "role", "staff", "year", "generic")


def adverse_comment(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """Negative remarks about the Trust community; personal attacks."""
    text = a.text
    post_mentions = any(m.kind in _TARGETS for m in a.community)
    attack_rx = _attack_regex()
    _, slurs, _, _ = _lexicon()
    offensive = [(s, e, w in slurs) for s, e, w in _offensive_hits(text)] if post_mentions else []
    previous = False
    for s in a.sentences:
        sent = text[s.start : s.end]
        targets = [m for m in a.community if s.start <= m.start < s.end and m.kind in _TARGETS]
        context, previous = previous, bool(targets)
        people = bool(a.people_in(s.start, s.end)) or bool(re.search(r"\b(?:he|she|him|her)\b", sent, re.I))
        about = bool(targets) or (people and post_mentions) or (context and bool(_THEY.search(sent)))
        attack = next(
            (m for m in attack_rx.finditer(sent) if not _NEGATION_NEAR.search(sent[: m.start()])), None
        )
        slur = next(((x, y) for x, y, disc in offensive if s.start <= x < s.end and (disc or targets)), None)
        if slur is not None:
            yield finding(
                "adverse-comment",
                a,
                *slur,
                f"Abusive or discriminatory remark ({a.evidence(*slur)!r}) in a post about the Trust "
                "community: remove it.",
                variant="attack",
            )
        elif attack is not None and about:
            yield finding(
                "adverse-comment",
                a,
                s.start + attack.start(),
                s.start + attack.end(),
                f"Personal attack or potentially defamatory remark ({attack.group()!r}) about the Trust "
                "community: remove it. Raise concerns through the grievance or whistleblowing procedure.",
                variant="attack",
            )
        elif about and (score := sentiment(sent)) <= THRESHOLD:
            yield finding(
                "adverse-comment",
                a,
                s.start,
                s.end,
                f"Negative remark about the Trust community (sentiment {score:.2f}): rephrase or remove it; "
                "raise concerns through the school's procedures rather than on social media.",
            )
