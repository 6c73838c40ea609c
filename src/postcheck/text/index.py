"""Indexes built once per session: the word lists, the register's names and the
Trust's names, all tokenized by the one tokenizer (:mod:`postcheck.text.tokens`).

A register name is indexed in every form real drafts write it: any case and
accents (folded), hyphenated, spaced or run together (``Abu-Bakr``, ``Abu Bakr``,
``AbuBakr``), with or without an apostrophe (``O'Brien``, ``OBrien``), and, for a
multi-part surname, its main parts (``Patel-Jones`` → ``Patel``, ``Jones``;
``van der Berg`` → ``Berg``). One-letter typos of names of five letters or more
are found through a deletion index and checked with the optimal string alignment
distance (a changed, added or dropped letter, or two neighbours swapped).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from postcheck.text import vocab
from postcheck.text.thresholds import FUZZY_MIN_LETTERS
from postcheck.text.tokens import Tok, fold, tokens

Form = tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """The shipped word lists (``postcheck/data/names``, ``data/text/names.toml``)."""

    given: frozenset[str]  # common given names (the gazetteer)
    word_kind: dict[str, str]  # given names that are also words -> word|calendar|modal|place
    common: frozenset[str]  # frequent English words
    names: dict[str, frozenset[str]]  # names.toml: list name -> words

    def kind(self, name: str) -> str | None:
        """How a folded, lower-case name is also a word (``word`` if it is a common word)."""
        if name in self.word_kind:
            return self.word_kind[name]
        return "word" if name in self.common else None

    def has(self, list_name: str, word: str) -> bool:
        return word in self.names[list_name]


@cache
def lexicon() -> Lexicon:
    from spacy.lang.en.stop_words import STOP_WORDS

    kinds: dict[str, str] = {}
    for line in vocab.words("names/word_names.txt"):
        name, _, kind = line.partition(" ")
        kinds[fold(name).lower()] = kind.strip() or "word"
    given = frozenset(fold(n).lower() for n in vocab.words("names/given_names.txt")) | frozenset(kinds)
    common = frozenset(vocab.words("names/common_words.txt")) | frozenset(STOP_WORDS)
    names = {k: frozenset(v) for k, v in vocab.table("text/names.toml").items()}
    return Lexicon(given, kinds, common, names)


_SIMPLE = re.compile(r"[^\W\d_]+")


def norms(nlp: Any, text: str) -> Form:
    """A name as the tuple of token norms the matchers compare (a one-word name
    needs no tokenizer run: most register names are one word)."""
    text = text.strip()
    if _SIMPLE.fullmatch(text):
        return (fold(text).lower(),)
    return tuple(t.norm for t in tokens(nlp.make_doc(text)) if t.word or t.norm in ("-", "'"))


def variants(form: Form) -> Iterator[Form]:
    """The ways drafts write a multi-part name: as registered, without hyphens or
    apostrophes, and run together."""
    yield form
    if len(form) == 1 and "'" not in form[0]:
        return
    words = tuple(w for w in form if w not in ("-", "'"))
    if words != form:
        yield words
    if any("'" in w for w in words):
        split = tuple(p for w in words for p in w.split("'") if p)
        yield split
        yield tuple(w.replace("'", "") for w in words)
    if len(words) > 1:
        yield ("".join(w.replace("'", "") for w in words),)


@dataclass
class FuzzyIndex:
    """One-letter typos of single-word names (five letters or more): rapidfuzz's
    optimal string alignment distance over the names, grouped by length."""

    names: frozenset[str]
    by_length: dict[int, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in sorted(self.names):
            self.by_length.setdefault(len(name), []).append(name)

    def lookup(self, word: str) -> list[str]:
        """Names ``word`` is one typo away from (never ``word`` itself)."""
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import extract

        found: list[str] = []
        for n in (len(word) - 1, len(word), len(word) + 1):
            pool = self.by_length.get(n)
            if pool:
                hits = extract(word, pool, scorer=OSA.distance, score_cutoff=1, limit=None)
                found += [name for name, _, _ in hits if name != word]
        return sorted(found)


@dataclass(frozen=True)
class NameIndex:
    """A register's names: ``forms`` maps a form to ``(person, role)`` pairs, role
    being ``given`` (a first or preferred name) or ``surname``."""

    forms: dict[Form, tuple[tuple[Any, str], ...]]
    longest: int
    fuzzy: FuzzyIndex

    def match_at(self, toks: list[Tok], i: int) -> tuple[int, Form] | None:
        """The longest register form starting at token ``i``: (end, form)."""
        for n in range(min(self.longest, len(toks) - i), 0, -1):
            form = tuple(t.norm for t in toks[i : i + n])
            if form in self.forms and toks[i].word and toks[i + n - 1].word:
                return i + n, form
        return None


def _surname_forms(nlp: Any, last: str, particles: frozenset[str]) -> list[Form]:
    full = norms(nlp, last)
    if not full:
        return []
    out = list(variants(full))
    parts = [p for p in full if p not in ("-", "'") and len(p) >= 3 and p not in particles]
    if len([p for p in full if p not in ("-", "'")]) > 1:
        out += [(p,) for p in parts]
    return out


def build_name_index(nlp: Any, people: Iterable[Any]) -> NameIndex:
    particles = lexicon().names["particles"]
    forms: dict[Form, list[tuple[Any, str]]] = {}
    for person in people:
        for given in person.given_names:
            for form in variants(norms(nlp, given)):
                forms.setdefault(form, []).append((person, "given"))
        for form in _surname_forms(nlp, person.last_name, particles):
            forms.setdefault(form, []).append((person, "surname"))
    fuzzy = frozenset(f[0] for f in forms if len(f) == 1 and len(f[0]) >= FUZZY_MIN_LETTERS)
    longest = max((len(f) for f in forms), default=1)
    return NameIndex({k: tuple(dict.fromkeys(v)) for k, v in forms.items()}, longest, FuzzyIndex(fuzzy))


@dataclass(frozen=True)
class TrustNames:
    """The Trust's, its schools' and its sites' names, and their short names."""

    forms: dict[Form, str]  # form -> the configured name it stands for
    exact: frozenset[Form]  # single-word aliases that must be capitalised (or acronyms)
    longest: int
    words: frozenset[str]  # every word of every name, for "not a person" decisions


