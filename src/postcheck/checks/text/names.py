"""Pupils' and other people's names in text: ``pupil-full-name``,
``pupil-first-name`` and ``unknown-person``.

The register's names are found by :mod:`postcheck.nlp` (spaCy Matcher
patterns built once per register, on folded tokens: any case, accents,
possessives, hashtags, handles, one-letter typos). This module decides which
matches are *used as names* (Grace the pupil, not "by the grace of"), whether a
mention is a full name, a first name or a first name with an initial, and what
the pupil's consent allows on the channel (:func:`postcheck.register.name_permission`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from postcheck.model import Finding
from postcheck.register import Person, consent, name_permission
from postcheck.rules import Rule, Variant

PUPIL_FULL_NAME = Rule(
    "pupil-full-name",
    "text",
    "A listed pupil's first or preferred name with their surname",
    what=(
        'finds a listed pupil\'s first or preferred name followed by their surname ("Amelia Smith", '
        '"Millie Smith", "#AmeliaSmith", "@amelia_smith", "Smith, Amelia", "amelia smith\'s", "Zoe Okafor"'
        " for Zoë Okafor, a one-letter typo in a name of five or more letters). It fires unless the "
        "pupil's name consent allows the full name on this channel: never on a personal account; on an "
        "official account only with name_consent = yes, unexpired, and never for a pupil marked "
        "never_publish."
    ),
    why=(
        "a child's full name on social media lets a stranger find them. The policies allow it only on the"
        " school's own accounts, with consent."
    ),
    example=(
        '"Well done Amelia Smith!" on a personal account -> remove the name. On an official account with '
        "first-name consent -> remove the surname or use initials."
    ),
    personal="block",
    official="block",
    variants=(Variant("never-publish", "a pupil marked never_publish on the register", protected=True),),
    remedy="fix",
)

PUPIL_FIRST_NAME = Rule(
    "pupil-first-name",
    "text",
    "A listed pupil's first or preferred name alone, used as a name",
    what=(
        'finds a listed pupil\'s first or preferred name used as a name ("Amelia", "Millie", "Amelia\'s", '
        '"#WellDoneAmelia", "Amelia S."). Names that are also words (Grace, Hope, May, Will, Rose, '
        "Summer, Faith, Mark, ...) count only when used as a name: capitalised mid-sentence, with the "
        'surname, possessive, or in a name context ("well done Grace", "Grace scored"). Not "by the grace'
        ' of", "we hope", "in May", "will you". It fires unless the consent allows the first name on this'
        " channel (name_consent = first or yes, on an official account). When several pupils share the "
        "name, all are named and the most restrictive consent decides."
    ),
    why="even a first name, with a photo or a class, can identify a child.",
    example='"Great goal from Oliver today" on a personal account -> remove the name.',
    personal="block",
    official="warn",
    variants=(Variant("never-publish", "a pupil marked never_publish on the register", protected=True),),
    remedy="fix",
)

UNKNOWN_PERSON = Rule(
    "unknown-person",
    "text",
    "A person's name that is neither a listed pupil nor staff",
    what=(
        "finds a person's name that is neither a listed pupil nor a member of staff: a full name, a "
        'capitalised given name used as a name, or a title with a surname ("Mrs Patel"). With a trained '
        "spaCy pipeline installed ([nlp] model), its PERSON entities are used; otherwise a list of common"
        " UK and US given names. The Trust's and schools' names, places, months and days are not people."
    ),
    why=(
        "the name may be a pupil missing from the register, or an adult who has not agreed to be named. A"
        " person should check before posting."
    ),
    example=(
        '"Thanks to Olivia Brown for running the stall" -> check who Olivia Brown is and whether she '
        "agreed to be named."
    ),
    personal="warn",
    official="warn",
    by_hand="check that this person agreed to be named, or remove the name",
)
RULES = (
    PUPIL_FULL_NAME,
    PUPIL_FIRST_NAME,
    UNKNOWN_PERSON,
)


TITLES = {
    "mr",
    "mrs",
    "miss",
    "ms",
    "mx",
    "dr",
    "sir",
    "dame",
    "prof",
    "professor",
    "rev",
    "coach",
    "lady",
    "lord",
}
# Words before a name that say "a person follows" ("well done Grace").
CUES: tuple[tuple[str, ...], ...] = (
    ("well", "done"),
    ("well", "done", "to"),
    ("congratulations",),
    ("congratulations", "to"),
    ("congrats",),
    ("congrats", "to"),
    ("thank", "you"),
    ("thank", "you", "to"),
    ("thanks",),
    ("thanks", "to"),
    ("shout", "out", "to"),
    ("shoutout", "to"),
    ("shout", "out"),
    ("bravo",),
    ("dear",),
    ("hi",),
    ("hello",),
    ("hey",),
    ("well", "played"),
    ("star", "of", "the", "week"),
    ("pupil", "of", "the", "week"),
    ("goes", "to"),
    ("awarded", "to"),
    ("proud", "of"),
    ("love", "from"),
    ("happy", "birthday"),
    ("happy", "birthday", "to"),
    ("our", "very", "own"),
)
# Words after a name that place a pupil ("May in my class", "Noah in Year 2").
AFTER_CUES = {
    ("in", "year"),
    ("in", "y"),
    ("in", "my"),
    ("in", "our"),
    ("in", "class"),
    ("in", "reception"),
    ("from", "year"),
    ("from", "class"),
    ("from", "reception"),
}
# Words after a name that say it is a person ("Grace scored").
NAME_VERBS = {
    "scored",
    "won",
    "wins",
    "came",
    "finished",
    "achieved",
    "received",
    "earned",
    "showed",
    "helped",
    "joined",
    "led",
    "ran",
    "swam",
    "sang",
    "played",
    "performed",
    "wrote",
    "drew",
    "painted",
    "built",
    "impressed",
    "represented",
    "competed",
    "completed",
    "worked",
    "tried",
    "managed",
    "designed",
    "created",
    "presented",
    "danced",
    "jumped",
    "kicked",
    "caught",
    "climbed",
    "raised",
    "collected",
    "celebrated",
    "smashed",
    "starred",
    "shone",
    "said",
    "says",
    "told",
    "asked",
    "thanked",
    "read",
    "recited",
    "baked",
    "cooked",
    "brought",
    "gave",
    "made",
    "did",
    "took",
    "reached",
    "passed",
    "beat",
    "saved",
    "tackled",
    "hit",
    "batted",
    "bowled",
    "learned",
    "learnt",
    "answered",
    "explained",
    "organised",
    "organized",
}
# A modal or verb after which "Will"/"May"/"Mark" is not a name ("Will you", "Mark the date").
MODAL_NEXT = {
    "you",
    "we",
    "i",
    "they",
    "he",
    "she",
    "it",
    "be",
    "have",
    "not",
    "all",
    "also",
    "need",
    "the",
    "this",
    "that",
    "your",
    "our",
    "a",
    "an",
    "these",
    "those",
    "there",
    "everyone",
    "parents",
    "pupils",
    "children",
    "my",
    "his",
    "her",
    "their",
    "in",
    "on",
    "up",
    "off",
    "down",
}
PLACE_PREV = {
    "in",
    "to",
    "at",
    "from",
    "near",
    "visit",
    "visited",
    "visiting",
    "via",
    "towards",
    "around",
    "across",
    "through",
    "of",
    "into",
    "outside",
}
DETERMINERS = {
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "our",
    "my",
    "your",
    "his",
    "her",
    "their",
    "its",
    "of",
    "some",
    "any",
    "no",
    "such",
    "what",
    "every",
    "each",
    "next",
    "last",
    "in",
    "on",
    "during",
    "since",
    "until",
    "till",
    "early",
    "late",
    "mid",
    "before",
    "after",
    "throughout",
    "through",
}
INSTITUTIONS = {
    "academy",
    "school",
    "college",
    "primary",
    "secondary",
    "infant",
    "infants",
    "junior",
    "juniors",
    "nursery",
    "trust",
    "street",
    "st",
    "road",
    "rd",
    "lane",
    "avenue",
    "ave",
    "park",
    "hall",
    "church",
    "chapel",
    "centre",
    "center",
    "stadium",
    "library",
    "house",
    "hospital",
    "university",
    "bridge",
    "way",
    "close",
    "drive",
    "court",
    "gardens",
    "square",
    "theatre",
    "museum",
    "cathedral",
    "station",
    "airport",
    "leisure",
    "pool",
    "field",
    "fields",
    "ward",
    "building",
    "block",
    "wing",
    "terrace",
    "crescent",
    "place",
    "estate",
    "hotel",
    "cafe",
    "gallery",
    "shop",
    "market",
    "club",
    "festival",
    "arena",
    "cinema",
    "zoo",
    "farm",
    "castle",
    "abbey",
    "valley",
    "forest",
    "woods",
    "beach",
    "island",
    "reservoir",
    "country",
    "village",
    "city",
    "town",
    "fair",
}
PLACE_PREFIX = {
    "st",
    "saint",
    "mount",
    "mt",
    "lake",
    "port",
    "fort",
    "cape",
    "king",
    "queen",
    "hms",
    "upper",
    "lower",
    "north",
    "south",
    "east",
    "west",
    "new",
    "great",
    "little",
}


@dataclass(frozen=True)
class Mention:
    """A register name used as a name. ``kind``: full | first | staff."""

    kind: str
    start: int  # token index
    end: int
    span: tuple[int, int]  # character offsets
    evidence: str
    pupils: tuple[Person, ...] = ()
    fuzzy: bool = False
    initial: bool = False
    also_staff: bool = False


@dataclass(frozen=True)
class Analysis:
    toks: list[Any]
    mentions: tuple[Mention, ...]
    claimed: frozenset[int]  # token indices of register people's names (pupils and staff)
    trust: frozenset[int]  # token indices inside the Trust's or a school's name
    title_case: tuple[bool, ...]  # per token: its sentence is Title Case or ALL CAPS


# --- the analysis, shared by the three rules -------------------------------------------


def analyse(doc: Any, ctx: Any) -> Analysis:
    """The name analysis of a draft (once per text, via ``ctx.memo``)."""
    return ctx.memo("names", f"{doc.input}\0{doc.source}\0{hash(doc.text)}", lambda: _analyse(doc.text, ctx))


def _title_case(toks: list[Any], lex: Any) -> tuple[bool, ...]:
    """Per token: whether its sentence is a Title Case heading or in ALL CAPS,
    judged on its ordinary words (names are capitalised anyway)."""
    flags: list[bool] = []
    sentence: list[int] = []

    def close() -> None:
        words = [toks[i] for i in sentence if toks[i].word and not toks[i].tag]
        body = [t for t in words[1:] if len(t.norm) >= 3 and t.norm in lex.common and t.norm not in lex.given]
        caps = sum(1 for t in body if t.cap)
        upper = sum(1 for t in words if t.upper)
        title = (len(body) >= 2 and caps >= 0.7 * len(body)) or (
            len(words) >= 2 and upper >= 0.8 * len(words)
        )
        flags.extend([title] * len(sentence))
        sentence.clear()

    for i, t in enumerate(toks):
        if t.sent_start and sentence:
            close()
        sentence.append(i)
    if sentence:
        close()
    return tuple(flags)


class _View:
    """Neighbouring words of a token, skipping punctuation where it helps."""

    def __init__(self, toks: list[Any], lex: Any) -> None:
        self.toks = toks
        self.lex = lex

    def prev_words(self, i: int, n: int) -> list[str]:
        out: list[str] = []
        j = i - 1
        while j >= 0 and len(out) < n:
            t = self.toks[j]
            if t.word or t.norm.isdigit():
                out.append(t.norm)
            elif t.norm in ".!?":
                break
            j -= 1
        return out[::-1]

    def prev_word(self, i: int) -> Any | None:
        j = i - 1
        if j >= 0 and self.toks[j].word:
            return self.toks[j]
        return None

    def next_tok(self, i: int) -> Any | None:
        return self.toks[i] if i < len(self.toks) else None

    def next_word(self, i: int) -> Any | None:
        """The word right after token ``i - 1`` (commas break adjacency)."""
        t = self.next_tok(i)
        return t if t is not None and (t.word or t.norm.isdigit()) else None

    def possessive(self, end: int) -> bool:
        a, b = self.next_tok(end), self.next_tok(end + 1)
        if a is None or a.norm != "'" or a.start != self.toks[end - 1].end:
            return False
        return b is None or not b.word or b.norm == "s"


def _cue_before(view: _View, i: int) -> bool:
    before = view.prev_words(i, 4)
    return any(len(before) >= len(c) and tuple(before[-len(c) :]) == c for c in CUES)


def _is_number(t: Any | None) -> bool:
    return t is not None and (t.norm.isdigit() or t.norm in {"st", "nd", "rd", "th"})


def _name_context(view: _View, start: int, end: int, strong: set[int]) -> bool:
    """Whether tokens ``start:end`` sit where a person's name goes."""
    toks = view.toks
    if _cue_before(view, start):
        return True
    if view.possessive(end) and toks[start].cap:
        return True
    nxt = view.next_word(end)
    if nxt is not None and nxt.norm in NAME_VERBS:
        return True
    after = tuple(t.norm for t in toks[end : end + 2])
    if after in AFTER_CUES or (after[:1] == ("(",) and after[1:] in {("year",), ("y",), ("class",)}):
        return True  # "May in my class", "Noah in Year 2", "Will (Year 6)"
    # lists of names: "Amelia and Grace", "Grace, Amelia and Oliver"
    p = start - 1
    if p >= 1 and toks[p].norm in {"and", "&", ","} and (p - 1) in strong:
        return True
    if end + 1 < len(toks) and toks[end].norm in {"and", "&", ","} and (end + 1) in strong:
        return True
    return False


