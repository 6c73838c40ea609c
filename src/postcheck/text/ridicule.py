"""Ridicule: the author mocking a child or pupils of the school.

Two shapes, both layers of ``adverse-comment`` (``ridicule``):

* a mocking verb said by the author (a first-person subject, or the author's
  laughter in the sentence), not negated ("never make fun of") and not a lesson,
  whose object is a child or pupils: a register pupil or an unplaced name, a class,
  a year group, "the kids", or "him"/"her"/"them" after one in the sentence before
  ("We were all laughing at Year 9"; "One boy kept falling over. We were all
  laughing at him"). Their things are not them ("laughed at Year 6's sketch"),
  unless a personal feature ("made fun of Year 9's spelling"). Adults are left to
  the attack words;
* the author's laughter ("I can't stop laughing", "lol", "😂") within
  :data:`~postcheck.text.thresholds.PRONOUN_REACH` sentences of a child's personal
  feature ("this student's name", "his accent", "their handwriting"), not a name
  being introduced ("her name is Nibbles").

Mocking one child, or laughing at the feature of one child named as such ("this
student's name"), is an attack on an identifiable person: the blocking ``attack``
variant. A class, a year group, "their", or "his"/"her" feature (possibly an
adult's) is a warning.
"""

from __future__ import annotations

import re
from functools import cache

from postcheck.text import vocab
from postcheck.text.analysis import Sentence, TextAnalysis
from postcheck.text.offence import Hit, adverse_rx, educational, negated
from postcheck.text.thresholds import PRONOUN_REACH

_VOCAB = "text/adverse.toml"
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'd|we|we're|we've|we'd)\b", re.I)  # the subject
# "her name is Nibbles": a name introduced, not laughed at
_INTRODUCTION = re.compile(r"\s+(?:is|was|'s)\s+[A-Z]")
_NOT_MOCKERY = re.compile(r"^\s*up\b", re.I)  # "mocked up a timetable"
_OBJECT = re.compile(r"^\W*(him|her|them)\b", re.I)
_LEAD = re.compile(r"\s+(?:(?:the|poor|little|my|our|that|this)\s+)?", re.I)
_POSSESSIVE = re.compile(r"['\u2019]")
_PUPILS = re.compile(
    r"pupil|student|kid|child|class|\byear|\by\d|form|group|boys|girls|lads|learners|leavers|\bsets?\b", re.I
)
_CHILD = r"(?:student|pupil|kid|child|boy|girl|lad|learner|toddler|baby)"
_ONE_CHILD = re.compile(rf"\b(?:a|one|this|that)\s+(?:little\s+)?{_CHILD}\b", re.I)
_CHILD_OWNER = rf"(?:this|that|a|one) {_CHILD}'s"
_PLURAL = r"(?:students|pupils|kids|children|boys|girls|lads|learners|class|year \d+|form)"


def _features() -> str:
    """The personal features of ``adverse.toml`` as one alternation."""
    return "|".join(re.escape(w) for w in vocab.table(_VOCAB)["features"])  # type: ignore[union-attr]


@cache
def _feature() -> re.Pattern[str]:
    """A child's feature with its owner: group 1 the owner, group 2 the feature."""
    owner = rf"({_CHILD_OWNER}|his|her|their|the {_PLURAL}'?s?'?)"
    return re.compile(rf"\b{owner}\s+(?:[a-z]+\s+)?({_features()})\b", re.I)


def ridicule(a: TextAnalysis, taken: set[int]) -> list[Hit]:
    """Ridicule hits, one a sentence, skipping the sentences (by index) in ``taken``."""
    hits: list[Hit] = []
    laughs = [_laughter(a, s) for s in a.sentences]
    for i, s in enumerate(a.sentences):
        if i in taken:
            continue
        hit = _mocking(a, s, laughs[i] is not None, a.sentences[i - 1] if i else None)
        if hit is None:
            hit = _feature_laughed_at(a, i, laughs)
        if hit is not None:
            hits.append(hit)
    return hits


