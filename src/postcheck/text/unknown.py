"""Names the register does not know: adults, public figures, characters, and the
unknown people a person should check.

Candidates come from a trained spaCy pipeline's PERSON entities when one is
configured (``[nlp] model``), else from the list of common given names (a
capitalised given name, with a capitalised surname when one follows). Each
candidate is then placed, in this order:

* part of an organisation, a place, a group or a title ("Hazel Class", "Jubilee
  Leisure Centre", "Amazing Grace"): not a person;
* an **adult**: a title ("Mrs Harrowby", "Princess Daisy", "Mr Wolf") or a role
  ("our cook manager Louise", "author Michael Morpurgo", "Gareth, our caretaker");
* the creator of a work ("by David McKee") or the author of a quotation
  ("... - Groucho Marx"): a public figure;
* a character: the sentence is about a story, a costume, a toy or a game
  ("dressed as Mario"), or, for a first name alone, the post is about a book;
* a full name in a cultural context (a quotation, an author, history, sport:
  "Tom Daley", "Frederick Douglass"): a public figure;
* otherwise an **unknown person** when it is a full name, or a first name used
  where a pupil's goes ("well done Ava", "Ava in Year 3"): a pupil missing from
  the register, or someone who has not agreed to be named. A bare first name with
  no such cue (an adult mentioned in passing: "Louise would agree") is not
  reported.
"""

from __future__ import annotations

from collections.abc import Iterable

from postcheck.text.context import View, phrases
from postcheck.text.people import PersonMention, not_a_person, used_as_name

_DASHES = ("-", "\u2013", "\u2014")
_QUOTES = ("'", '"', "\u201c", "\u201d", "\u2018", "\u2019")


def _surname_end(view: View, i: int, blocked: set[int]) -> int:
    """End of a capitalised surname right after token ``i - 1`` (or ``i``)."""
    lex, toks = view.lex, view.toks
    t = view.tok(i)
    if t is None or not t.word or not t.cap or t.tag or t.sent_start or i in blocked:
        return i
    if lex.has("institutions", t.norm) or lex.kind(t.norm) == "calendar" or lex.has("not_names", t.norm):
        return i
    if view.title_case[i] and t.norm in lex.common:
        return i
    end = i + 1
    dash, more = view.tok(end), view.tok(end + 1)
    if dash is not None and dash.norm in ("-", "'") and more is not None and more.word and more.cap:
        if dash.start == toks[end - 1].end and more.start == dash.end:
            end += 2
    return end


def titled_adults(view: View, blocked: set[int], about_a_book: bool) -> list[PersonMention]:
    """ "Mrs Patel", "Mr. Brown", "Mr and Mrs Winslow", "Princess Daisy"; a title
    inside a proper noun ("Fantastic Mr Fox") is a title of a work, and a titled
    name in a story, or in a post about a book, is a character ("Mr Pitt the
    typically unlikeable headmaster"): neither is a person."""
    out: list[PersonMention] = []
    toks = view.toks
    i = 0
    while i < len(toks):
        t = toks[i]
        if not view.is_title(i) or i in blocked or (t.norm == "miss" and t.sent_start):
            i += 1
            continue
        j = i + 1
        if j < len(toks) and toks[j].norm == ".":
            j += 1
        if j + 1 < len(toks) and toks[j].norm in ("and", "&") and view.is_title(j + 1):
            j += 2  # "Mr and Mrs Winslow"
            if j < len(toks) and toks[j].norm == ".":
                j += 1
        nt = view.tok(j)
        if nt is None or not nt.word or not nt.cap or nt.tag or view.is_title(j) or j in blocked:
            i = j
            continue
        end = j + 1
        while (
            end < len(toks) and end - j < 3 and toks[end].word and toks[end].cap and not toks[end].sent_start
        ):
            if view.lex.has("institutions", toks[end].norm):
                break
            end += 1
        fiction = about_a_book or view.sentence_has(i, "fiction_cues", back=1)
        if not view.in_proper_noun(i) and not fiction:
            out.append(PersonMention("adult", "title", i, end, why="a title"))
        blocked.update(range(i, end))
        i = end
    return out


