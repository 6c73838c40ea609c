"""One analysis per text, read by every text rule.

:func:`analyse` builds a frozen :class:`TextAnalysis` of a draft (or of text
found in a photo) once: the clean view and its map back to the user's text
(:mod:`~postcheck.text.clean`), the tokens (:mod:`~postcheck.text.tokens`),
sentences, the people named (:mod:`~postcheck.text.people`,
:mod:`~postcheck.text.unknown`), the Trust community (:mod:`~postcheck.text.
community`) and contact details (:mod:`~postcheck.text.contacts`). All offsets
inside the analysis are clean-text offsets; :meth:`TextAnalysis.span` turns a
range into the user's own characters for a finding.

The register's and the Trust's indexes are built once per session
(:class:`TextIndex`), not once per text.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from postcheck.text import community, contacts
from postcheck.text.clean import Clean, clean
from postcheck.text.context import View, title_case_flags
from postcheck.text.index import (
    Lexicon,
    NameIndex,
    TrustNames,
    build_name_index,
    build_trust_names,
    lexicon,
)
from postcheck.text.people import PersonMention, register_mentions, split_run_together
from postcheck.text.tokens import Tok, tokens
from postcheck.text.unknown import (
    book_post,
    gazetteer_candidates,
    lone_initials,
    role_candidates,
    titled_adults,
    unknown_mentions,
    verb_candidates,
)


@dataclass(frozen=True)
class Sentence:
    start: int  # clean-text offsets
    end: int
    first: int  # token range
    last: int


@dataclass(frozen=True)
class TextAnalysis:
    """Everything the text rules need to know about one text (clean offsets)."""

    input: str
    source: str | None
    clean: Clean
    toks: tuple[Tok, ...]
    sentences: tuple[Sentence, ...]
    people: tuple[PersonMention, ...]
    community: tuple[community.Mention, ...]
    unique_roles: tuple[tuple[int, int], ...]
    contacts: tuple[contacts.Contact, ...]
    trust_spans: tuple[tuple[int, int], ...]  # token ranges of the Trust's names
    method: str  # how unknown people were found
    entities: Any = None  # the trained pipeline's Doc, when one ran
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def cached(self, key: str, make: Any) -> Any:
        """Work several rules share (the language layers), done once per text."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def text(self) -> str:
        return self.clean.text

    @property
    def original(self) -> str:
        return self.clean.original

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.clean.span(start, end)

    def evidence(self, start: int, end: int) -> str:
        return self.clean.evidence(start, end)

    def chars(self, m: PersonMention) -> tuple[int, int]:
        """Clean-text offsets of a mention."""
        return self.toks[m.start].start, self.toks[m.end - 1].end

    def sentence_at(self, pos: int) -> Sentence | None:
        return next((s for s in self.sentences if s.start <= pos < s.end), None)

    def people_in(self, start: int, end: int, kinds: tuple[str, ...] = ()) -> list[PersonMention]:
        out = []
        for m in self.people:
            at = self.toks[m.start].start
            if start <= at < end and (not kinds or m.kind in kinds):
                out.append(m)
        return out


