"""The one spaCy pipeline of a process, and the analysed doc of each text.

``[nlp] model`` in the config chooses the pipeline:

* ``"auto"`` (default): ``en_core_web_sm`` when it is installed, else
  ``spacy.blank("en")`` with a sentencizer;
* ``"none"``: always the blank pipeline;
* a package name: that trained pipeline (a config error if it is missing).

Text checks call :func:`spacy_doc`, which analyses each text once per post.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from postcheck.errors import ConfigError

_PIPELINES: dict[str, Any] = {}
DEFAULT_TRAINED = "en_core_web_sm"


def model_name(setting: str) -> str | None:
    """The trained pipeline to load for ``[nlp] model``, or None for blank."""
    if setting == "none":
        return None
    if setting == "auto":
        return DEFAULT_TRAINED if importlib.util.find_spec(DEFAULT_TRAINED) else None
    return setting


def base_pipeline(setting: str = "auto") -> Any:
    """The spaCy Language for ``setting``, built once per process."""
    if setting in _PIPELINES:
        return _PIPELINES[setting]
    import spacy

    name = model_name(setting)
    if name is None:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    else:
        try:
            # Only the components that feed our rules: entities and sentences.
            nlp = spacy.load(name, exclude=["lemmatizer", "textcat"])
        except OSError as exc:
            raise ConfigError(
                f"[nlp] model = {setting!r}: the spaCy pipeline {name!r} is not installed",
                hint='install it, or set [nlp] model = "auto" or "none"',
            ) from exc
        if not nlp.has_pipe("parser") and not nlp.has_pipe("senter") and not nlp.has_pipe("sentencizer"):
            nlp.add_pipe("sentencizer")
    _PIPELINES[setting] = nlp
    return nlp


def is_trained(nlp: Any) -> bool:
    return nlp.has_pipe("ner")


def spacy_doc(doc: Any, ctx: Any) -> Any:
    """The spaCy Doc of a :class:`postcheck.inputs.TextDoc`, made once per text."""

    def make() -> Any:
        return base_pipeline(ctx.config.get("nlp.model"))(doc.text)

    return ctx.memo("spacy-doc", f"{doc.input}\0{doc.source}\0{hash(doc.text)}", make)


def has_person_entities(nlp: Any) -> bool:
    """Whether the pipeline labels PERSON entities (a trained ``ner``, or an
    entity ruler that a school has added)."""
    return nlp.has_pipe("ner") or nlp.has_pipe("entity_ruler")


# --- names -------------------------------------------------------------------------
#
# Names are matched on a token list of our own, made once per text: words are
# folded (accents removed, lower case) so that "Zoë", "ZOE" and "zoe" are one
# token, apostrophes are unified, and hashtags and @handles are split into
# their CamelCase or underscore parts with exact character offsets. The tokens
# become a spaCy Doc (words only, no tokenizer run) on which Matcher patterns
# made from the register find every given name and surname. The patterns are
# built once per process per register.

_APOSTROPHES = "\u2019\u2018\u02bc`\u00b4"
_TOKEN = re.compile(r"[#@][^\W_]+(?:_+[^\W_]+)*|[^\W\d_]+|\d+|\S")
_TAG_PART = re.compile(r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+|[A-ZÀ-ÖØ-Þ]+(?![a-zß-öø-ÿ])|[a-zß-öø-ÿ]+|\d+")


def fold_char(ch: str) -> str:
    """One character without its accents ("ë" -> "e"); apostrophes -> "'"."""
    if ch < "\x80":
        return ch
    if ch in _APOSTROPHES:
        return "'"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return base if len(base) == 1 else ch


def fold(text: str) -> str:
    """``text`` without accents, same length, so offsets stay valid."""
    if text.isascii():
        return text
    return "".join(fold_char(c) for c in text)


@dataclass(frozen=True)
class Tok:
    """A token of the name tokenizer. ``norm`` is folded and lower case."""

    text: str
    norm: str
    start: int
    end: int
    word: bool
    tag: bool = False  # part of a #hashtag or @handle
    sent_start: bool = False

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()

    @property
    def upper(self) -> bool:
        return self.text.isupper() and len(self.text) > 1


_ABBREVIATIONS = {"mr", "mrs", "ms", "mx", "dr", "st", "mt", "miss", "prof", "rev", "no", "vs", "etc"}
_TRANSPARENT = set("\"'“”‘’()[]{}*_~")


def tokenize(text: str) -> list[Tok]:
    """Words, numbers and single punctuation marks, with hashtags and handles
    split into parts ("#WellDoneAmelia" -> well, done, amelia)."""
    folded = fold(text)
    toks: list[Tok] = []
    prev_end = 0
    sentence_over = True
    for m in _TOKEN.finditer(folded):
        s, e = m.span()
        piece = m.group()
        if "\n" in folded[prev_end:s]:
            sentence_over = True
        prev_end = e
        if piece[0] in "#@" and len(piece) > 1:
            toks.append(Tok(text[s], piece[0], s, s + 1, False))
            for part in _TAG_PART.finditer(piece, 1):
                ps, pe = s + part.start(), s + part.end()
                toks.append(Tok(text[ps:pe], part.group().lower(), ps, pe, True, True, sentence_over))
                sentence_over = False
            continue
        is_word = piece[0].isalpha()
        if is_word or piece.isdigit():
            toks.append(Tok(text[s:e], piece.lower(), s, e, is_word, False, sentence_over))
            sentence_over = False
            continue
        toks.append(Tok(text[s:e], piece, s, e, False))
        if piece in ".!?…":
            before = toks[-2] if len(toks) > 1 else None
            abbreviation = (
                before is not None
                and before.word
                and (before.norm in _ABBREVIATIONS or (len(before.norm) == 1 and before.cap))
            )
            if not abbreviation:
                sentence_over = True
    return toks


@dataclass(frozen=True)
class Lexicon:
    """The word lists shipped in ``postcheck/data/names``, loaded once."""

    given: frozenset[str]  # common given names (the gazetteer)
    word_kind: dict[str, str]  # names that are also words -> word|calendar|modal|place
    common: frozenset[str]  # frequent English words that are not only names

    def kind(self, name: str) -> str | None:
        """How a (folded, lower-case) name is also a word, or None."""
        if name in self.word_kind:
            return self.word_kind[name]
        if name in self.common:
            return "word"
        return None


_LEXICON: Lexicon | None = None


def _data_lines(name: str) -> list[str]:
    from importlib import resources

    text = (resources.files("postcheck") / "data" / "names" / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def lexicon() -> Lexicon:
    global _LEXICON
    if _LEXICON is None:
        from spacy.lang.en.stop_words import STOP_WORDS

        kinds = {}
        for line in _data_lines("word_names.txt"):
            name, _, kind = line.partition(" ")
            kinds[fold(name).lower()] = kind.strip() or "word"
        given = frozenset(fold(n).lower() for n in _data_lines("given_names.txt")) | frozenset(kinds)
        common = frozenset(_data_lines("common_words.txt")) | frozenset(STOP_WORDS)
        _LEXICON = Lexicon(given, kinds, common)
    return _LEXICON


def name_tokens(name: str) -> tuple[str, ...]:
    """A name as the tuple of folded tokens the matcher compares."""
    return tuple(t.norm for t in tokenize(name) if t.word or t.norm in "-'")


@dataclass
class NameIndex:
    """Matchers and lookup tables for one register's names, built once.

    ``forms`` maps a name (tuple of folded tokens) to ``(person, role)`` pairs,
    role being ``given`` (first or preferred name) or ``surname``.
    """

    register: Any
    vocab: Any
    forms: dict[tuple[str, ...], list[tuple[Any, str]]]
    matcher: Any
    fuzzy_names: tuple[str, ...]
    _fuzzy: Any = None

    def fuzzy_matcher(self) -> Any:
        if self._fuzzy is None:
            from spacy.matcher import Matcher

            self._fuzzy = Matcher(self.vocab, fuzzy_compare=one_typo)
            if self.fuzzy_names:
                self._fuzzy.add("FUZZY", [[{"LOWER": {"FUZZY1": {"IN": list(self.fuzzy_names)}}}]])
        return self._fuzzy


_INDEXES: dict[tuple[int, int], NameIndex] = {}


def surname_forms(last_name: str) -> list[tuple[str, ...]]:
    """The surname, and for a double-barrelled or multi-part surname its main
    parts ("Smith-Jones" -> smith-jones, smith, jones; "van der Berg" -> berg)."""
    full = name_tokens(last_name)
    if not full:
        return []
    forms = [full]
    parts = [p for p in full if p not in "-'" and len(p) >= 3]
    if len(parts) > 1:
        forms += [(p,) for p in parts if p not in _PARTICLES]
    return forms


_PARTICLES = {
    "van",
    "von",
    "der",
    "den",
    "de",
    "del",
    "della",
    "di",
    "da",
    "du",
    "la",
    "le",
    "bin",
    "binti",
    "ibn",
    "al",
    "el",
    "mac",
    "ter",
    "ten",
    "dos",
    "das",
}


def name_index(register: Any, vocab: Any) -> NameIndex:
    """The name matchers for ``register``, cached by register identity."""
    key = (id(register), id(vocab))
    cached = _INDEXES.get(key)
    if cached is not None and cached.register is register:
        return cached
    from spacy.matcher import Matcher

    forms: dict[tuple[str, ...], list[tuple[Any, str]]] = {}
    for person in register.people:
        for given in person.given_names:
            form = name_tokens(given)
            if form:
                forms.setdefault(form, []).append((person, "given"))
        for form in surname_forms(person.last_name):
            forms.setdefault(form, []).append((person, "surname"))
    single = sorted({f[0] for f in forms if len(f) == 1})
    multi = [f for f in forms if len(f) > 1]
    matcher = Matcher(vocab)
    if single:
        matcher.add("NAME", [[{"LOWER": {"IN": single}}]])
    if multi:
        matcher.add("NAME", [[{"LOWER": t} for t in f] for f in multi])
    fuzzy = tuple(n for n in single if len(n) >= 5)
    index = NameIndex(register, vocab, forms, matcher, fuzzy)
    _INDEXES[key] = index
    return index


def one_typo(word: str, name: str, fuzzy: int = 1) -> bool:
    """Whether ``word`` is ``name`` with at most ``fuzzy`` edits (Levenshtein:
    a letter changed, added or dropped), counting two swapped neighbouring
    letters ("Amelai") as one edit. Used as the Matcher's FUZZY comparison."""
    from spacy.matcher.levenshtein import levenshtein

    if abs(len(word) - len(name)) > fuzzy:
        return False
    if levenshtein(word, name, fuzzy) <= fuzzy:
        return True
    if len(word) != len(name):
        return False
    diff = [i for i in range(len(word)) if word[i] != name[i]]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and word[diff[0]] == name[diff[1]]
        and word[diff[1]] == name[diff[0]]
    )


