"""Rules about the Trust community on personal accounts, and the helpers other
text rules share to recognise it.

* ``school-community-mention``: a personal post that refers to the Trust
  community (its name, a school, "my class", "my pupils", colleagues...).
* ``missing-disclaimer``: a personal post that identifies the school or the
  author's role and gives an opinion, without a disclaimer.
* ``reference``: a reference, recommendation or endorsement of an individual.
* ``pupil-contact``: inviting or accepting contact with pupils or parents.

The shared helpers (:func:`community_mentions`, :func:`person_refs`,
:func:`sentences`, :func:`data_text`) are used by the adverse-comment,
confidential-information and personal-data rules too, so that every rule
agrees on what "the Trust community" and "an identifiable person" mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from postcheck.model import Finding
from postcheck.rules import Rule

SCHOOL_COMMUNITY_MENTION = Rule(
    "school-community-mention",
    "text",
    "A personal post that refers to the Trust community",
    what=(
        "on personal accounts, finds references to the Trust community: the Trust's or a school's name "
        'and configured aliases ([trust] name, aliases, schools), "my class", "my pupils", "my students",'
        ' "my school", "colleagues", "parents at my school", "the head", "SLT", governors and named '
        "members of staff from the register. Official posts are not checked."
    ),
    why=(
        "comments that reference the Trust community may not be published on personal accounts unless the"
        " Head Teacher has been notified first (Haybrook 3.2.4); pupils must not be discussed on personal"
        " sites and staff should be mindful that posts can identify where they work and with whom "
        "(Enquire 2.5, 3.5, 3.11)."
    ),
    example=(
        '"Exhausting week with my Year 6 class at Oakfield Primary Academy!" on a personal account is '
        'reported twice: "my Year 6 class" and "Oakfield Primary Academy".'
    ),
    personal="warn",
    official="off",
    by_hand="decide whether the post should mention the school community",
)

MISSING_DISCLAIMER = Rule(
    "missing-disclaimer",
    "text",
    "A personal opinion about the school without the disclaimer",
    what=(
        "on personal accounts, when a post identifies the school or the author's role (a Trust or school "
        'name, "my school", "my class", "as a teacher"...) and gives an opinion ("I think", "in my view",'
        ' "should", a strongly negative remark), it looks for one of the [disclaimer] phrases of the '
        "config. Phrases are matched tolerantly: case, punctuation and small wording changes do not "
        "matter. With no phrases configured, the policy's example wording is expected: \"These are my own "
        'personal views and not those of the academy". The finding quotes the phrase to add, and '
        "`postcheck fix` can add it."
    ),
    why=(
        "employees must not represent their own views as the academy's or the Trust's; a post that "
        "expresses an opinion should carry a disclaimer (Enquire 3.1)."
    ),
    example=(
        '"As a teacher at Oakfield I think the new phonics scheme is a mistake." is reported; adding '
        '"These are my own personal views and not those of the academy." clears it.'
    ),
    personal="warn",
    official="off",
    remedy="fix",
)

RULES = (SCHOOL_COMMUNITY_MENTION, MISSING_DISCLAIMER)


# The policy's own example disclaimer (Enquire 3.1), used when none is configured.
DEFAULT_DISCLAIMER = "These are my own personal views and not those of the academy"


# --- shared helpers ------------------------------------------------------------------


@cache
def data_text(name: str) -> str:
    """A data file shipped in ``postcheck/data/text``."""
    return (resources.files("postcheck") / "data" / "text" / name).read_text(encoding="utf-8")


@cache
def data_list(name: str) -> tuple[str, ...]:
    """A word list: one entry per line, ``#`` starts a comment."""
    out = []
    for line in data_text(name).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return tuple(out)


