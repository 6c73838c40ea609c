"""Offensive, derogatory and adverse language: the layers, run once per text.

Each layer finds :class:`Hit` records that say which layer fired and why (the
words, the target, the classifier's score), so a member of staff can see what to
change and a reviewer can audit it. The rules of :mod:`postcheck.checks.text.
language` turn them into findings.

Layers of offensive language (``offensive-language``):

* ``masked``: profanity disguised by symbols, look-alikes, spacing or a removal
  marker (``f***``, ``sh!t``, ``f u c k``, ``(expletive)``, ``you ---``);
* ``word`` and ``slur``: better-profanity's list and postcheck's British and slur
  lists, except innocent phrases ("blue tit", "Devil's Dyke", "faggots and peas")
  and mild expletives ("bloody", "crap", "hell", "sod");
* ``dehumanising`` and ``insult``: dehumanising or contemptuous words said of the
  Trust community or of a group of people ("Year 9 are feral animals");
* ``group``: a derogatory generalisation about people sharing a characteristic the
  Equality Act 2010 protects ("Muslims are a threat"), not a lesson about one;
* ``classifier``: a sentence the trained classifier (:mod:`postcheck.text.
  classifier`) scores as offensive, when it is about someone, or scores very high.

Layers of adverse comment (``adverse-comment``), in sentences about the Trust
community: ``attack`` words said of an identifiable person (the blocking
``attack`` variant) or of a group; ``criticism`` words; and the offensive layers
above when they are aimed at the community.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from postcheck.text import vocab
from postcheck.text.analysis import Sentence, TextAnalysis
from postcheck.text.community import phrase_regex
from postcheck.text.phrases import Phrases
from postcheck.text.thresholds import CLASSIFIER_ALONE, CLASSIFIER_GATE_VALENCE

_VOCAB = "text/offence.toml"


@dataclass(frozen=True)
class Hit:
    """One layer's finding, on clean-text range ``start:end``."""

    start: int
    end: int
    layer: str
    words: str
    why: str
    target: str | None = None  # what the words are aimed at, in the draft's words
    individual: bool = False  # the target is an identifiable person
    score: float | None = None
    discriminatory: bool = False


@dataclass(frozen=True)
class Language:
    offensive: tuple[Hit, ...]
    adverse: tuple[Hit, ...]


# --- vocabularies -----------------------------------------------------------------


@cache
def _table() -> dict[str, object]:
    return vocab.table(_VOCAB)


@cache
def _rx(name: str) -> Phrases:
    return phrase_regex(tuple(_table()[name]))  # type: ignore[arg-type]


@cache
def mild() -> frozenset[str]:
    return frozenset(_table()["mild"])  # type: ignore[arg-type]


@cache
def _benign() -> dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]]:
    out = {}
    for entry in _table()["benign"]:  # type: ignore[attr-defined]
        before = entry.get("before", [])
        after = entry.get("after", [])
        b = (
            re.compile(r"(?:^|\W)(?:" + "|".join(re.escape(w) for w in before) + r")\s+$", re.I)
            if before
            else None
        )
        a = re.compile(r"^\s*(?:" + "|".join(re.escape(w) for w in after) + r")\b", re.I) if after else None
        out[entry["word"].lower()] = (b, a)
    return out


def _innocent(text: str, start: int, end: int, word: str) -> bool:
    """A listed word in an innocent context of ``offence.toml``'s ``benign`` entries."""
    rules = _benign().get(word.lower())
    if rules is None:
        return False
    before, after = rules
    if before is None and after is None:
        return True
    return bool(
        (before is not None and before.search(text[max(0, start - 30) : start]))
        or (after is not None and after.search(text[end : end + 30]))
    )


