"""The Trust community in a draft: the Trust's and schools' names, the author's
class, pupils, colleagues and leaders, named members of staff, and the general
words for pupils, parents and staff.

Names are matched on the one tokenizer's tokens (:class:`postcheck.text.index.
TrustNames`): multi-word names in any case, a single-word alias only capitalised
(the alias "Enquire" is not the verb "enquire") unless the whole draft is in
lower case, acronyms exactly. Phrases (``data/text/community.toml``) are matched
as whole words in any case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from postcheck.text import vocab
from postcheck.text.index import TrustNames
from postcheck.text.phrases import Phrases, first_words
from postcheck.text.thresholds import LOWER_CASE_DRAFT
from postcheck.text.tokens import Tok

_VOCAB = "text/community.toml"
# "{head}" is "headteacher", "head teacher", or "head" where it cannot be a body
# part or the top of something ("the head of the bed", "hit my head on").
_HEAD = r"(?:head[\s-]?teacher|head(?![\s-]+(?:of|on|in|against|into|off|and shoulders|injury|lice)\b))"
_PLACEHOLDERS = {"{n}": r"\d{1,2}", "{s}": "s?", "{head}": _HEAD}
# "hit my head", "banged the head": a head that is a body part
_NOT_A_ROLE = re.compile(
    r"\b(?:hit|bumped|banged|bang|bump|hurt|scratched|shook|shake|nodded|turned|over|on|in|at|into|off)\s+$",
    re.I,
)
# A school named by name ("Canonbury Primary School", "Berwick Academy"): on a
# personal post it says where the author works, configured or not.
_NAMED_SCHOOL = re.compile(
    r"(?<![\w])(?:[A-Z][\w'\u2019&-]*\s+){1,4}(?:(?:Primary|Secondary|High|Grammar|Free|Junior|Infant|"
    r"Community|Church|CE|C of E|RC|Catholic)\s+)*(?:School|Academy|College)(?![\w])"
)
# "the Trust" with a capital T is the author's Trust
_THE_TRUST = re.compile(r"(?<![\w])the Trust(?![\w])")


@dataclass(frozen=True)
class Mention:
    """``start``/``end`` are clean-text offsets; kind: org | role | staff | year | generic | self."""

    start: int
    end: int
    kind: str


def phrase_regex(phrases: tuple[str, ...], ignore_case: bool = True) -> Phrases:
    """One regex for phrases with placeholders; spaces match spaces or hyphens.
    Compiled when first needed by a text that could match (:mod:`postcheck.text.phrases`)."""
    parts = []
    for p in sorted(set(phrases), key=len, reverse=True):
        body = r"[\s\-]+".join(re.escape(w) for w in p.split())
        for key, rx in _PLACEHOLDERS.items():
            body = body.replace(re.escape(key), rx)
        parts.append(body)
    pattern = r"(?<![\w@#])(?:" + "|".join(parts) + r")(?![\w])"
    firsts = first_words(phrases) if ignore_case else None
    return Phrases(pattern, re.IGNORECASE if ignore_case else 0, firsts)


@cache
def patterns(list_name: str) -> Phrases:
    return phrase_regex(tuple(vocab.table(_VOCAB)[list_name]))


# A year group names the author's pupils ("the rest of Year 3", "Year 6 were
# brilliant", "my Y10s"), except where it names a stage of schooling: after "in",
# "by", "until", "the end of"..., or before a curriculum word ("Year 1 phonics check").
_YEAR = re.compile(r"(?<![\w])(?:Year|Yr|Y) ?\d{1,2}s?(?![\w])")
_STAGE_BEFORE = re.compile(
    r"(?:\b(?:in|by|until|till|before|after|during|throughout|into|since|"
    r"(?:end|start|beginning|middle) of))\s+$",
    re.IGNORECASE,
)
_STAGE_AFTER = re.compile(
    r"^\s+(?:phonics|curriculum|check|checks|test|tests|sats|assessment|assessments|maths|english|reading|"
    r"writing|science|topic|unit|standard|standards|expectations|objectives|levels?|content|spellings?|"
    r"statutory|screening|onwards|upwards|and above|and below)\b",
    re.IGNORECASE,
)


def year_groups(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _YEAR.finditer(text):
        if _STAGE_BEFORE.search(text[max(0, m.start() - 30) : m.start()]) or _STAGE_AFTER.match(
            text[m.end() :]
        ):
            continue
        out.append(m.span())
    return out


def trust_tokens(toks: list[Tok], names: TrustNames, lower_case_draft: bool) -> list[tuple[int, int]]:
    """Token ranges that spell the Trust's, a school's or a site's name."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        hit = None
        for n in range(min(names.longest, len(toks) - i), 0, -1):
            form = tuple(t.norm for t in toks[i : i + n])
            if form not in names.forms or not toks[i].word:
                continue
            if form in names.exact and not (toks[i].cap or lower_case_draft):
                continue
            hit = n
            break
        if hit:
            out.append((i, i + hit))
            i += hit
        else:
            i += 1
    return out


def lower_case(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) < LOWER_CASE_DRAFT


def mentions(
    text: str, toks: list[Tok], trust: list[tuple[int, int]], staff: list[tuple[int, int]]
) -> list[Mention]:
    """Every reference to the Trust community, longest first where they overlap."""
    out = [Mention(toks[a].start, toks[b - 1].end, "org") for a, b in trust]
    out += [Mention(toks[a].start, toks[b - 1].end, "staff") for a, b in staff]
    out += [
        Mention(m.start(), m.end(), "role")
        for m in patterns("roles").finditer(text)
        if "head" not in m.group().lower() or not _NOT_A_ROLE.search(text[max(0, m.start() - 12) : m.start()])
    ]
    out += [Mention(m.start(), m.end(), "org") for m in _THE_TRUST.finditer(text)]
    out += [Mention(m.start(), m.end(), "org") for m in _NAMED_SCHOOL.finditer(text)]
    out += [Mention(a, b, "year") for a, b in year_groups(text)]
    out += [Mention(m.start(), m.end(), "self") for m in patterns("self_roles").finditer(text)]
    out += [Mention(m.start(), m.end(), "generic") for m in patterns("generic").finditer(text)]
    out.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for m in out:
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    return kept


def unique_roles(text: str) -> list[tuple[int, int]]:
    """Roles only one person holds ("my head teacher", "the SENCO"): they identify them."""
    return [m.span() for m in patterns("unique_roles").finditer(text)]