@dataclass
class TextIndex:
    """The session's spaCy pipeline, word lists, register names and Trust names,
    built on first use and kept for the session (and each batch worker)."""

    config: Any
    register: Any
    _built: dict[str, Any] = field(default_factory=dict, repr=False)
    # a post's drafts and photos are checked in two threads: each index is built
    # once, and the pipeline parses one text at a time
    _lock: Any = field(default_factory=threading.RLock, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:  # a worker process builds its own
        return {"config": self.config, "register": self.register, "_built": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _lock=threading.RLock())

    def _get(self, key: str, make: Any) -> Any:
        with self._lock:
            if key not in self._built:
                self._built[key] = make()
            return self._built[key]

    def warm_already(self) -> bool:
        return "nlp" in self._built

    def warm(self) -> None:
        """Build the pipeline and the name indexes now, ahead of the first text.
        A failure is left for that text's check to report."""
        try:
            self.names, self.trust  # noqa: B018 (built for their side effect)
        except Exception:
            return

    def parse(self, text: str) -> Any:
        """The spaCy doc of ``text`` (tokens, sentences, entities)."""
        nlp = self.nlp
        with self._lock:
            return nlp(text)

    @property
    def nlp(self) -> Any:
        from postcheck import nlp

        return self._get("nlp", lambda: nlp.pipeline(self.config.get("nlp.model")))

    @property
    def lex(self) -> Lexicon:
        return lexicon()

    @property
    def names(self) -> NameIndex:
        return self._get("names", lambda: build_name_index(self.nlp, self.register.people))

    @property
    def trust(self) -> TrustNames:
        return self._get("trust", lambda: build_trust_names(self.nlp, self.config, self.register.people))


def _sentences(toks: list[Tok], text: str) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    first = 0
    for i in range(1, len(toks) + 1):
        if i == len(toks) or toks[i].sent_start:
            if first < i:
                out.append(Sentence(toks[first].start, toks[i - 1].end, first, i))
            first = i
    return tuple(out)


_PRONOUN = re.compile(r"\b(?:he|she|him|her|his|hers|himself|herself)\b", re.IGNORECASE)


def _about_person(a: TextAnalysis, start: int, end: int) -> bool:
    """A sentence names a person, or says he/she (a birthday of "the school" is not)."""
    if a.people_in(start, end):
        return True
    text = a.text[start:end]
    return bool(_PRONOUN.search(text)) and not contacts._ORG_SUBJECT.search(text)


def _unknown(index: TextIndex, view: View, blocked: set[int], sdoc: Any) -> tuple[list[PersonMention], str]:
    from postcheck import nlp

    pipeline = index.nlp
    if nlp.has_entities(pipeline):
        toks = view.toks
        ents = [(e.start_char, e.end_char) for e in sdoc.ents if e.label_ == "PERSON"]
        spans = []
        for s, e in ents:
            covered = [i for i, t in enumerate(toks) if s <= t.start < e and t.word]
            if covered:
                spans.append((covered[0], covered[-1] + 1))
        return unknown_mentions(view, blocked, spans), nlp.describe(pipeline)
    lex = view.lex
    method = f"list of {len(lex.given):,} common given names (rules only; see [nlp] model)"
    found = list(gazetteer_candidates(view, set(blocked)))
    taken = {i for a, b in found for i in range(a, b)}
    found += [c for c in verb_candidates(view, blocked | taken)]
    taken = {i for a, b in found for i in range(a, b)}
    found += [c for c in role_candidates(view, blocked | taken)]
    return unknown_mentions(view, blocked, sorted(found)), method


def analyse(text: str, index: TextIndex, input: str = "draft", source: str | None = None) -> TextAnalysis:
    """The analysis of ``text`` (see the module docstring)."""
    view_text = clean(text)
    sdoc = index.parse(view_text.text)
    names = index.names
    toks = split_run_together(tokens(sdoc), names)
    lex = index.lex
    view = View(toks, lex, title_case_flags(toks, lex))
    lower = community.lower_case(view_text.text)
    trust_spans = community.trust_tokens(toks, index.trust, lower)
    trust = frozenset(i for a, b in trust_spans for i in range(a, b))
    people, claimed = register_mentions(toks, names, view, trust)
    blocked = set(claimed) | set(trust)
    adults = titled_adults(view, blocked, book_post(view))
    others, method = _unknown(index, view, blocked, sdoc)
    initials = lone_initials(view, blocked)
    everyone = tuple(sorted([*people, *adults, *others, *initials], key=lambda m: m.start))
    staff = [(m.start, m.end) for m in everyone if m.kind == "staff"]
    found = community.mentions(view_text.text, toks, trust_spans, staff)
    sentences = _sentences(toks, view_text.text)
    partial = TextAnalysis(
        input, source, view_text, tuple(toks), sentences, everyone, tuple(found),
        tuple(community.unique_roles(view_text.text)), (), tuple(trust_spans), method,
        sdoc if sdoc.has_annotation("ENT_IOB") else None,
    )  # fmt: skip
    org = [(toks[a].start, toks[b - 1].end) for a, b in trust_spans]
    found_contacts = contacts.find(
        view_text.text,
        index.config,
        [(s.start, s.end) for s in sentences],
        org,
        lambda s, e: _about_person(partial, s, e),
    )
    return TextAnalysis(
        input, source, view_text, tuple(toks), sentences, everyone, tuple(found),
        partial.unique_roles, tuple(found_contacts), tuple(trust_spans), method, partial.entities,
    )  # fmt: skip