@cache
def word_lists() -> tuple[frozenset[str], frozenset[str], Phrases | None, Phrases | None]:
    """(single offensive words, slurs, multi-word regex, innocent-phrase regex)."""
    import importlib.util
    from pathlib import Path

    # better-profanity's maintained list, read without importing the package (its
    # import builds a censor of its own: 65 ms a process)
    spec = importlib.util.find_spec("better_profanity")
    assert spec is not None and spec.origin is not None, "better-profanity is a dependency"
    base = (Path(spec.origin).parent / "profanity_wordlist.txt").read_text(encoding="utf-8")
    words = {w.strip().lower() for w in base.splitlines() if w.strip()} - vocab.word_set(
        "text/profanity_allow.txt"
    )
    words |= vocab.word_set("text/profanity_extra.txt")
    slurs = set(vocab.word_set("text/slurs.txt"))
    for group in (words, slurs):  # plurals and possessives; "ass" never becomes "assess"
        group |= {w + suf for w in list(group) if " " not in w and not w.endswith("s") for suf in ("s", "'s")}
    everything = (words | slurs) - mild()
    single = frozenset(w for w in everything if " " not in w)
    multi = [w for w in everything if " " in w]
    return (
        single,
        frozenset(slurs),
        phrase_regex(tuple(multi)) if multi else None,
        phrase_regex(vocab.words("text/profanity_phrases_allow.txt")),
    )


# --- the layers --------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")


def _listed(a: TextAnalysis) -> list[Hit]:
    """Masked profanity and listed words and slurs (not mild, not innocent)."""
    from postcheck.text import masked

    text = a.text
    single, slurs, multi, allowed = word_lists()
    safe = [(m.start(), m.end()) for m in allowed.finditer(text)] if allowed else []

    def innocent(s: int, e: int, word: str) -> bool:
        return any(x <= s and e <= y for x, y in safe) or _innocent(text, s, e, word)

    hits: list[Hit] = []
    for m in masked.find_masked(text):
        if m.word in mild() or (m.word is not None and innocent(m.start, m.end, m.word)):
            continue
        hides = f"hides {m.word!r}" if m.word else "stands for a swear word"
        hits.append(Hit(m.start, m.end, "masked", m.text, f"{m.why}: {m.text!r} {hides}"))
    found = [(m.start(), m.end(), m.group().lower()) for m in multi.finditer(text)] if multi else []
    found += [
        (m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text) if m.group().lower() in single
    ]
    for s, e, word in found:
        word = word.replace("\u2019", "'")
        if innocent(s, e, word) or any(h.start < e and s < h.end for h in hits):
            continue
        slur = word in slurs or word.removesuffix("'s") in slurs
        why = "a slur or discriminatory term" if slur else "a listed offensive word"
        hits.append(Hit(s, e, "slur" if slur else "word", text[s:e], why, discriminatory=slur))
    return hits


_COMMUNITY = ("org", "role", "staff", "year", "generic")


# Community words that are people (not "the school", "the staffroom", "the Trust").
_PEOPLE = re.compile(
    r"pupil|student|kid|child|parent|mum|dad|famil|staff|teacher|colleague|governor|class|year|"
    r"\by\d|leader|slt|trainee|nqt|ect|head|principal|deputy|senco|manager|\bta\b|leavers|form|\bsets?\b|group",
    re.I,
)


def target_of(a: TextAnalysis, s: Sentence, people_only: bool = False) -> tuple[str | None, bool]:
    """What a sentence is about: (the words, whether an identifiable person). With
    ``people_only``, only people count (a class, parents, a named person), not the
    school or the Trust."""
    people = [
        m for m in a.people_in(s.start, s.end) if m.kind in ("pupil", "staff", "adult", "named", "unknown")
    ]
    if people:
        m = people[0]
        return a.evidence(*a.chars(m)), True
    roles = [(x, y) for x, y in a.unique_roles if s.start <= x < s.end]
    if roles:
        return a.text[roles[0][0] : roles[0][1]], True
    for m in a.community:
        if s.start <= m.start < s.end and m.kind in _COMMUNITY:
            words = a.text[m.start : m.end]
            if not people_only or m.kind == "year" or _PEOPLE.search(words):
                return words, False
    return None, False


def educational(text: str) -> bool:
    return bool(_rx("educational").search(text))