def _role_near(view: View, a: int, b: int) -> str | None:
    """A role right before the name ("author Michael Morpurgo", "our cook manager
    Louise") or after it as an apposition ("Gareth, our caretaker")."""
    before = view.words_before(a, 4)
    for k in range(len(before), 0, -1):
        if view.ends_with(before[:k], phrases(view.lex, "roles")) and len(before) - k <= 1:
            return " ".join(before[-2:])
    after = view.words_after(b, 5)
    if after[:1] in (["("], [","]):
        rest = [
            w for w in after[1:] if w not in ("our", "the", "my", "a", "an", "their", "your", "his", "her")
        ]
        hit = view.starts_with(rest, phrases(view.lex, "roles"))
        if hit:
            return " ".join(hit)
    return None


def _attributed(view: View, a: int) -> bool:
    """A name after a dash that follows a quotation or a title: the author
    ("'... to read.' - Groucho Marx", "The Giant's Necklace - Michael Morpurgo")."""
    toks = view.toks
    if a < 2 or toks[a - 1].norm not in _DASHES:
        return False
    if any(toks[k].norm in _QUOTES for k in range(max(0, a - 4), a - 1)):
        return True
    s, _ = view.sentence_of(a - 1)
    title = [t for t in toks[s : a - 1] if t.word]
    return len(title) >= 2 and all(
        t.cap or t.norm in ("a", "an", "the", "of", "and", "in", "on", "'s") for t in title
    )


def _article_before(view: View, a: int) -> bool:
    """ "such a 'Bobby Bee'", "a Romeo": a name after an article is a kind of person."""
    j = a - 1
    while j >= 0 and view.toks[j].norm in _QUOTES:
        j -= 1
    return j >= 0 and view.toks[j].norm in ("a", "an")


def place(view: View, a: int, b: int, book_post: bool) -> tuple[str, str] | None:
    """Where a candidate name at ``a:b`` belongs: ``(kind, why)`` with kind ``adult``,
    ``public``, ``character``, ``named`` (a first name in passing: a person, not
    reported) or ``unknown``; ``None`` when it is not a person."""
    if not_a_person(view, a, b) or _article_before(view, a):
        return None
    full = b - a >= 2
    role = _role_near(view, a, b)
    if role:
        return "adult", f"the role {role!r}"
    work = view.cue_before(a, "work_cues")
    if work:
        return "public", f"the creator of a work ({' '.join(work)})"
    if _attributed(view, a):
        return "public", "the author of a quotation"
    fiction = view.sentence_has(a, "fiction_cues", back=1)
    pupil = (
        view.cue_before(a, "pupil_cues")
        or view.cue_after(b, "pupil_after")
        or view.cue_after(b, "pupil_verbs")
    )
    if fiction and not pupil:
        return "character", f"a character ({' '.join(fiction)})"
    if full:
        cultural = view.sentence_has(a, "cultural_cues")
        if cultural and not pupil:
            return "public", f"a public figure ({' '.join(cultural)})"
        return "unknown", "a full name"
    if pupil:
        return "unknown", f"where a pupil's name goes ({' '.join(pupil)})"
    if book_post:
        return "character", "a character of the book the post is about"
    return "named", "a first name with no pupil cue"


def gazetteer_candidates(view: View, blocked: set[int]) -> Iterable[tuple[int, int]]:
    """Capitalised given names from the list, with a surname when one follows."""
    lex, toks = view.lex, view.toks
    strong = {
        i for i, t in enumerate(toks) if t.word and t.cap and t.norm in lex.given and lex.kind(t.norm) is None
    }
    i = 0
    while i < len(toks):
        t = toks[i]
        if not t.word or t.tag or i in blocked or t.norm not in lex.given or not t.cap or t.upper:
            i += 1
            continue
        kind = lex.kind(t.norm)
        if not used_as_name(view, i, i + 1, kind, strong) or lex.has("not_names", t.norm):
            i += 1
            continue
        if t.sent_start and view.title_case[i] and kind is None:
            i += 1  # a heading in Title Case
            continue
        end = _surname_end(view, i + 1, blocked)
        yield i, end
        i = end


