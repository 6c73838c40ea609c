"""Pupils' and other people's names: ``pupil-full-name``, ``pupil-first-name`` and
``unknown-person``.

The person detector (:mod:`postcheck.text.people`, :mod:`postcheck.text.unknown`)
finds the names; these rules decide what the pupil's consent allows on the
channel (:func:`postcheck.register.name_permission`). Messages name pupils by
register id; the terminal-only ``detail`` gives the register name and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from postcheck.model import Finding
from postcheck.register import Person, consent, name_permission
from postcheck.rules import Rule, Variant
from postcheck.text.analysis import TextAnalysis
from postcheck.text.base import TextContext, finding
from postcheck.text.people import PersonMention

_NEVER = Variant("never-publish", "a pupil marked never_publish on the register", protected=True)

PUPIL_FULL_NAME = Rule(
    "pupil-full-name",
    "text",
    "A listed pupil's first or preferred name with their surname",
    what=(
        'finds a listed pupil\'s first or preferred name with their surname ("Amelia Smith", "Millie '
        'Smith", "#AmeliaSmith", "@amelia_smith", "Smith, Amelia", "amelia smith\'s", "Zoe Okafor" for Zoë'
        ' Okafor, "Amira Abu Bakr" for Abu-Bakr, a one-letter typo in a name of five or more letters), '
        "also when hidden by markup, invisible characters or look-alike letters. It fires unless the "
        "pupil's name consent allows the full name on this channel: never on a personal account; on an "
        "official account only with name_consent = yes, unexpired, and never for a pupil marked "
        'never_publish. "Mrs Amelia Smith" is an adult, not the pupil.'
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
    variants=(_NEVER,),
    remedy="fix",
)

PUPIL_FIRST_NAME = Rule(
    "pupil-first-name",
    "text",
    "A listed pupil's first or preferred name alone, used as a name",
    what=(
        'finds a listed pupil\'s first or preferred name used as a name ("Amelia", "Millie", "Amelia\'s", '
        '"#WellDoneAmelia", "Amelia S.", "Kit B", "Ronan.M"). Names that are also words (Grace, Hope, '
        "May, Will, Rose, Summer, Faith, Mark, ...) count only when used as a name: capitalised "
        'mid-sentence, with the surname, possessive, or in a name context ("well done Grace", "Grace '
        'scored"). Not "by the grace of", "we hope", "in May", "will you", nor a name that is part of a '
        'class, house or place ("Willow class", "St Oliver\'s"). A one-letter typo counts only where a '
        "name goes. It fires unless the consent allows the first name on this channel (name_consent = "
        "first or yes, on an official account). When several pupils share the name, all are listed and "
        "the most restrictive consent decides."
    ),
    why="even a first name, with a photo or a class, can identify a child.",
    example='"Great goal from Oliver today" on a personal account -> remove the name.',
    personal="block",
    official="warn",
    variants=(_NEVER,),
    remedy="fix",
)

UNKNOWN_PERSON = Rule(
    "unknown-person",
    "text",
    "A name that may be a pupil's but is not on the register",
    what=(
        "finds a person's full name that is neither a listed pupil nor a member of staff, and a first name"
        ' used where a pupil\'s name goes ("well done Ava", "Ava in Year 3"). Not reported: adults marked by'
        ' a title or a role ("Mrs Gadd", "our cook manager Louise", "author Michael Morpurgo"), the creator '
        'of a work ("by David McKee"), the author of a quotation, characters of a story, costume or toy '
        '("dressed as Mario", "Mr Wolf"), public figures in a cultural context ("a quotation by Frederick '
        'Douglass"), and names that are part of a place, organisation, class or house ("Hazel Class", '
        '"Perseverance Hill"). [nlp] model chooses how names are found: rules and a list of common given '
        "names (the default), or a trained spaCy pipeline's PERSON entities."
    ),
    why=(
        "the name may be a pupil missing from the register, or someone who has not agreed to be named. A "
        "person should check before posting."
    ),
    example=(
        '"Thanks to Olivia Brown for running the stall" -> check who Olivia Brown is and whether she '
        "agreed to be named."
    ),
    personal="warn",
    official="warn",
    by_hand="check that this person agreed to be named, or remove the name",
)

RULES = (PUPIL_FULL_NAME, PUPIL_FIRST_NAME, UNKNOWN_PERSON)

_RANK = {"none": 0, "first": 1, "full": 2}


def _ids(pupils: Iterable[Person], most: int = 3) -> str:
    """ "P001", "P001 or P007", "P001, P007, P012 or 4 other pupils"."""
    ids = list(dict.fromkeys(p.id for p in pupils))
    if len(ids) <= 1:
        return "".join(ids)
    if len(ids) > most + 1:
        return ", ".join(ids[:most]) + f" or {len(ids) - most} other pupils"
    return ", ".join(ids[:-1]) + " or " + ids[-1]


def _names(pupils: Iterable[Person]) -> str:
    names = list(dict.fromkeys(p.display_name for p in pupils))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _strictest(pupils: tuple[Person, ...], ctx: TextContext) -> tuple[Person, str, tuple[Person, ...]]:
    ranked = sorted(
        pupils,
        key=lambda p: (not p.never_publish, _RANK[name_permission(p, ctx.channel, ctx.today)], p.id),
    )
    return ranked[0], name_permission(ranked[0], ctx.channel, ctx.today), tuple(ranked)


def _detail(worst: Person, permission: str, ctx: TextContext, need: str) -> str:
    """Why the name may not appear: for the person at the keyboard only."""
    name = worst.display_name
    if worst.never_publish:
        return f"{name} must never be named or shown in any post (never_publish on the register)."
    if ctx.personal:
        return f"{name} is a pupil: pupils are never named on personal accounts."
    state = consent(worst, ctx.today)
    if state.reason.startswith("consent expired"):
        return f"{name}'s {state.reason}."
    if need == "full" and permission == "first":
        return f"{name}'s name consent allows the first name only: remove the surname or use initials."
    return f"{name} has no consent to be named."


def _qualifiers(m: PersonMention, evidence: str) -> str:
    notes = []
    if m.fuzzy:
        notes.append(f"{evidence!r} looks like a misspelling of the name")
    if m.also_staff:
        notes.append("a member of staff has this name too: if you mean them, this is fine")
    return (" (" + "; ".join(notes) + ")") if notes else ""


def _pupil_finding(
    rule: str, a: TextAnalysis, m: PersonMention, ctx: TextContext, need: str
) -> Finding | None:
    worst, permission, ordered = _strictest(m.pupils, ctx)
    never = any(p.never_publish for p in ordered)
    allowed = ("full",) if need == "full" else ("first", "full")
    if permission in allowed and not never:
        return None
    start, end = a.chars(m)
    evidence = a.evidence(start, end)
    where = "a personal account" if ctx.personal else "an official account"
    what = {"full": "in full", "first": "by first name", "initial": "by first name and initial"}[m.form]
    who = f"register id {_ids(ordered)}" if len(ordered) == 1 else f"it could be {_ids(ordered)}"
    if ctx.personal:
        advice = "Pupils are never named on personal accounts. Remove the name."
    else:
        advice = (
            "The register does not allow this name here: remove it, or shorten it as the register allows."
        )
    message = f"Names a pupil {what} ({evidence!r}, {who}) on {where}{_qualifiers(m, evidence)}. {advice}"
    detail = _detail(worst, permission, ctx, need)
    if len(ordered) > 1:
        detail = f'"{evidence}" could be {_names(ordered)}: the most restrictive consent applies. ' + detail
    return finding(
        rule, a, start, end, message,
        variant="never-publish" if never else None,
        fixable=True,
        person=worst.id,
        people=tuple(p.id for p in ordered),
        label=_names(ordered),
        detail=detail,
    )  # fmt: skip


def pupil_full_name(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """A listed pupil's first or preferred name with their surname."""
    for m in a.people:
        if m.kind == "pupil" and m.form == "full":
            f = _pupil_finding("pupil-full-name", a, m, ctx, "full")
            if f is not None:
                yield f


def pupil_first_name(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """A listed pupil's first or preferred name alone, used as a name."""
    for m in a.people:
        if m.kind == "pupil" and m.form in ("first", "initial"):
            f = _pupil_finding("pupil-first-name", a, m, ctx, "first")
            if f is not None:
                yield f


def unknown_person(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """A name that may be a pupil's but is not on the register."""
    ctx.method("unknown-person", a.method)
    for m in a.people:
        if m.kind != "unknown":
            continue
        start, end = a.chars(m)
        evidence = a.evidence(start, end)
        yield finding(
            "unknown-person",
            a,
            start,
            end,
            f"{evidence!r} looks like a person's name that is not on the register ({m.why}). If this is a "
            "pupil, add them to the register and check their consent; if it is an adult, make sure they "
            "agreed to be named. Otherwise remove the name.",
            fixable=True,
            label=evidence,
        )