def _aimed(a: TextAnalysis) -> list[Hit]:
    """Dehumanising words and insults said of the community; generalisations about
    a protected group."""
    hits: list[Hit] = []
    previous: str | None = None
    for s in a.sentences:
        sent = a.text[s.start : s.end]
        target, individual = target_of(a, s, people_only=True)
        if target is None and previous is not None and re.search(r"\b(?:they|them|these)\b", sent, re.I):
            target = previous  # "they" continues the previous sentence's people
        previous = target
        group = _rx("groups").search(sent)
        if group is not None and not educational(sent):
            pred = _rx("predicates").search(sent)
            if pred is not None:
                why = f"a derogatory generalisation about {group.group()!r} ({pred.group()!r})"
                span = (s.start + pred.start(), s.start + pred.end())
                hits.append(Hit(*span, "group", pred.group(), why, group.group(), discriminatory=True))
                continue
        about = target or (group.group() if group else None)
        if about is None:
            continue
        for name, layer in (("dehumanising", "dehumanising"), ("insults", "insult")):
            m = next((m for m in _rx(name).finditer(sent) if _said_of_someone(sent, m.start())), None)
            if m is not None:
                kind = "dehumanising" if layer == "dehumanising" else "contemptuous"
                why = f"{kind} words ({m.group()!r}) about {about!r}"
                hits.append(
                    Hit(s.start + m.start(), s.start + m.end(), layer, m.group(), why, about, individual)
                )
                break
    return hits


_SELF = re.compile(r"\b(?:i|i'm|i am|me|myself|i've been|i was|i feel)\b", re.I)


def _said_of_someone(sent: str, at: int) -> bool:
    """A dehumanising word or an insult is said of someone: a link word ("are", "like",
    "a bunch of") within three words before it, not of the author, not negated."""
    before = " ".join(re.findall(r"[\w']+", sent[:at].lower())[-3:])
    if not before or _SELF.search(before) or negated(sent, at):
        return False
    return bool(_links().search(before + " "))


@cache
def _links() -> re.Pattern[str]:
    words = sorted(_table()["links"], key=len, reverse=True)  # type: ignore[arg-type]
    return re.compile(r"(?:^|\s)(?:" + "|".join(re.escape(w) for w in words) + r")\s", re.I)


_NEGATION = re.compile(
    r"(?:\bnot|\bnever|n't|\bno|\bhardly|\bfar from|\banything but|\bnobody|\bnone of)\b(?:\W+\w+){0,3}\W*$",
    re.I,
)


def negated(sent: str, at: int) -> bool:
    return bool(_NEGATION.search(sent[:at]))


def _without_mild(sent: str) -> str:
    return " ".join(w for w in sent.split() if w.strip(".,!?;:'\"()").lower() not in mild())


