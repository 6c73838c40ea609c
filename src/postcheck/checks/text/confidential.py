"""Confidential matters: safeguarding, exclusions, SEN, diagnoses, medical,
behaviour, staff HR, unpublished inspection outcomes and results, and anything
marked confidential.

The term lists and their context rules are data, in
``postcheck/data/text/confidential.toml``; each group there says what it covers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from postcheck.checks.text.community import data_toml, person_refs, phrase_regex, sentences
from postcheck.model import Finding
from postcheck.rules import Rule

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
    terms: re.Pattern[str] | None
    exact: re.Pattern[str] | None
    person: bool
    also: tuple[re.Pattern[str], ...]
    unless: re.Pattern[str] | None
    benign: re.Pattern[str] | None
    window: int = 0


def _plurals(terms: list[str]) -> list[str]:
    out = list(terms)
    for t in terms:
        if t[-1:].isalpha() and not t.endswith("s"):
            out.append(t + "s")
    return out


@lru_cache(maxsize=1)
def _groups() -> tuple[tuple[_Group, ...], re.Pattern[str] | None]:
    data = data_toml("confidential.toml")
    groups = []
    for g in data["group"]:
        groups.append(
            _Group(
                g["name"],
                g["label"],
                phrase_regex(_plurals(g.get("terms", []))),
                phrase_regex(g.get("exact", []), 0),
                bool(g.get("person", False)),
                tuple(rx for rx in (phrase_regex(words) for words in g.get("also", [])) if rx is not None),
                phrase_regex(g.get("unless", [])),
                phrase_regex(g.get("benign", [])),
                int(g.get("window", 0)),
            )
        )
    return tuple(groups), phrase_regex(data.get("benign", []))


_PLURAL_NOUN = re.compile(r"^(?!one of).*(?:s|children|people|staff)$|^year ?\d", re.IGNORECASE)
# "if your child needs medicine", "any pupil who": addressed to everyone, not about someone
_ANYONE = re.compile(r"\b(?:your|any|every|each|all|no|a new|if a|when a)\s+$", re.IGNORECASE)


def _people(text: str, ctx: Any) -> tuple[bool, bool]:
    """(some identifiable person, a named person) in one sentence."""
    refs = person_refs(text, ctx)
    single = [
        r
        for r in refs
        if not (r.kind == "noun" and (_PLURAL_NOUN.search(r.text) or _ANYONE.search(text[: r.start])))
    ]
    named = [r for r in single if r.kind in ("name", "title")]
    return bool(single), bool(named)


# "until the report is out" looks forward to publication: it does not make it public
_PENDING = re.compile(r"\b(?:until|till|before|when|once|unless)\s+(?:the\s+|it\s+|our\s+|they\s+)?$", re.I)


def _vetoed(unless: re.Pattern[str], text: str) -> bool:
    return any(not _PENDING.search(text[: m.start()]) for m in unless.finditer(text))


def confidential_info(doc: Any, ctx: Any) -> Iterator[Finding]:
    """Safeguarding, SEN, medical, HR and other confidential matters (see ``DOCS``)."""
    groups, benign = _groups()
    sents = sentences(doc, ctx)
    for i, s in enumerate(sents):
        text = s.text
        general = bool(benign and benign.search(text))
        people: tuple[bool, bool] | None = None
        reported: list[tuple[int, int]] = []
        for g in groups:
            matches = [m for rx in (g.terms, g.exact) if rx is not None for m in rx.finditer(text)]
            if not matches:
                continue
            around = " ".join(x.text for x in sents[i : i + 1 + g.window])
            if g.unless is not None and _vetoed(g.unless, around):
                continue
            if any(rx.search(around) is None for rx in g.also):
                continue
            if g.benign is not None and g.benign.search(text):
                continue
            if people is None:
                people = _people(text, ctx)
            someone, named = people
            if g.person and not someone:
                continue
            if general and not named:
                continue
            m = min(matches, key=lambda m: m.start())
            start, end = s.start + m.start(), s.start + m.end()
            if any(a < end and start < b for a, b in reported):
                continue
            reported.append((start, end))
            yield Finding(
                "confidential-info",
                f"Remove this {g.label} ({m.group()!r}): confidential matters about pupils, staff or the "
                "Trust must not be posted.",
                doc.input,
                span=(start, end),
                evidence=m.group(),
                fixable=False,
            )