def _used_as_name(
    view: _View, start: int, end: int, kind: str | None, title_case: tuple[bool, ...], strong: set[int]
) -> bool:
    """Whether a name at tokens ``start:end`` (also a word of ``kind``) is used as a name."""
    toks = view.toks
    first = toks[start]
    prev = view.prev_word(start)
    nxt = view.next_word(end)
    if nxt is not None and nxt.norm in INSTITUTIONS and nxt.cap:
        return False  # "Grace Academy", "Oliver Street"
    if prev is not None and prev.norm in PLACE_PREFIX and prev.cap:
        return False  # "St Oliver's", "Mount Pleasant"
    if kind is None:
        return True
    if kind == "calendar" and (_is_number(view.prev_word(start)) or _is_number(view.next_word(end))):
        return False  # "3 May", "May 3rd", "June 2025"
    if _in_proper_noun(view, start, title_case):
        return False  # "Amazing Grace", "Leeds Art Gallery"
    if _name_context(view, start, end, strong):
        if kind == "modal" and nxt is not None and nxt.norm in MODAL_NEXT:
            return False
        return True
    if kind == "calendar":
        return False
    if kind == "modal" and nxt is not None and nxt.norm in MODAL_NEXT:
        return False
    if kind == "place" and _after_place_word(view, start):
        return False
    if first.tag or first.sent_start or title_case[start] or not first.cap or first.upper:
        return False
    if prev is not None and prev.norm in DETERMINERS:
        return False
    return True