@cache
def _negative_words() -> frozenset[str]:
    """Words of negative valence (VADER's lexicon, MIT, read from the vaderSentiment
    package without importing it) and every word of the offence vocabularies."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("vaderSentiment")
    assert spec is not None and spec.origin is not None, "vaderSentiment is a dependency"
    text = (Path(spec.origin).parent / "vader_lexicon.txt").read_text(encoding="utf-8", errors="replace")
    words = set()
    for line in text.splitlines():
        parts = line.split("\t")
        try:
            if len(parts) > 1 and float(parts[1]) <= CLASSIFIER_GATE_VALENCE:
                words.add(parts[0])
        except ValueError:
            continue
    for name in ("dehumanising", "insults", "groups", "predicates", "criticism"):
        words |= {w for w in _table()[name] if " " not in w}  # type: ignore[attr-defined]
    return frozenset(words)


def _worth_scoring(text: str) -> bool:
    """Whether the classifier should score a sentence: it has a word of negative
    valence or of the offence vocabularies. A draft with none (most newsletters)
    never loads the classifier."""
    return sum(c.isalpha() for c in text) >= 3 and not _negative_words().isdisjoint(
        _WORD.findall(text.lower())
    )


def _classified(a: TextAnalysis, threshold: float, taken: list[Hit]) -> list[Hit]:
    """Sentences the classifier scores as offensive: about someone, or very high."""
    from postcheck.text import classifier

    sents = [s for s in a.sentences if not any(s.start <= h.start < s.end for h in taken)]
    texts = [_without_mild(a.text[s.start : s.end]) for s in sents]
    worth = [i for i, t in enumerate(texts) if _worth_scoring(t)]
    if not worth:
        return []
    scores = classifier.score([texts[i] for i in worth])
    hits = []
    for i, score in zip(worth, scores, strict=True):
        if score < threshold:
            continue
        s = sents[i]
        target, individual = target_of(a, s, people_only=True)
        if target is None and score < CLASSIFIER_ALONE:
            continue
        about = f" about {target!r}" if target else ""
        why = f"the offensive-language classifier scores this sentence {score:.2f}{about}"
        body = a.text[s.start : s.end].strip()
        lead = len(a.text[s.start : s.end]) - len(a.text[s.start : s.end].lstrip())
        hits.append(
            Hit(
                s.start + lead, s.start + lead + len(body), "classifier", body, why, target, individual, score
            )
        )
    return hits


_THEY = re.compile(r"\b(?:they|them|their|these people|those people|people|everyone)\b", re.I)
_HE_SHE = re.compile(r"\b(?:he|she|him|her|his)\b", re.I)


@cache
def adverse_rx(name: str) -> Phrases:
    """A phrase list of ``adverse.toml`` (attack words, ridicule, sarcasm)."""
    return phrase_regex(tuple(vocab.table("text/adverse.toml")[name]))


def _adverse(a: TextAnalysis, offensive: list[Hit]) -> list[Hit]:
    """Adverse comments: attacks, criticism, and offensive language aimed at the community
    (a discriminatory term anywhere in a post about the community counts)."""
    hits: list[Hit] = []
    about_community = any(m.kind in _COMMUNITY for m in a.community)
    previous: tuple[str | None, bool] = (None, False)
    for s in a.sentences:
        sent = a.text[s.start : s.end]
        target, individual = target_of(a, s)
        if target is None and previous[0] is not None:
            # "they" continues the previous sentence's subject, "she" its person
            if (_HE_SHE if previous[1] else _THEY).search(sent):
                target, individual = previous
        previous = (target, individual)
        hit = _adverse_in(
            a, s, sent, target, individual, [h for h in offensive if s.start <= h.start < s.end]
        )
        if hit is None and target is None and about_community:
            slur = next((h for h in offensive if s.start <= h.start < s.end and h.discriminatory), None)
            if slur is not None:
                why = f"a discriminatory remark ({slur.layer}: {slur.words!r}) in a post about the community"
                hit = Hit(slur.start, slur.end, "offensive", slur.words, why, slur.target, True)
        if hit is not None:
            hits.append(hit)
    return hits


def _adverse_in(
    a: TextAnalysis, s: Sentence, sent: str, target: str | None, individual: bool, aimed: list[Hit]
) -> Hit | None:
    """The adverse comment of one sentence about ``target``, if any."""
    if target is None:
        return None
    if aimed:
        h = aimed[0]
        why = f"offensive language ({h.layer}: {h.words!r}) in a sentence about {target!r}"
        return Hit(h.start, h.end, "offensive", h.words, why, target, individual or h.discriminatory)
    m = adverse_rx("attack").search(sent)
    if m is not None and not negated(sent, m.start()):
        why = f"a personal attack or defamatory word ({m.group()!r}) about {target!r}"
        return Hit(s.start + m.start(), s.start + m.end(), "attack", m.group(), why, target, individual)
    c = _rx("criticism").search(sent)
    if c is not None and not negated(sent, c.start()):
        why = f"criticism ({c.group()!r}) of {target!r}"
        return Hit(s.start + c.start(), s.start + c.end(), "criticism", c.group(), why, target, False)
    return None


def language(a: TextAnalysis, threshold: float) -> Language:
    """Every layer's hits for ``a`` (the caller memoises per analysis)."""
    offensive = _listed(a)
    offensive += [h for h in _aimed(a) if not any(x.start < h.end and h.start < x.end for x in offensive)]
    offensive += _classified(a, threshold, offensive)
    offensive.sort(key=lambda h: h.start)
    return Language(tuple(offensive), tuple(_adverse(a, offensive)))


def criticism(text: str) -> bool:
    """Whether ``text`` has a word of criticism (``offence.toml``), not negated."""
    m = _rx("criticism").search(text)
    return m is not None and not negated(text, m.start())