def _laughter(a: TextAnalysis, s: Sentence) -> re.Match[str] | None:
    sent = a.text[s.start : s.end]
    m = adverse_rx("laughter").search(sent)
    return None if m is None or negated(sent, m.start()) else m


def _mocking(a: TextAnalysis, s: Sentence, laughing: bool, before: Sentence | None) -> Hit | None:
    sent = a.text[s.start : s.end]
    m = adverse_rx("mockery").search(sent)
    if m is None or _NOT_MOCKERY.match(sent[m.end() :]) or negated(sent, m.start()) or educational(sent):
        return None
    if not (laughing or _FIRST_PERSON.search(sent[: m.start()])):
        return None
    mocked = _mocked(a, s.start + m.end())
    obj = _OBJECT.match(sent[m.end() :])
    if mocked is None and obj is not None and before is not None:  # "laughing at him"
        mocked = _pupils_in(a, before.start, before.end, nouns=True)
        if mocked is not None:
            mocked = (mocked[0], mocked[1] or obj.group(1).lower() in ("him", "her"), mocked[2])
    if mocked is None:
        return None
    target, individual, _end = mocked
    why = f"mocking words ({m.group()!r}) about {target!r}"
    return Hit(s.start + m.start(), s.start + m.end(), "ridicule", m.group(), why, target, individual)


def _mocked(a: TextAnalysis, at: int) -> tuple[str, bool, int] | None:
    """The child or pupils right after a mocking verb (clean offset ``at``), not
    their things ("laughed at Year 6's sketch")."""
    lead = _LEAD.match(a.text, at)
    found = _pupils_in(a, at, (lead.end() if lead else at) + 1)
    if found is None:
        return None
    if _POSSESSIVE.match(a.text, found[2]) and not _features_after().match(a.text, found[2]):
        return None  # their things, not a feature of theirs ("Year 9's spelling" is)
    return found


@cache
def _features_after() -> re.Pattern[str]:
    """A possessive followed by a personal feature ("'s spelling")."""
    return re.compile(rf"['\u2019]s?\s+(?:[a-z]+\s+)?(?:{_features()})\b", re.I)


def _pupils_in(a: TextAnalysis, start: int, end: int, nouns: bool = False) -> tuple[str, bool, int] | None:
    """The first child (a register pupil or a name nobody can place: one person) or
    group of pupils (a class, a year group, "the kids") starting in ``start:end``,
    with where it ends; with ``nouns``, also "a boy", "one girl" (one child)."""
    for m in a.people_in(start, end, kinds=("pupil", "unknown")):
        x, y = a.chars(m)
        return a.text[x:y], True, y
    for c in a.community:
        words = a.text[c.start : c.end]
        if start <= c.start < end and (c.kind == "year" or _PUPILS.search(words)):
            return words, False, c.end
    child = _ONE_CHILD.search(a.text, start, end) if nouns else None
    return (child.group(), True, child.end()) if child else None


def _feature_laughed_at(a: TextAnalysis, i: int, laughs: list[re.Match[str] | None]) -> Hit | None:
    """The author's laughter in sentence ``i`` about a child's feature nearby."""
    laugh = laughs[i]
    if laugh is None:
        return None
    s = a.sentences[i]
    lo, hi = max(0, i - PRONOUN_REACH), min(len(a.sentences), i + PRONOUN_REACH + 1)
    for near in a.sentences[lo:hi]:
        sent = a.text[near.start : near.end]
        f = _feature().search(sent)
        if f is None or educational(sent) or _INTRODUCTION.match(sent[f.end() :]):
            continue
        # one child named as such is identifiable; "his", "her" may be an adult's
        individual = bool(re.match(_CHILD_OWNER, f.group(1), re.I))
        why = f"laughter ({laugh.group()!r}) about {f.group()!r}"
        start = s.start + laugh.start()
        return Hit(start, s.start + laugh.end(), "ridicule", laugh.group(), why, f.group(), individual)
    return None