def _in_proper_noun(view: _View, start: int, title_case: tuple[bool, ...]) -> bool:
    """Whether a capitalised ordinary word comes right before, mid-sentence:
    the name is then part of a title or a proper noun ("Amazing Grace",
    "Fantastic Mr Fox"), not a person's first name."""
    prev = view.prev_word(start)
    if prev is None or not prev.cap or prev.sent_start or prev.tag or title_case[start]:
        return False
    lex = view.lex
    return prev.norm in lex.common and prev.norm not in lex.given and prev.norm not in TITLES


def _after_place_word(view: _View, start: int) -> bool:
    """ "in Paris", "visited Sheffield and Paris", "to Hull, Leeds or York"."""
    j = start - 1
    while j >= 0 and start - j <= 8:
        t = view.toks[j]
        if t.word and t.norm in PLACE_PREV:
            return True
        if not (t.norm in {"and", "or", ",", "&"} or (t.word and t.cap)):
            return False
        j -= 1
    return False


def _after_title(view: _View, start: int) -> bool:
    j = start - 1
    if j >= 0 and view.toks[j].norm == ".":
        j -= 1
    return j >= 0 and view.toks[j].word and view.toks[j].norm in TITLES and view.toks[j].cap


def _analyse(text: str, ctx: Any) -> Analysis:
    from postcheck import nlp

    pipeline = nlp.base_pipeline(ctx.config.get("nlp.model"))
    lex = nlp.lexicon()
    index = nlp.name_index(ctx.register, pipeline.vocab)
    toks = nlp.split_run_together(nlp.tokenize(text), index)
    matches = nlp.register_matches(toks, index)
    trust: set[int] = set()
    for s, e in nlp.trust_spans(toks, ctx.config, pipeline.vocab):
        trust.update(range(s, e))
    title_case = _title_case(toks, lex)
    view = _View(toks, lex)

    def span(s: int, e: int) -> tuple[int, int]:
        return toks[s].start, toks[e - 1].end

    given = [m for m in matches if any(r == "given" for _, r in m.entries)]
    surname_at: dict[int, list[Any]] = {}
    for m in matches:
        if any(r == "surname" for _, r in m.entries):
            surname_at.setdefault(m.start, []).append(m)

    def people(m: Any, role: str) -> dict[str, Person]:
        return {p.id: p for p, r in m.entries if r == role}

    claimed: set[int] = set()
    mentions: list[Mention] = []

    def free(s: int, e: int) -> bool:
        return not any(i in claimed or i in trust for i in range(s, e))

    def add(kind: str, s: int, e: int, pupils: list[Person], **kw: Any) -> None:
        a, b = span(s, e)
        mentions.append(Mention(kind, s, e, (a, b), text[a:b], tuple(pupils), **kw))
        claimed.update(range(s, e))

    def split(found: dict[str, Person]) -> tuple[list[Person], list[Person]]:
        pupils = [p for p in found.values() if not p.is_staff]
        staff = [p for p in found.values() if p.is_staff]
        return pupils, staff

    # 1. full names: given + surname of the same person, or "Surname, Given"
    fulls: list[tuple[int, int, dict[str, Person], bool, Any]] = []
    for g in given:
        g_people = people(g, "given")
        for s in surname_at.get(g.end, []):
            both = {pid: p for pid, p in people(s, "surname").items() if pid in g_people}
            if both and not (g.fuzzy and s.fuzzy):
                fulls.append((g.start, s.end, both, g.fuzzy or s.fuzzy, g))
        comma = g.start - 1
        if comma >= 1 and toks[comma].norm == ",":
            for s_list in surname_at.values():
                for s in s_list:
                    if s.end == comma:
                        both = {pid: p for pid, p in people(s, "surname").items() if pid in g_people}
                        if both and not (g.fuzzy and s.fuzzy):
                            fulls.append((s.start, g.end, both, g.fuzzy or s.fuzzy, g))
    fulls.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    for s, e, found, fuzzy, g in fulls:
        if not free(s, e):
            continue
        kind = lex.kind(g.form[0]) if len(g.form) == 1 else None
        if kind is not None and not any(toks[i].cap for i in range(s, e)):
            if not _name_context(view, s, e, set()) and all(t in lex.common for t in g.form):
                surname_words = [toks[i].norm for i in range(g.end, e) if toks[i].word]
                if all(w in lex.common for w in surname_words):
                    continue  # "the rose hill garden"
        pupils, staff = split(found)
        if _after_title(view, s):
            if staff:
                add("staff", s, e, [])
            continue  # "Mrs Amelia Smith" is an adult: unknown-person decides
        if pupils:
            add("full", s, e, pupils, fuzzy=fuzzy, also_staff=bool(staff))
        else:
            add("staff", s, e, [])

    # 2. a title with a staff surname ("Mrs Whitfield") is staff
    for s_list in surname_at.values():
        for s in s_list:
            if free(s.start, s.end) and _after_title(view, s.start):
                if any(p.is_staff for p, r in s.entries if r == "surname"):
                    claimed.update(range(s.start, s.end))

    # 3. first names, with or without an initial; word-names only when used as names
    strong: set[int] = set()
    for m in mentions:
        strong.update(range(m.start, m.end))
    for t_index, t in enumerate(toks):
        if t.word and t.cap and t.norm in lex.given and lex.kind(t.norm) is None:
            strong.add(t_index)
    pending: list[Any] = []
    for g in sorted(given, key=lambda m: (-(m.end - m.start), m.start)):
        if not free(g.start, g.end):
            continue
        found = people(g, "given")
        pupils, staff = split(found)
        if _after_title(view, g.start):
            if staff:
                claimed.update(range(g.start, g.end))
            continue
        # "Amelia S." - a first name with an initial
        init = view.next_tok(g.end)
        if (
            init is not None
            and init.word
            and len(init.norm) == 1
            and init.cap
            and init.start == toks[g.end - 1].end + 1
        ):
            after = view.next_tok(g.end + 1)
            if after is None or after.norm == "." or not after.word:
                with_initial = [p for p in pupils if p.last_name[:1].lower() == init.norm]
                e = g.end + 2 if after is not None and after.norm == "." else g.end + 1
                kind = lex.kind(g.form[0]) if len(g.form) == 1 else None
                if pupils and (kind is None or toks[g.start].cap):
                    add(
                        "first",
                        g.start,
                        e,
                        with_initial or pupils,
                        fuzzy=g.fuzzy,
                        initial=True,
                        also_staff=bool(staff),
                    )
                    continue
        pending.append((g, pupils, staff))
    # two passes so that "Amelia and Grace" lets the first name vouch for the second
    for _ in range(2):
        later = []
        for g, pupils, staff in pending:
            if not free(g.start, g.end):
                continue
            kind = lex.kind(g.form[0]) if len(g.form) == 1 else None
            if not _used_as_name(view, g.start, g.end, kind, title_case, strong):
                later.append((g, pupils, staff))
                continue
            if pupils:
                add("first", g.start, g.end, pupils, fuzzy=g.fuzzy, also_staff=bool(staff))
            else:
                add("staff", g.start, g.end, [])
            strong.update(range(g.start, g.end))
        pending = later
    mentions.sort(key=lambda m: m.start)
    return Analysis(toks, tuple(mentions), frozenset(claimed), frozenset(trust), title_case)