@cache
def data_toml(name: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(data_text(name))


def phrase_regex(phrases: Iterable[str], flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    """One regex for ``phrases`` with word boundaries; spaces match any run of
    spaces or hyphens; longer phrases are tried first."""
    parts = []
    for p in sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True):
        body = r"[\s\-]+".join(re.escape(w) for w in p.split())
        parts.append(body)
    if not parts:
        return None
    return re.compile(r"(?<![\w@#])(?:" + "|".join(parts) + r")(?![\w])", flags)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(doc: Any, ctx: Any) -> list[Sentence]:
    """The sentences of a draft (spaCy's sentencizer), with their offsets."""
    from postcheck.nlp import spacy_doc

    def make() -> list[Sentence]:
        sdoc = spacy_doc(doc, ctx)
        out = []
        for s in sdoc.sents:
            # a blank line also ends a sentence: drafts have headings and lists
            start = s.start_char
            for part in re.split(r"(\n\s*\n|\n(?=\s*[-•*]))", s.text):
                if part.strip() and not re.fullmatch(r"\s+", part):
                    out.append(Sentence(start, start + len(part), part))
                start += len(part)
        return out

    return ctx.memo("sentences", f"{doc.input}\0{doc.source}\0{hash(doc.text)}", make)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    kind: str  # org | role | generic | staff


# Suffix words stripped from a school's name to get the short name used in drafts
# ("Oakfield Primary Academy" -> "Oakfield").
_SCHOOL_WORDS = {
    "primary", "secondary", "academy", "school", "college", "trust", "infant", "infants", "junior",
    "juniors", "high", "ce", "c", "of", "e", "church", "england", "catholic", "rc", "the", "learning",
    "community", "free", "nursery", "and", "sixth", "form", "upper", "lower", "middle", "grammar",
    "multi", "academies", "mat", "federation", "st", "saint", "&",
}  # fmt: skip

_ROLE = [
    r"my (?:own )?(?:class(?:es)?|form(?: group)?|tutor group|pupils|students|kids at (?:school|work)"
    r"|year ?\d{1,2}s?(?: class| pupils| students)?|reception class|nursery class|school|academy"
    r"|colleagues|head ?teacher|head of (?:year|department|school)|principal|TA|SLT|line manager"
    r"|department|classroom|leavers"
    r"|team at (?:school|work))",
    r"our (?:school|academy|pupils|students|class|staff|head ?teacher|principal|governors|parents|trust"
    r"|SLT|year ?\d{1,2}s?|leavers|families)",
    r"(?:my|our|work) colleagues",
    r"colleagues",
    r"parents (?:at|of|from) (?:my|our|the) (?:school|academy|class)",
    r"(?<!on |in |at )(?<!hit )(?<!over )(?<!bumped )(?<!banged )the (?:head(?! of)|head ?teacher|principal"
    r"|deputy head|governors|governing body)",
    r"SLT|senior leadership(?: team)?|senior leaders",
    r"staff ?room",
]
# The author's own role: identifies them as school staff (for missing-disclaimer)
# without referring to anyone else in the Trust community.
_SELF_ROLE = re.compile(
    r"(?<![\w])(?:where I (?:work|teach)|(?:I'?m|I am|as) an? (?:teacher|head ?teacher|TA|teaching assistant"
    r"|SENCO|deputy head|head of \w+|school governor|school leader|trainee teacher|NQT|ECT|principal)"
    r"|I teach(?: at| in| year| reception|ing)?|I work (?:at|in) (?:a|the) (?:school|academy))(?![\w])",
    re.IGNORECASE,
)
_YEAR_GROUP = re.compile(r"(?<![\w])Year ?\d{1,2}s?(?![\w])")
_THE_TRUST = re.compile(r"(?<![\w])the Trust(?![\w])")
_HASHTAG = re.compile(r"#(\w+)")
_GENERIC = [
    r"pupils?",
    r"students?",
    r"parents?",
    r"mums and dads",
    r"teachers?",
    r"staff",
    r"governors?",
    r"management",
    r"leadership(?: team)?",
    r"(?:the|this|that) (?:school|academy|trust)",
    r"head ?teachers?|head ?teacher's",
    r"partner (?:schools?|organisations?)",
    r"(?:the )?(?:local authority|LA)",
    r"the children",
    r"the kids",
]


class _Terms:
    """Patterns for one config's Trust names and one register's staff names."""

    def __init__(self, name: str | None, aliases: tuple[str, ...], schools: tuple[str, ...]) -> None:
        multi: set[str] = set()
        single: set[str] = set()
        upper: set[str] = set()
        for n in (name, *aliases, *schools):
            if not n or not n.strip():
                continue
            n = n.strip()
            self._add(n, multi, single, upper)
            if n in schools or n == name:
                # the short name of a school or the Trust ("Oakfield")
                core = [w for w in n.split() if w.lower().strip(".") not in _SCHOOL_WORDS]
                if core and len(" ".join(core)) >= 4 and len(core) < len(n.split()):
                    self._add(" ".join(core), multi, single, upper)
        self.org_words = {w.lower() for n in (name or "", *aliases, *schools) for w in n.split()}
        # Multi-word names in any case; single words capitalised (an alias "Enquire"
        # must not match the verb "enquire"); acronyms exactly.
        self.org = [
            r for r in (phrase_regex(multi), phrase_regex(single, 0), phrase_regex(upper, 0)) if r is not None
        ]
        # in a draft written all in lower case, single-word names match in any case
        self.org_lower = phrase_regex(single | upper)
        self.role = re.compile(r"(?<![\w])(?:" + "|".join(_ROLE) + r")(?![\w])", re.IGNORECASE)
        self.generic = re.compile(r"(?<![\w])(?:" + "|".join(_GENERIC) + r")(?![\w])", re.IGNORECASE)

    @staticmethod
    def _add(n: str, multi: set[str], single: set[str], upper: set[str]) -> None:
        if " " in n:
            multi.add(n)
        elif n.isupper():
            upper.add(n)
        else:
            single.add(n[0].upper() + n[1:])
            single.add(n.upper())


@lru_cache(maxsize=16)
def _terms(name: str | None, aliases: tuple[str, ...], schools: tuple[str, ...]) -> _Terms:
    return _Terms(name, aliases, schools)


def trust_terms(ctx: Any) -> _Terms:
    c = ctx.config
    return _terms(c.get("trust.name"), tuple(c.get("trust.aliases")), tuple(c.get("trust.schools")))


_REGISTER_CACHE: dict[int, tuple[Any, dict[str, re.Pattern[str] | set[str] | None]]] = {}


_TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr")
_NAME_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def register_names(ctx: Any) -> dict[str, Any]:
    """For the register: ``staff``, the word sequences (lower case) that name a
    member of staff (full names, "Mr Surname"), and ``given``/``surnames`` sets
    (lower case) of everyone, for person detection. Built once per register."""
    reg = ctx.register
    hit = _REGISTER_CACHE.get(id(reg))
    if hit is not None and hit[0] is reg:
        return hit[1]
    staff: set[tuple[str, ...]] = set()
    for p in reg.staff:
        last = tuple(w.lower() for w in _NAME_TOKEN.findall(p.last_name))
        if not last:
            continue
        for g in p.given_names:
            staff.add(tuple(w.lower() for w in _NAME_TOKEN.findall(g)) + last)
        for t in _TITLES:
            staff.add((t, *last))
    given = {g.lower() for p in reg.people for g in p.given_names}
    surnames = {p.last_name.lower() for p in reg.people if p.last_name}
    out = {
        "staff": frozenset(staff),
        "staff_len": sorted({len(s) for s in staff}, reverse=True),
        "given": given,
        "surnames": surnames,
    }
    _REGISTER_CACHE.clear()
    _REGISTER_CACHE[id(reg)] = (reg, out)
    return out


def community_mentions(text: str, ctx: Any, generic: bool = False) -> list[Mention]:
    """References to the Trust community in ``text``: the Trust's and schools' names
    and aliases (``org``), the author's role and workplace (``role``), named staff
    (``staff``), and, with ``generic``, general words such as "pupils", "parents",
    "the school" (``generic``), which alone do not identify the Trust."""
    terms = trust_terms(ctx)
    out: list[Mention] = []
    org = list(terms.org)
    letters = [c for c in text if c.isalpha()]
    if terms.org_lower is not None and letters and sum(c.isupper() for c in letters) / len(letters) < 0.01:
        org.append(terms.org_lower)
    for rx in org:
        out += [Mention(m.start(), m.end(), m.group(), "org") for m in rx.finditer(text)]
    out += [Mention(m.start(), m.end(), m.group(), "role") for m in terms.role.finditer(text)]
    out += [Mention(m.start(), m.end(), m.group(), "org") for m in _THE_TRUST.finditer(text)]
    out += [Mention(m.start(), m.end(), m.group(), "role") for m in _YEAR_GROUP.finditer(text)]
    for m in _HASHTAG.finditer(text):
        words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|_", " ", m.group(1))
        if any(rx.search(words) for rx in terms.org):
            out.append(Mention(m.start(), m.end(), m.group(), "org"))
    out += _staff_mentions(text, ctx)
    if generic:
        out += [Mention(m.start(), m.end(), m.group(), "generic") for m in terms.generic.finditer(text)]
    return _dedupe(out)


def _staff_mentions(text: str, ctx: Any) -> list[Mention]:
    """Members of staff named in ``text`` ("Sarah Whitfield", "Mrs Whitfield")."""
    names = register_names(ctx)
    if not names["staff"]:
        return []
    words = list(_NAME_TOKEN.finditer(text))
    low = [w.group().lower() for w in words]
    out = []
    i = 0
    while i < len(words):
        for n in names["staff_len"]:
            if i + n <= len(words) and tuple(low[i : i + n]) in names["staff"]:
                a, b = words[i].start(), words[i + n - 1].end()
                out.append(Mention(a, b, text[a:b], "staff"))
                i += n - 1
                break
        i += 1
    return out


def _dedupe(items: list[Mention]) -> list[Mention]:
    items.sort(key=lambda m: (m.start, -(m.end - m.start)))
    out: list[Mention] = []
    for m in items:
        if out and m.start < out[-1].end:
            continue
        out.append(m)
    return out


_TITLE_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Sir|Dame)\.? [A-Z][a-z'’-]+")
_PRONOUN = re.compile(r"\b(?:he|she|him|her|his|hers|himself|herself)\b", re.IGNORECASE)
_PERSON_NOUN = re.compile(
    r"\b(?:pupils?|students?|child|boy|girl|lad|lass|son|daughter|colleague|member of staff|staff member"
    r"|teacher|TA|teaching assistant|head ?teacher|deputy|governor|parent|mum|dad|one of (?:my|our|the) \w+"
    r"|year ?\d{1,2}s?)\b",
    re.IGNORECASE,
)
# Capitalised words that are not names, for the conservative name heuristic.
_NOT_NAMES = {
    "i", "i'm", "i've", "i'd", "i'll", "today", "yesterday", "tomorrow", "tonight", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may",
    "june", "july", "august", "september", "october", "november", "december", "year", "reception",
    "nursery", "term", "week", "day", "month", "christmas", "easter", "halloween", "school", "academy",
    "trust", "college", "primary", "secondary", "team", "club", "sports", "uk", "england", "english",
    "maths", "science", "history", "geography", "art", "music", "pe", "re", "well", "great", "huge",
    "massive", "big", "thank", "thanks", "happy", "congratulations", "congrats", "please", "so", "very",
    "what", "why", "how", "when", "who", "yes", "no", "wow", "ofsted", "head", "headteacher", "principal",
    "mr", "mrs", "ms", "miss", "dr", "awareness", "mental", "health", "world", "national", "book",
    "children", "pupils", "students", "parents", "staff", "everyone", "lovely", "amazing", "just", "after",
    "before", "sad", "proud", "another", "some", "one", "two", "three", "first", "last", "next", "new",
    "good", "fantastic", "brilliant", "love", "had", "has", "have", "hello", "hi", "dear", "sorry", "note",
    "reminder", "update", "news", "safeguarding", "autism", "adhd", "send", "sen", "ehcp", "dyslexia",
    "epilepsy", "diabetes", "asthma", "covid", "god", "jesus", "lord", "ps", "sir", "madam", "gcse",
    "gcses", "sats", "a-level", "a-levels", "btec", "pta", "ks1", "ks2", "ks3", "ks4", "eyfs", "fs",
    "if", "our", "my", "his", "her", "their", "the", "a", "an", "this", "that", "these", "those",
    "feeling", "not", "still", "also", "only", "all", "every", "any", "most", "many", "few", "lots",
}  # fmt: skip
_NAME_START_NEXT = {
    "was", "is", "has", "had", "got", "gets", "needs", "will", "and", "'s", "’s", "took", "takes", "did",
    "does", "can't", "cannot", "can", "won't", "should", "must", "came", "went", "said", "told", "kept",
    "keeps", "refused", "turned", "turns", "turning", "celebrates", "hit", "punched", "kicked", "bit",
    "threw", "swore", "stole", "ran", "left",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*")


@dataclass(frozen=True)
class PersonRef:
    start: int
    end: int
    text: str
    kind: str  # name | title | pronoun | noun


def person_refs(text: str, ctx: Any, offset: int = 0, kinds: tuple[str, ...] = ()) -> list[PersonRef]:
    """References to people in one sentence: register names and other capitalised
    names (``name``, conservative: a capitalised word at a sentence start counts
    only when a verb such as "was" follows it), titled names (``title``),
    pronouns (``pronoun``) and nouns such as "a pupil" or "my colleague" (``noun``)."""
    out: list[PersonRef] = []
    names = register_names(ctx)
    terms = trust_terms(ctx)
    for m in _TITLE_NAME.finditer(text):
        out.append(PersonRef(offset + m.start(), offset + m.end(), m.group(), "title"))
    words = list(_WORD.finditer(text))
    for i, m in enumerate(words):
        w = m.group()
        lw = w.lower().rstrip("'’s") if w.endswith(("'s", "’s")) else w.lower()
        if lw in names["given"] or lw in names["surnames"]:
            if w[0].isupper() or (lw in names["given"] and not _common_word(lw)):
                out.append(PersonRef(offset + m.start(), offset + m.end(), w, "name"))
                continue
        if not w[0].isupper() or w.isupper() or lw in _NOT_NAMES or lw in terms.org_words:
            continue
        before = text[: m.start()].rstrip()
        at_start = not before or before[-1] in '.!?:;\n"“(-•*'
        if at_start:
            nxt = words[i + 1].group().lower() if i + 1 < len(words) else ""
            verb = len(nxt) > 3 and nxt.endswith("ed")
            if (
                nxt not in _NAME_START_NEXT
                and not verb
                and not (i + 1 < len(words) and words[i + 1].group()[0].isupper())
            ):
                continue
        out.append(PersonRef(offset + m.start(), offset + m.end(), w, "name"))
    for m in _PRONOUN.finditer(text):
        out.append(PersonRef(offset + m.start(), offset + m.end(), m.group(), "pronoun"))
    for m in _PERSON_NOUN.finditer(text):
        out.append(PersonRef(offset + m.start(), offset + m.end(), m.group(), "noun"))
    if kinds:
        out = [r for r in out if r.kind in kinds]
    return out


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _common_word(w: str) -> bool:
    return w in _common_words()


def _finding(rule: str, doc: Any, start: int, end: int, message: str, fixable: bool = False, **kw: Any):
    return Finding(
        rule, message, doc.input, span=(start, end), evidence=doc.text[start:end], fixable=fixable, **kw
    )


# --- school-community-mention --------------------------------------------------------


def school_community_mention(doc: Any, ctx: Any) -> Iterator[Finding]:
    """A personal post that refers to the Trust community (see ``DOCS``)."""
    if ctx.channel != "personal":
        return
    approver = getattr(ctx.policy, "approver", "Head Teacher")
    for m in _mentions_with_contacts(doc, ctx):
        yield _finding(
            "school-community-mention",
            doc,
            m.start,
            m.end,
            f"This personal post refers to the Trust community ({m.text!r}): notify the {approver} "
            "before posting, or remove the reference.",
        )


def _mentions_with_contacts(doc: Any, ctx: Any) -> list[Mention]:
    """Community mentions plus the Trust's own web, e-mail and phone contacts."""
    from postcheck.checks.text.personal import find_contacts

    out = community_mentions(doc.text, ctx)
    out += [
        Mention(h.start, h.end, doc.text[h.start : h.end], "org") for h in find_contacts(doc, ctx) if h.trust
    ]
    return _dedupe(out)


# --- missing-disclaimer --------------------------------------------------------------

# Explicit opinions and evaluations. Together with VADER (a sentence scoring -0.5
# or below: criticism), this is what "gives an opinion" means: a view, a judgement,
# evaluative praise or criticism. Notices ("children should bring a water bottle"),
# thanks and plain congratulations are not. VADER's positive scores are not used:
# they fire on names and nouns such as Grace, Hope, Faith, "peace" and "kindness".
_OPINION = re.compile(
    r"\b(?:(?:I|we) (?:really |honestly |personally |strongly |genuinely |do )?(?:think|believe|feel|reckon"
    r"|suspect|disagree|agree|doubt|can'?t believe|object|oppose|hate|wish)|honestly think|(?:I'?m|I am) "
    r"(?:not )?convinced|in my (?:humble |honest |personal )?(?:opinion|view|experience)|IMO|IMHO|personally"
    r"|my (?:view|opinion|take) is|I might be biased|biased|it'?s (?:time|ridiculous|wrong|a disgrace|a "
    r"scandal|madness)|ought to|needs? to (?:change|stop|go)|is (?:wrong|ridiculous|a mistake|unfair|madness"
    r"|a disgrace|a joke)|unfair|ridiculous|disgrace(?:ful)?|proud|star of"
    r"|what an? \w+|the (?:best|worst)|step forward|step backwards?|amazing|brilliant|fantastic|wonderful"
    r"|superb|incredible|excellent|fabulous|beautiful(?:ly)?|delighted|thrilled|shocking|disappointing"
    r"|appalling|useless|clueless|rubbish|a waste of|the most \w+|lucky to have|glowing|great with"
    r"|can'?t even)\b",
    re.IGNORECASE,
)


def _norm(s: str) -> str:
    s = s.lower().replace("’", "'")
    s = re.sub(r"[^\w\s']", " ", s)
    return " ".join(s.split())


def disclaimer_phrases(ctx: Any) -> tuple[str, ...]:
    return tuple(ctx.config.get("disclaimer.phrases")) or (DEFAULT_DISCLAIMER,)


# Widely used short disclaimers accepted when no phrase is configured.
_STANDARD = (
    "views are my own",
    "views my own",
    "opinions are my own",
    "opinions my own",
    "views expressed are my own",
    "my own personal views",
    "my views not those of my employer",
)


def has_disclaimer(text: str, ctx: Any) -> bool:
    """Whether ``text`` carries a disclaimer phrase, tolerating case, punctuation
    and small wording changes (rapidfuzz, partial alignment, score >= 85)."""
    from rapidfuzz import fuzz

    norm = _norm(text)
    configured = tuple(ctx.config.get("disclaimer.phrases"))
    phrases = [_norm(p) for p in (configured or (DEFAULT_DISCLAIMER, *_STANDARD))]
    for p in phrases:
        if not p:
            continue
        if p in norm:
            return True
        if len(norm) >= len(p) * 0.6:
            score = fuzz.partial_ratio(p, norm) if len(norm) > len(p) else fuzz.ratio(p, norm)
            if score >= 85:
                return True
            # wording changes shift lengths: compare word sets of the best window
            if fuzz.partial_token_set_ratio(p, norm) >= 100 and fuzz.partial_ratio(p, norm) >= 75:
                return True
    return False


def missing_disclaimer(doc: Any, ctx: Any) -> Iterator[Finding]:
    """A personal opinion about the school without the disclaimer (see ``DOCS``)."""
    if ctx.channel != "personal":
        return
    text = doc.text
    mentions = _mentions_with_contacts(doc, ctx)
    mentions += [Mention(m.start(), m.end(), m.group(), "self") for m in _SELF_ROLE.finditer(text)]
    if not mentions:
        return
    mentions.sort(key=lambda m: m.start)
    opinion = _opinion_sentence(doc, ctx)
    if opinion is None:
        return
    if has_disclaimer(text, ctx):
        return
    phrase = disclaimer_phrases(ctx)[0]
    yield Finding(
        "missing-disclaimer",
        f"This personal post identifies the school or your role ({mentions[0].text!r}) and gives an "
        f"opinion: add the disclaimer: '{phrase}'.",
        doc.input,
        span=(opinion.start, opinion.end),
        evidence=opinion.text.strip(),
        fixable=True,
    )


def _opinion_sentence(doc: Any, ctx: Any) -> Sentence | None:
    from postcheck.checks.text.language import sentiment

    for s in sentences(doc, ctx):
        if _OPINION.search(s.text) or sentiment(s.text) <= -0.5:
            return s
    return None