_SCHOOL_WORDS = "text/community.toml"


def _short_name(form: Form, school_words: frozenset[str]) -> Form:
    """A school's name without its type words ("Oakfield Primary Academy" ->
    "Oakfield", "The Enquire Learning Trust" -> "Enquire"; "St Grace's Infant
    School" -> "St Grace's", keeping the saint)."""
    words = [w for w in form if w not in ("-", "'", ".")]
    while words and words[0] in ("the",):
        words = words[1:]
    while words and words[-1] in school_words and words[-1] not in ("st", "saint"):
        words = words[:-1]
    core = [w for w in words if w not in school_words or w in ("st", "saint")]
    return tuple(core)


def build_trust_names(nlp: Any, config: Any, people: Iterable[Any] = ()) -> TrustNames:
    """The Trust's names; a one-word short name that is also a given name (of the
    register or the given-name list) is left out: "Harrison" alone may be a pupil."""
    names = [config.get("trust.name") or "", *config.get("trust.aliases"), *config.get("trust.schools")]
    names += [site.name for site in config.get("trust.sites")]
    school_words = frozenset(vocab.table(_SCHOOL_WORDS)["school_words"])
    given = set(lexicon().given) | {fold(g).lower() for p in people for g in p.given_names}
    forms: dict[Form, str] = {}
    exact: set[Form] = set()
    for name in (n.strip() for n in names if n and n.strip()):
        form = norms(nlp, name)
        if not form:
            continue
        for v in variants(form):
            forms.setdefault(v, name)
        if len(form) == 1:
            exact.add(form)
        core = _short_name(form, school_words)
        if core and core != form and len(" ".join(core)) >= 4:
            if len(core) == 1 and core[0] in given:
                continue
            forms.setdefault(core, name)
            if len(core) == 1:
                exact.add(core)
    longest = max((len(f) for f in forms), default=1)
    words = frozenset(w for f in forms for w in f)
    return TrustNames(forms, frozenset(exact), longest, words)