# --- consent and messages ---------------------------------------------------------------

_RANK = {"none": 0, "first": 1, "full": 2}


def _names(pupils: Iterable[Person], most: int = 3) -> str:
    """ "A", "A or B", "A, B or C", "A, B, C or 4 other pupils"."""
    names = list(dict.fromkeys(p.display_name for p in pupils))
    if len(names) <= 1:
        return "".join(names)
    if len(names) > most + 1:
        return ", ".join(names[:most]) + f" or {len(names) - most} other pupils"
    return ", ".join(names[:-1]) + " or " + names[-1]


def _strictest(pupils: tuple[Person, ...], ctx: Any) -> tuple[Person, str]:
    ranked = sorted(
        pupils,
        key=lambda p: (not p.never_publish, _RANK[name_permission(p, ctx.channel, ctx.today)], p.id),
    )
    worst = ranked[0]
    return worst, name_permission(worst, ctx.channel, ctx.today)


def _why(worst: Person, permission: str, ctx: Any, need: str) -> str:
    """Why the name may not appear, and what to do."""
    name = worst.display_name
    if worst.never_publish:
        return (
            f"{name} must never be named or shown in any post (never_publish on the register). "
            "Remove the name."
        )
    if ctx.channel == "personal":
        return "Pupils must never be named on a personal account. Remove the name."
    state = consent(worst, ctx.today)
    if state.reason.startswith("consent expired"):
        return f"{name}'s {state.reason}. Remove the name."
    if need == "full" and permission == "first":
        return f"{name}'s name consent allows the first name only. Remove the surname or use initials."
    return f"{name} has no consent to be named. Remove the name."