def split_run_together(toks: list[Tok], index: NameIndex) -> list[Tok]:
    """Split hashtag and handle words written without capitals or separators
    ("#ameliasmith", "#welldoneamelia") where a part is a register name: a given
    name followed by a surname, or a given name of four letters or more at the
    start or end."""
    forms = index.forms
    out: list[Tok] = []
    for t in toks:
        n = t.norm
        if not t.tag or len(n) < 7 or (n,) in forms:
            out.append(t)
            continue
        cut = 0
        for k in range(3, len(n) - 2):
            if (n[:k],) in forms and (n[k:],) in forms:
                given = {p.id for p, r in forms[(n[:k],)] if r == "given"}
                if any(p.id in given for p, r in forms[(n[k:],)] if r == "surname"):
                    cut = k
                    break
        if not cut:
            for k in range(len(n) - 4, 2, -1):
                if any(r == "given" for _, r in forms.get((n[k:],), ())):
                    cut = k
                    break
                if any(r == "given" for _, r in forms.get((n[: len(n) - k],), ())):
                    cut = len(n) - k
                    break
        if not cut:
            out.append(t)
            continue
        mid = t.start + cut
        out.append(Tok(t.text[:cut], n[:cut], t.start, mid, True, True, t.sent_start))
        out.append(Tok(t.text[cut:], n[cut:], mid, t.end, True, True, False))
    return out


