"""Sarcasm and contempt about people of the Trust community.

A layer of ``adverse-comment`` (``sarcasm``, ``contempt``) for remarks that carry
no word of criticism: their tone does the work. Two lists of ``adverse.toml``:

* ``tone``: markers of sarcasm or exasperation ("said no teacher ever", "bless
  her", "what could possibly go wrong", "🙄"). A warning, whoever it is about;
  "God bless them" is a blessing, not sarcasm;
* ``contempt``: condescension and character judgements ("it's not too much to ask
  parents to...", "if they are so unhappy", "sit there and complain", "not
  management material", "only has herself to blame"). Of an identifiable person
  it is the blocking ``attack`` variant. "Too much to ask for" asks for a thing
  ("too much to ask for sunshine"), not of people.

A marker counts in a sentence about people of the community: a named or titled
person, a role one person holds, staff, pupils, a class or year group, parents.
"They", "you", "he" or "she" carry the people of the
:data:`~postcheck.text.thresholds.PRONOUN_REACH` sentences before ("The
overwhelming majority of parents are positive. If they are so unhappy..."); a
marker of tone may also stand alone after the sentence it is about ("SLT want a
new policy by Friday. What could possibly go wrong?"). A lesson ("we studied
sarcasm") is not reported.
"""

from __future__ import annotations

import re

from postcheck.text.analysis import Sentence, TextAnalysis
from postcheck.text.offence import Hit, adverse_rx, educational, target_of
from postcheck.text.thresholds import PRONOUN_REACH

_PRONOUN = re.compile(r"\b(?:they|them|their|you|your|he|him|his|she|her)\b", re.I)
_BLESSING = re.compile(r"\bgod\W*$", re.I)  # "God bless them"
_ASKS_FOR = re.compile(r"^\s+for\b", re.I)  # "too much to ask for sunshine"


def sarcasm(a: TextAnalysis, taken: set[int]) -> list[Hit]:
    """Sarcasm and contempt hits, one a sentence, skipping the sentences (by index)
    in ``taken``."""
    hits: list[Hit] = []
    for i, s in enumerate(a.sentences):
        if i in taken:
            continue
        sent = a.text[s.start : s.end]
        marker = _marker(sent)
        if marker is None or educational(sent):
            continue
        layer, m = marker
        about = _about(a, i, remark=layer == "tone")
        if about is None:
            continue
        target, individual = about
        kind = "sarcasm" if layer == "tone" else "contempt"
        said = "a marker of sarcasm" if kind == "sarcasm" else "condescending or contemptuous words"
        why = f"{said} ({m.group()!r}) about {target!r}"
        hits.append(
            Hit(
                s.start + m.start(),
                s.start + m.end(),
                kind,
                m.group(),
                why,
                target,
                individual and layer != "tone",
            )
        )
    return hits


def _marker(sent: str) -> tuple[str, re.Match[str]] | None:
    """The first marker of a sentence, with its list (``contempt`` before ``tone``)."""
    for layer in ("contempt", "tone"):
        for m in adverse_rx(layer).finditer(sent):
            if layer == "tone" and _BLESSING.search(sent[: m.start()]):
                continue
            if m.group().lower().endswith("to ask") and _ASKS_FOR.match(sent[m.end() :]):
                continue
            return layer, m
    return None


def _about(a: TextAnalysis, i: int, remark: bool) -> tuple[str, bool] | None:
    """The people of the community sentence ``i`` is about: its own, or those of
    the sentences just before when it speaks of "they", "you", "she". A ``remark``
    (a marker of tone) may stand alone after the sentence it is about ("SLT want a
    new policy by Friday. What could possibly go wrong?")."""
    target, individual = target_of(a, a.sentences[i], people_only=True)
    if target is not None:
        return target, individual
    sent: Sentence = a.sentences[i]
    if remark and i > 0:
        target, individual = target_of(a, a.sentences[i - 1], people_only=True)
        if target is not None:
            return target, individual
    if not _PRONOUN.search(a.text[sent.start : sent.end]):
        return None
    for s in reversed(a.sentences[max(0, i - PRONOUN_REACH) : i]):
        target, individual = target_of(a, s, people_only=True)
        if target is not None:
            return target, individual
    return None