def _finding(rule: str, m: Mention, doc: Any, message: str) -> Finding:
    worst = m.pupils[0]
    return Finding(
        rule,
        message,
        doc.input,
        variant="never-publish" if any(p.never_publish for p in m.pupils) else None,
        span=m.span,
        evidence=m.evidence,
        fixable=True,
        source=doc.source,
        person=worst.id,
        label=_names(m.pupils),
    )


def _qualifiers(m: Mention) -> str:
    notes = []
    if m.fuzzy:
        notes.append(f'"{m.evidence}" looks like a misspelling of the name')
    if m.also_staff:
        notes.append("a member of staff has this name too: if you mean them, this is fine")
    return (" (" + "; ".join(notes) + ")") if notes else ""


def pupil_full_name(doc: Any, ctx: Any) -> Iterator[Finding]:
    """A listed pupil's first or preferred name with their surname (see DOCS)."""
    for m in analyse(doc, ctx).mentions:
        if m.kind != "full":
            continue
        worst, permission = _strictest(m.pupils, ctx)
        if permission == "full" and not any(p.never_publish for p in m.pupils):
            continue
        ordered = (worst, *(p for p in m.pupils if p is not worst))
        m = Mention(m.kind, m.start, m.end, m.span, m.evidence, ordered, m.fuzzy, m.initial, m.also_staff)
        where = "a personal account" if ctx.channel == "personal" else "an official account"
        message = f"Names a pupil in full ({_names(ordered)}) on {where}{_qualifiers(m)}. " + _why(
            worst, permission, ctx, "full"
        )
        yield _finding("pupil-full-name", m, doc, message)