def _match_doc(vocab: Any, toks: list[Tok]) -> Any:
    from spacy.tokens import Doc

    return Doc(vocab, words=[t.norm for t in toks], spaces=[False] * len(toks))


@dataclass(frozen=True)
class RegisterMatch:
    """Tokens ``start:end`` (token indices) that spell a register name."""

    start: int
    end: int
    form: tuple[str, ...]
    entries: tuple[tuple[Any, str], ...]
    fuzzy: bool = False


def register_matches(toks: list[Tok], index: NameIndex) -> list[RegisterMatch]:
    """Every exact and one-letter-typo match of a register name in ``toks``."""
    if not toks or not index.forms:
        return []
    doc = _match_doc(index.vocab, toks)
    out: list[RegisterMatch] = []
    exact: set[int] = set()
    for _, s, e in index.matcher(doc):
        form = tuple(toks[i].norm for i in range(s, e))
        entries = index.forms.get(form)
        if entries:
            out.append(RegisterMatch(s, e, form, tuple(entries)))
            exact.update(range(s, e))
    lex = lexicon()
    candidates = [
        i
        for i, t in enumerate(toks)
        if t.word
        and i not in exact
        and len(t.norm) >= 4
        and t.norm not in lex.common
        and t.norm not in lex.given
    ]
    if candidates and index.fuzzy_names:
        mini = _match_doc(index.vocab, [toks[i] for i in candidates])
        for _, s, _e in index.fuzzy_matcher()(mini):
            i = candidates[s]
            word = toks[i].norm
            for name in index.fuzzy_names:
                if one_typo(word, name):
                    out.append(RegisterMatch(i, i + 1, (name,), tuple(index.forms[(name,)]), True))
    return out


_TRUST_INDEXES: dict[tuple[str, ...], Any] = {}


def trust_names(config: Any) -> tuple[str, ...]:
    names = [config.get("trust.name") or "", *config.get("trust.aliases"), *config.get("trust.schools")]
    names += [site.name for site in config.get("trust.sites")]
    return tuple(n for n in names if n)


def trust_spans(toks: list[Tok], config: Any, vocab: Any) -> list[tuple[int, int]]:
    """Token ranges that spell the Trust's, a school's or a site's name."""
    names = trust_names(config)
    if not names or not toks:
        return []
    key = (*names, str(id(vocab)))
    matcher = _TRUST_INDEXES.get(key)
    if matcher is None:
        from spacy.matcher import Matcher

        matcher = Matcher(vocab)
        patterns = []
        for name in names:
            form = name_tokens(name)
            if form:
                patterns.append([{"LOWER": t} for t in form])
                # "St Mary's" is written "St. Mary's" and "Saint Mary's" too
        matcher.add("TRUST", patterns)
        _TRUST_INDEXES[key] = matcher
    return [(s, e) for _, s, e in matcher(_match_doc(vocab, toks))]
