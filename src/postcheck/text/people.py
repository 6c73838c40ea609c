"""The one person detector: every mention of a person in a draft.

Register people first (:func:`register_mentions`): a pupil's or a member of
staff's name in any form (full, first name, first name and initial, a one-letter
typo, a run-together hashtag), decided "used as a name" by its context, so that
"Grace" the pupil is found and "by the grace of" is not. A title or a role marks
an adult ("Mrs Amelia Smith" is a parent or a member of staff, not the pupil).
Names that are part of an organisation, a place, a group or a title are not
people. Then :mod:`postcheck.text.unknown` finds the names the register does not
know. Every other rule that asks "is this about an identifiable person?" reads
the result (:class:`PersonMention`), so the rules agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from postcheck.text.context import View
from postcheck.text.index import Form, NameIndex
from postcheck.text.tokens import Tok


@dataclass(frozen=True)
class PersonMention:
    """A person named in the text, tokens ``start:end``.

    ``kind``: ``pupil`` (a register pupil; ``pupils`` are every pupil it may be),
    ``staff`` (a register adult), ``adult`` (titled or with a role), ``named`` (a
    first name mentioned in passing), ``unknown`` (a name nobody can place and
    that may be a pupil's) or ``initial`` (a lone initial such as "R.", which
    identifies a child to those who know them). ``form``: ``full``, ``first``,
    ``initial`` (first name and initial), ``title`` or ``name``. ``why`` says what
    decided it (a title, a role, a cue), for the reports.
    """

    kind: str
    form: str
    start: int
    end: int
    pupils: tuple[Any, ...] = ()
    fuzzy: bool = False
    also_staff: bool = False
    why: str = ""


@dataclass(frozen=True)
class Match:
    """Tokens ``start:end`` spell a register form."""

    start: int
    end: int
    form: Form
    entries: tuple[tuple[Any, str], ...]
    fuzzy: bool = False

    def people(self, role: str) -> dict[str, Any]:
        return {p.id: p for p, r in self.entries if r == role}


def split_run_together(toks: list[Tok], index: NameIndex) -> list[Tok]:
    """Split hashtag words written without capitals ("#ameliasmith",
    "#welldoneamelia") where a part is a register name: a given name followed by
    the same person's surname, or a given name of four letters or more at the
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
            given = {p.id for p, r in forms.get((n[:k],), ()) if r == "given"}
            if given and any(p.id in given for p, r in forms.get((n[k:],), ()) if r == "surname"):
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
        out.append(Tok(t.text[:cut], n[:cut], t.start, mid, True, True, t.sent_start, t.space_before))
        out.append(Tok(t.text[cut:], n[cut:], mid, t.end, True, True, False, False))
    return out


def register_matches(toks: list[Tok], index: NameIndex, view: View) -> list[Match]:
    """Every exact and one-letter-typo match of a register name."""
    out: list[Match] = []
    exact: set[int] = set()
    for i, t in enumerate(toks):
        if not t.word:
            continue
        hit = index.match_at(toks, i)
        if hit is not None:
            end, form = hit
            out.append(Match(i, end, form, index.forms[form]))
            exact.update(range(i, end))
    lex = view.lex
    for i, t in enumerate(toks):
        if not t.word or i in exact or len(t.norm) < 4 or t.norm in lex.common or t.norm in lex.given:
            continue
        for name in index.fuzzy.lookup(t.norm):
            out.append(Match(i, i + 1, (name,), index.forms[(name,)], True))
    return out


@dataclass
class _State:
    view: View
    trust: frozenset[int]
    mentions: list[PersonMention] = field(default_factory=list)
    claimed: set[int] = field(default_factory=set)

    def free(self, s: int, e: int) -> bool:
        return not any(i in self.claimed or i in self.trust for i in range(s, e))

    def add(self, kind: str, form: str, s: int, e: int, pupils: list[Any] = (), **kw: Any) -> None:  # type: ignore[assignment]
        self.mentions.append(PersonMention(kind, form, s, e, tuple(pupils), **kw))
        self.claimed.update(range(s, e))