def pupil_first_name(doc: Any, ctx: Any) -> Iterator[Finding]:
    """A listed pupil's first or preferred name alone, used as a name (see DOCS)."""
    for m in analyse(doc, ctx).mentions:
        if m.kind != "first":
            continue
        worst, permission = _strictest(m.pupils, ctx)
        if permission in ("first", "full") and not any(p.never_publish for p in m.pupils):
            continue
        ordered = (worst, *(p for p in m.pupils if p is not worst))
        m = Mention(m.kind, m.start, m.end, m.span, m.evidence, ordered, m.fuzzy, m.initial, m.also_staff)
        where = "a personal account" if ctx.channel == "personal" else "an official account"
        if len(ordered) > 1:
            who = f'"{m.evidence}" could be {_names(ordered)}: the most restrictive consent applies'
        else:
            who = f"{worst.display_name}"
        what = "by first name and initial" if m.initial else "by first name"
        message = f"Names a pupil {what} ({who}) on {where}{_qualifiers(m)}. " + _why(
            worst, permission, ctx, "first"
        )
        yield _finding("pupil-first-name", m, doc, message)


# --- unknown people ----------------------------------------------------------------------


def _unknown_message(evidence: str) -> str:
    return (
        f'"{evidence}" looks like a person\'s name that is neither a listed pupil nor a member of staff. '
        "If this is a pupil, add them to the register and check their consent; if it is an adult, make "
        "sure they agreed to be named. Otherwise remove the name."
    )


