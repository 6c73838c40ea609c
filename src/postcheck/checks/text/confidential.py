"""Confidential matters: safeguarding, exclusions, SEN, diagnoses, medical,
behaviour, staff HR, unpublished inspection outcomes and results, and anything
marked confidential.

The term lists and their context rules are data, in
``postcheck/data/text/confidential.toml``; each group there says what it covers.
Whether a sentence is about an identifiable person comes from the one person
detector (:mod:`postcheck.text.people`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from postcheck.model import Finding
from postcheck.rules import Rule
from postcheck.text import vocab
from postcheck.text.analysis import TextAnalysis
from postcheck.text.base import TextContext, finding
from postcheck.text.community import phrase_regex
from postcheck.text.phrases import Phrases
from postcheck.text.thresholds import PRONOUN_REACH

CONFIDENTIAL_INFO = Rule(
    "confidential-info",
    "text",
    "Safeguarding, SEN, medical, HR and other confidential matters",
    what=(
        "looks, sentence by sentence, for curated terms (confidential.toml) in these groups: safeguarding"
        " and child protection; exclusions and suspensions; SEN and EHCPs; diagnoses (autism, ADHD, "
        "dyslexia, diabetes...); medical care and medication; behaviour incidents; staff disciplinary, "
        "grievance and employment matters; inspection outcomes and results before they are published; "
        'anything marked "confidential". Context decides: most groups are reported only when the sentence'
        ' is about an identifiable person (a name, "Mr Khan", he/she, "a pupil in my class", "my '
        'colleague"), and general context (a policy, training, an awareness week, a charity fundraiser) '
        'makes a sentence general unless it names someone. Strong terms ("safeguarding concern", "child '
        'protection plan", "disciplinary hearing", "confidential") are reported without a person.'
    ),
    why=(
        "posts must not breach confidentiality or data protection about pupils, staff or the Trust "
        "(Haybrook 2.2, 3.2.3, 3.2.5; Enquire 3.4, 4.1). A post about one child's exclusion or diagnosis "
        "can identify them even without a surname."
    ),
    example=(
        '"Jake was excluded for fighting" is reported; "Our safeguarding policy is on the website" and '
        '"Mental Health Awareness Week starts Monday" are not.'
    ),
    personal="block",
    official="block",
    by_hand="remove the confidential matter; it cannot be reworded safely by a program",
)
RULES = (CONFIDENTIAL_INFO,)


@dataclass(frozen=True)
class _Group:
    name: str
    label: str
    terms: Phrases | None
    exact: Phrases | None
    person: bool
    also: tuple[Phrases, ...]
    unless: Phrases | None
    benign: Phrases | None
    window: int = 0


def _plurals(terms: list[str]) -> tuple[str, ...]:
    out = list(terms)
    out += [t + "s" for t in terms if t[-1:].isalpha() and not t.endswith("s")]
    return tuple(out)


def _rx(words: list[str] | tuple[str, ...], case: bool = False) -> Phrases | None:
    if not words:
        return None
    return phrase_regex(tuple(words), ignore_case=not case)


@cache
def _groups() -> tuple[tuple[_Group, ...], Phrases | None]:
    data = vocab.table("text/confidential.toml")
    groups = []
    for g in data["group"]:
        groups.append(
            _Group(
                g["name"],
                g["label"],
                _rx(_plurals(g.get("terms", []))),
                _rx(g.get("exact", []), case=True),
                bool(g.get("person", False)),
                tuple(rx for rx in (_rx(words) for words in g.get("also", [])) if rx is not None),
                _rx(g.get("unless", [])),
                _rx(g.get("benign", [])),
                int(g.get("window", 0)),
            )
        )
    return tuple(groups), _rx(data.get("benign", []))


_PRONOUN = re.compile(r"\b(?:he|she|him|her|his|hers|himself|herself)\b", re.IGNORECASE)
# "until the report is out" looks forward to publication: it does not make it public
_PENDING = re.compile(r"\b(?:until|till|before|when|once|unless)\s+(?:the\s+|it\s+|our\s+|they\s+)?$", re.I)


def _vetoed(unless: Phrases, text: str) -> bool:
    return any(not _PENDING.search(text[: m.start()]) for m in unless.finditer(text))


def _identified(a: TextAnalysis, start: int, end: int) -> bool:
    """A named person, an initial or a role only one person holds, in ``start:end``."""
    if a.people_in(start, end):
        return True
    return any(start <= x < end for x, _ in a.unique_roles)


def _people(a: TextAnalysis, i: int) -> tuple[bool, bool]:
    """(about an identifiable person, names a person) for sentence ``i``: a name,
    an initial or a unique role in it, or "he"/"she" after one in the sentences
    just before. "A pupil", "one of my students" or "a child in my class" do not
    identify anyone."""
    s = a.sentences[i]
    named = bool(a.people_in(s.start, s.end))
    if _identified(a, s.start, s.end):
        return True, named
    pronoun = _PRONOUN.search(a.text, s.start, s.end)
    if pronoun is not None:  # someone identified before the pronoun
        first = a.sentences[max(0, i - PRONOUN_REACH)].start
        return _identified(a, first, pronoun.start()), named
    return False, named


def confidential_info(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """Safeguarding, SEN, medical, HR and other confidential matters."""
    groups, benign = _groups()
    text = a.text
    for i, s in enumerate(a.sentences):
        sent = text[s.start : s.end]
        general = bool(benign and benign.search(sent))
        people: tuple[bool, bool] | None = None
        reported: list[tuple[int, int]] = []
        for g in groups:
            matches = [m for rx in (g.terms, g.exact) if rx is not None for m in rx.finditer(sent)]
            if not matches:
                continue
            around = " ".join(text[x.start : x.end] for x in a.sentences[i : i + 1 + g.window])
            if g.unless is not None and _vetoed(g.unless, around):
                continue
            if any(rx.search(around) is None for rx in g.also):
                continue
            if g.benign is not None and g.benign.search(sent):
                continue
            if people is None:
                people = _people(a, i)
            someone, named = people
            if (g.person and not someone) or (general and not named):
                continue
            m = min(matches, key=lambda m: m.start())
            start, end = s.start + m.start(), s.start + m.end()
            if any(x < end and start < y for x, y in reported):
                continue
            reported.append((start, end))
            yield finding(
                "confidential-info",
                a,
                start,
                end,
                f"Remove this {g.label} ({m.group()!r}): confidential matters about pupils, staff or the "
                "Trust must not be posted.",
            )