def verb_candidates(view: View, blocked: set[int]) -> Iterable[tuple[int, int]]:
    """A capitalised word that is not an English word, followed by a verb of a person
    ("Łukasz was excluded", "Tiwa scored"): a name the given-name list lacks."""
    lex = view.lex
    for i, t in enumerate(view.toks):
        if not t.word or not t.cap or t.upper or t.tag or i in blocked or len(t.norm) < 3:
            continue
        if t.norm in lex.common or t.norm in lex.given or lex.has("not_names", t.norm):
            continue
        nxt = view.next_word(i + 1)
        if (
            nxt is not None
            and not nxt.cap
            and lex.has("name_verbs", nxt.norm)
            and not not_a_person(view, i, i + 1)
        ):
            yield i, i + 1


def role_candidates(view: View, blocked: set[int]) -> Iterable[tuple[int, int]]:
    """A capitalised word right after a role that is not an English word: a name the
    given-name list lacks ("our trainee teacher Tabitha", "author Piers Torday")."""
    lex, toks = view.lex, view.toks
    for i, t in enumerate(toks):
        if (
            not t.word
            or not t.cap
            or t.upper
            or t.tag
            or t.sent_start
            or i in blocked
            or t.norm in lex.common
        ):
            continue
        before = view.words_before(i, 3)
        if before and view.ends_with(before, phrases(lex, "roles")):
            yield i, _surname_end(view, i + 1, blocked)


def book_post(view: View) -> bool:
    """Whether the post is about a book, a film or a play: its opening (the first two
    sentences) cites a work "by" its author, or as "Title - Author"."""
    toks = view.toks
    starts = [i for i, t in enumerate(toks) if t.sent_start] + [len(toks)]
    opening = starts[2] if len(starts) > 2 else len(toks)
    for i in range(min(opening, len(toks))):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is None or not nxt.word or not nxt.cap:
            continue
        if t.norm == "by":
            before = view.words_before(i, 6)
            work = ("book", "novel", "story", "stories", "poem", "film", "play", "series", "review")
            if any(w in work for w in before) or (i >= 2 and toks[i - 1].cap):
                return True
        if t.norm in _DASHES and _attributed(view, i + 1):
            return True
    return False


def unknown_mentions(
    view: View, blocked: set[int], candidates: Iterable[tuple[int, int]]
) -> list[PersonMention]:
    """Place every candidate; adults and unknown people become mentions."""
    about_a_book = book_post(view)
    out: list[PersonMention] = []
    for a, b in candidates:
        if any(i in blocked for i in range(a, b)):
            continue
        placed = place(view, a, b, about_a_book)
        if placed is None:
            continue
        kind, why = placed
        if kind in ("adult", "named", "unknown"):
            out.append(PersonMention(kind, "full" if b - a >= 2 else "name", a, b, why=why))
        blocked.update(range(a, b))
    return out


def lone_initials(view: View, blocked: set[int]) -> list[PersonMention]:
    """A lone initial standing for a person ("R. still had his coat on"): a capital
    letter and a full stop, not part of a name ("J. K. Rowling") or a list."""
    out = []
    toks = view.toks
    for i, t in enumerate(toks):
        if i in blocked or len(t.text) != 2 or not t.text[0].isupper() or t.text[1] != ".":
            continue
        prev, nxt = view.tok(i - 1), view.tok(i + 1)
        if prev is not None and prev.word and prev.cap:
            continue
        if nxt is None or not nxt.word or nxt.cap or nxt.sent_start:
            continue
        out.append(PersonMention("initial", "letter", i, i + 1, why="an initial"))
    return out