def _gazetteer_people(a: Analysis, lex: Any) -> Iterator[tuple[int, int]]:
    """Token ranges of people's names found with the given-name list and titles."""
    toks = a.toks
    view = _View(toks, lex)
    used: set[int] = set()
    strong = {
        i for i, t in enumerate(toks) if t.word and t.cap and t.norm in lex.given and lex.kind(t.norm) is None
    }
    strong |= set(a.claimed)

    def blocked(i: int) -> bool:
        return i in a.claimed or i in a.trust or i in used

    def surname_after(i: int) -> int:
        """End of a capitalised surname right after token ``i - 1`` (or ``i``)."""
        t = view.next_tok(i)
        if t is None or not t.word or not t.cap or t.tag or t.sent_start or blocked(i):
            return i
        if (
            t.norm in INSTITUTIONS
            or lex.kind(t.norm) == "calendar"
            or (a.title_case[i] and t.norm in lex.common)
        ):
            return i
        end = i + 1
        dash, more = view.next_tok(end), view.next_tok(end + 1)
        if dash is not None and dash.norm in "-'" and more is not None and more.word and more.cap:
            if dash.end == more.start and dash.start == toks[end - 1].end:
                end += 2
        return end

    for i, t in enumerate(toks):
        if not t.word or t.tag or blocked(i):
            continue
        # "Mrs Patel", "Mr. Brown"
        if t.norm in TITLES and t.cap and not (t.norm == "miss" and t.sent_start):
            j = i + 1
            if j < len(toks) and toks[j].norm == ".":
                j += 1
            if _in_proper_noun(view, i, a.title_case):
                used.update(range(i, j + 1))  # "Fantastic Mr Fox": a book, not a person
                continue
            nt = view.next_tok(j)
            if (
                nt is not None
                and nt.word
                and nt.cap
                and not nt.tag
                and not blocked(j)
                and nt.norm not in TITLES
            ):
                if nt.norm in INSTITUTIONS or lex.kind(nt.norm) == "calendar":
                    continue
                end = surname_after(j + 1) if nt.norm in lex.given else j + 1
                used.update(range(i, end))
                yield i, end
            continue
        if t.norm not in lex.given or not t.cap or t.upper:
            continue
        kind = lex.kind(t.norm)
        if not _used_as_name(view, i, i + 1, kind, a.title_case, strong):
            continue
        if kind is None and t.sent_start and a.title_case[i] and not _name_context(view, i, i + 1, strong):
            continue  # a heading in Title Case
        end = surname_after(i + 1)
        used.update(range(i, end))
        yield i, end