def _split(found: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    return [p for p in found.values() if not p.is_staff], [p for p in found.values() if p.is_staff]


def _name_context(view: View, start: int, end: int, strong: set[int]) -> bool:
    """Whether tokens ``start:end`` sit where a person's name goes."""
    toks = view.toks
    if view.cue_before(start, "pupil_cues"):
        return True
    if view.possessive(end) and toks[start].cap:
        return True
    nxt = view.next_word(end)
    if nxt is not None and view.lex.has("name_verbs", nxt.norm):
        return True
    if view.cue_after(end, "pupil_after"):
        return True
    p = start - 1
    if p >= 1 and toks[p].norm in ("and", "&", ",") and (p - 1) in strong:
        return True
    return end + 1 < len(toks) and toks[end].norm in ("and", "&", ",") and (end + 1) in strong


def _after_place_word(view: View, start: int) -> bool:
    """ "in Paris", "visited Sheffield and Paris"."""
    j = start - 1
    while j >= 0 and start - j <= 8:
        t = view.toks[j]
        if t.word and view.lex.has("place_prev", t.norm):
            return True
        if not (t.norm in ("and", "or", ",", "&") or (t.word and t.cap)):
            return False
        j -= 1
    return False


def not_a_person(view: View, start: int, end: int) -> bool:
    """Part of an organisation, place, group or title ("Grace Academy", "St Oliver's",
    "Willow class", "Amazing Grace")."""
    return view.institution_after(end) or view.place_prefix_before(start) or view.in_proper_noun(start)


def used_as_name(view: View, start: int, end: int, kind: str | None, strong: set[int]) -> bool:
    """Whether a register name at ``start:end`` (also a word of ``kind``) is used as a name."""
    toks = view.toks
    first, prev, nxt = toks[start], view.word_before(start), view.next_word(end)
    if not_a_person(view, start, end):
        return False
    if kind is None:
        return True
    if kind == "calendar" and any(
        t is not None and (t.number or t.norm in ("st", "nd", "rd", "th")) for t in (prev, nxt)
    ):
        return False  # "3 May", "May 3rd"
    modal_verb = kind == "modal" and nxt is not None and view.lex.has("modal_next", nxt.norm)
    if _name_context(view, start, end, strong):
        return not modal_verb
    if kind == "calendar" or modal_verb or (kind == "place" and _after_place_word(view, start)):
        return False
    if first.tag or first.sent_start or view.title_case[start] or not first.cap or first.upper:
        return False
    return prev is None or not view.lex.has("determiners", prev.norm)


def _full_names(state: _State, matches: list[Match], surname_at: dict[int, list[Match]]) -> None:
    """Given name and surname of the same person ("Amelia Smith", "Smith, Amelia")."""
    view, toks = state.view, state.view.toks
    fulls: list[tuple[int, int, dict[str, Any], bool, Match]] = []
    for g in (m for m in matches if m.people("given")):
        g_people = g.people("given")
        candidates = [(g.start, s.end, s) for s in surname_at.get(g.end, [])]
        comma = g.start - 1
        if comma >= 1 and toks[comma].norm == ",":
            candidates += [(s.start, g.end, s) for ms in surname_at.values() for s in ms if s.end == comma]
        for a, b, s in candidates:
            both = {pid: p for pid, p in s.people("surname").items() if pid in g_people}
            if both and not (g.fuzzy and s.fuzzy):
                fulls.append((a, b, both, g.fuzzy or s.fuzzy, g))
    for a, b, found, fuzzy, g in sorted(fulls, key=lambda f: (-(f[1] - f[0]), f[0])):
        if not state.free(a, b):
            continue
        lex = view.lex
        if len(g.form) == 1 and lex.kind(g.form[0]) and not any(toks[i].cap for i in range(a, b)):
            if all(toks[i].norm in lex.common for i in range(a, b) if toks[i].word):
                continue  # "the rose hill garden"
        pupils, staff = _split(found)
        if view.after_title(a):
            state.add("staff" if staff else "adult", "title", a, b, why="a title")
        elif pupils:
            state.add("pupil", "full", a, b, pupils, fuzzy=fuzzy, also_staff=bool(staff))
        else:
            state.add("staff", "full", a, b)


def _initial_end(view: View, g: Match) -> tuple[int, str] | None:
    """ "Amelia S.", "Kit B", "Otis. B", "Ronan.M", "Lyra PK": (end, initials)."""
    toks = view.toks
    j = g.end
    if j < len(toks) and toks[j].norm == "." and toks[j].start == toks[j - 1].end:
        j += 1  # "Otis. B", "Ronan.M"
    t = view.tok(j)
    if t is None or not t.word or not t.text.rstrip(".").isupper() or len(t.text.rstrip(".")) > 2:
        return None
    if t.text in ("I", "A"):
        return None  # "Will I make it?", "Grace A-level": a word, not an initial
    after = view.tok(j + 1)
    if after is not None and after.word and after.cap and not after.sent_start and after.start == t.end + 1:
        return None  # "Amelia Smith" is not an initial; "Kit B went" is
    end = j + 2 if after is not None and after.norm == "." and after.start == t.end else j + 1
    return end, t.text.rstrip(".").lower()


def _first_names(state: _State, matches: list[Match]) -> None:
    view, toks, lex = state.view, state.view.toks, state.view.lex
    strong = {i for m in state.mentions for i in range(m.start, m.end)}
    strong |= {
        i for i, t in enumerate(toks) if t.word and t.cap and t.norm in lex.given and lex.kind(t.norm) is None
    }
    pending: list[tuple[Match, list[Any], list[Any]]] = []
    for g in sorted((m for m in matches if m.people("given")), key=lambda m: (-(m.end - m.start), m.start)):
        if not state.free(g.start, g.end):
            continue
        pupils, staff = _split(g.people("given"))
        if view.after_title(g.start):
            state.claimed.update(range(g.start, g.end))
            continue
        kind = lex.kind(g.form[0]) if len(g.form) == 1 else None
        init = _initial_end(view, g)
        if init is not None and pupils and (kind is None or toks[g.start].cap) and not g.fuzzy:
            end, initials = init
            with_initial = [p for p in pupils if p.last_name[:1].lower() == initials[:1]]
            state.add("pupil", "initial", g.start, end, with_initial or pupils, also_staff=bool(staff))
            continue
        pending.append((g, pupils, staff))
    for _ in range(2):  # "Amelia and Grace": the first name vouches for the second
        later = []
        for g, pupils, staff in pending:
            if not state.free(g.start, g.end):
                continue
            kind = lex.kind(g.form[0]) if len(g.form) == 1 else None
            ok = used_as_name(view, g.start, g.end, kind, strong)
            if ok and g.fuzzy:  # a typo needs a name context: "Kester sails" is a character
                nxt = view.next_word(g.end)
                other_surname = (
                    nxt is not None and nxt.cap and not nxt.sent_start and nxt.norm not in lex.common
                )
                ok = _name_context(view, g.start, g.end, strong) and not other_surname
            if not ok:
                later.append((g, pupils, staff))
                continue
            if pupils:
                state.add("pupil", "first", g.start, g.end, pupils, fuzzy=g.fuzzy, also_staff=bool(staff))
            else:
                state.add("staff", "first", g.start, g.end)
            strong.update(range(g.start, g.end))
        pending = later


def register_mentions(
    toks: list[Tok], index: NameIndex, view: View, trust: frozenset[int]
) -> tuple[list[PersonMention], set[int]]:
    """Register people named in ``toks``; returns the mentions and the claimed tokens."""
    state = _State(view, trust)
    matches = register_matches(toks, index, view)
    surname_at: dict[int, list[Match]] = {}
    for m in matches:
        if m.people("surname"):
            surname_at.setdefault(m.start, []).append(m)
    _full_names(state, matches, surname_at)
    for ms in surname_at.values():  # "Mrs Whitfield": a member of staff
        for s in ms:
            if state.free(s.start, s.end) and view.after_title(s.start):
                staff = [p for p, r in s.entries if r == "surname" and p.is_staff]
                if staff:
                    state.add("staff", "title", s.start, s.end, why="a title")
    _first_names(state, matches)
    return state.mentions, state.claimed