def _entity_people(doc: Any, ctx: Any, a: Analysis, lex: Any) -> Iterator[tuple[int, int]]:
    """Character ranges of PERSON entities of the trained pipeline."""
    from postcheck import nlp

    sdoc = nlp.spacy_doc(doc, ctx)
    taken = [(a.toks[i].start, a.toks[i].end) for i in sorted(a.claimed | a.trust)]
    view = _View(a.toks, lex)
    strong = set(a.claimed)
    for ent in sdoc.ents:
        if ent.label_ != "PERSON":
            continue
        start, end = ent.start_char, ent.end_char
        text = doc.text[start:end]
        if text.endswith(("'s", "’s")):
            end -= 2
            text = text[:-2]
        if not any(ch.isupper() for ch in text):
            continue
        if any(s < end and start < e for s, e in taken):
            continue
        words = [i for i, t in enumerate(a.toks) if t.word and start <= t.start < end]
        if len(words) == 1:
            i = words[0]
            kind = lex.kind(a.toks[i].norm)
            if kind is not None and not _used_as_name(view, i, i + 1, kind, a.title_case, strong):
                continue  # "Hope you enjoyed it"
        yield start, end


def unknown_person(doc: Any, ctx: Any) -> Iterator[Finding]:
    """A person's name that is neither a listed pupil nor staff (see DOCS)."""
    from postcheck import nlp

    a = analyse(doc, ctx)
    lex = nlp.lexicon()
    setting = ctx.config.get("nlp.model")
    pipeline = nlp.base_pipeline(setting)
    if nlp.has_person_entities(pipeline):
        name = pipeline.meta.get("name", "pipeline")
        lang = pipeline.meta.get("lang", "xx")
        ctx.method("unknown-person", f"PERSON entities of the trained spaCy pipeline {lang}_{name}")
        ranges = list(_entity_people(doc, ctx, a, lex))
    else:
        ctx.method(
            "unknown-person",
            f"list of {len(lex.given):,} common given names (no trained spaCy pipeline installed; "
            "see [nlp] model)",
        )
        ranges = [(a.toks[s].start, a.toks[e - 1].end) for s, e in _gazetteer_people(a, lex)]
    for start, end in ranges:
        evidence = doc.text[start:end]
        yield Finding(
            "unknown-person",
            _unknown_message(evidence),
            doc.input,
            span=(start, end),
            evidence=evidence,
            fixable=True,
            source=doc.source,
            label=evidence,
        )
