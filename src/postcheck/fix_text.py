"""Drafts for ``postcheck fix``: each pupil's name cut down to what their name
consent allows on the channel, personal data replaced, the Trust's contact details
removed and the disclaimer appended (see :mod:`postcheck.fix`)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from postcheck.model import Finding
from postcheck.register import Person, Register, name_permission

NAME_RULES = ("pupil-full-name", "pupil-first-name")
REMOVED = "[removed]"


# --- names ---------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` (Zoë → zoe)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_POSSESSIVE = re.compile(r"(['\u2019]s?)$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*", re.UNICODE)


def _initial(word: str) -> str:
    for ch in word:
        if ch.isalpha():
            return ch.upper()
    return ""


def _in_tag(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is part of a #hashtag or @handle (or glued to a word)."""
    i = start
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):
        i -= 1
    if i > 0 and text[i - 1] in "#@":
        return True
    if start < len(text) and text[start] in "#@":
        return True
    return i < start or (end < len(text) and (text[end].isalnum()))


def shorten_name(
    matched: str,
    person: Person | None,
    permission: str,
    names: str = "initials",
    full: bool = True,
    tag: bool = False,
) -> str:
    """What ``matched`` (a pupil's name as written) becomes under ``permission``.

    ``full``: the match includes the surname (a ``pupil-full-name`` finding).
    ``tag``: the match is inside a hashtag or handle, so no dots or spaces.
    """
    prefix = ""
    core = matched
    if core[:1] in "#@":
        prefix, core = core[:1], core[1:]
    possessive = ""
    m = _POSSESSIVE.search(core)
    if m and len(core) > len(m.group(1)):
        possessive, core = m.group(1), core[: m.start()]
    words = _WORD.findall(core)
    if permission == "full":
        return matched
    if tag and person is not None and len(words) == 1:
        short = _shorten_in_tag(core, person, permission, names, full)
        return prefix + short + possessive if short else ""
    if permission == "first":
        given = None
        if person is not None:
            wanted = {fold(n) for n in person.given_names}
            given = next((w for w in words if fold(w) in wanted), None)
            if given is None:
                given = person.first_name
        elif words:
            given = words[0]
        return f"{prefix}{given or ''}{possessive}" if given else ""
    if names == "remove":
        return ""
    if person is not None:
        first = next((w for w in words if fold(w) in {fold(n) for n in person.given_names}), None)
        letters = [_initial(first or person.first_name)]
        if full and person.last_name:
            letters.append(_initial(person.last_name))
    else:
        letters = [_initial(w) for w in (words if full else words[:1])]
    letters = [x for x in letters if x]
    if not letters:
        return ""
    if tag:
        return prefix + "".join(letters)
    return prefix + " ".join(f"{x}." for x in letters) + possessive


def _shorten_in_tag(word: str, person: Person, permission: str, names: str, full: bool) -> str:
    """A name glued into a hashtag or handle (``WellDoneAmeliaSmith``): only the
    name parts change, so the rest of the tag survives."""
    folded = fold(word)
    if len(folded) != len(word):
        folded = word.casefold()
    parts: list[tuple[int, int, str]] = []
    for name in person.given_names:
        i = folded.find(fold(name))
        if i >= 0:
            keep = word[i : i + len(name)] if permission == "first" else ""
            parts.append((i, i + len(name), keep or ("" if names == "remove" else _initial(name))))
            break
    if full and person.last_name:
        i = folded.find(fold(person.last_name))
        if i >= 0:
            short = "" if names == "remove" or permission == "first" else _initial(person.last_name)
            parts.append((i, i + len(person.last_name), short))
    if not parts:
        return "" if names == "remove" else _initial(word)
    out = word
    for s, e, new in sorted(parts, reverse=True):
        out = out[:s] + new + out[e:]
    return out


# --- drafts --------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """One change to a draft: ``span`` of the original text becomes ``new``."""

    span: tuple[int, int]
    old: str
    new: str
    rule: str
    person: str | None = None


@dataclass(frozen=True)
class DraftFix:
    text: str
    edits: tuple[Edit, ...]
    manual: tuple[Finding, ...]
    disclaimer_added: bool = False


_PRIORITY = {"personal-data": 3, "trust-contact": 2, "pupil-full-name": 1, "pupil-first-name": 0}


def _register_person(register: Register, pid: str | None) -> Person | None:
    return register.by_id(pid) if pid else None


def fix_draft_text(
    text: str,
    findings: Sequence[Finding],
    *,
    register: Register,
    channel: str,
    today: dt.date | None = None,
    names: str = "initials",
    disclaimer: str | None = None,
) -> DraftFix:
    """Apply every mechanical fix among ``findings`` (all on this draft) to ``text``.

    Edits are taken from the findings' spans and applied right to left, so each
    span still points at the original characters; overlapping spans are merged
    into the stronger edit (personal data over contact details over names).
    """
    edits: list[Edit] = []
    manual: list[Finding] = []
    wants_disclaimer = False
    for f in findings:
        if f.rule == "missing-disclaimer":
            if disclaimer:
                wants_disclaimer = True
            else:
                manual.append(f)
            continue
        mechanical = f.rule in NAME_RULES or f.rule in ("personal-data", "trust-contact")
        span = f.span
        if not (mechanical and f.fixable and span and 0 <= span[0] < span[1] <= len(text)):
            manual.append(f)
            continue
        old = text[span[0] : span[1]]
        if f.rule in NAME_RULES:
            person = _register_person(register, f.person)
            permission = name_permission(person, channel, today) if person and not person.is_staff else "none"
            if person is not None and person.is_staff:
                manual.append(f)
                continue
            new = shorten_name(
                old,
                person,
                permission,
                names,
                full=f.rule == "pupil-full-name",
                tag=_in_tag(text, span[0], span[1]),
            )
            if new == old:
                manual.append(f)
                continue
        elif f.rule == "personal-data":
            new = REMOVED
        else:
            new = ""
        edits.append(Edit((span[0], span[1]), old, new, f.rule, f.person))
    merged = _merge(edits, text)
    out = text
    for e in sorted(merged, key=lambda e: e.span[0], reverse=True):
        s, t = e.span
        out = out[:s] + e.new + out[t:]
        if not e.new:
            out = _tidy_gap(out, s)
    added = False
    if wants_disclaimer and disclaimer and fold(disclaimer) not in fold(out):
        body = out.rstrip()
        newline = "\r\n" if "\r\n" in out else "\n"
        out = f"{body}{newline}{newline}{disclaimer}{newline}"
        added = True
    return DraftFix(out, tuple(sorted(merged, key=lambda e: e.span)), tuple(manual), added)


def _merge(edits: list[Edit], text: str) -> list[Edit]:
    out: list[Edit] = []
    for e in sorted(edits, key=lambda e: (e.span[0], -e.span[1])):
        if out and e.span[0] < out[-1].span[1]:
            prev = out[-1]
            if e.span[1] <= prev.span[1] and _PRIORITY.get(e.rule, 0) <= _PRIORITY.get(prev.rule, 0):
                continue  # inside a stronger edit
            strong = e if _PRIORITY.get(e.rule, 0) > _PRIORITY.get(prev.rule, 0) else prev
            span = (prev.span[0], max(prev.span[1], e.span[1]))
            new = strong.new if strong.new else ""
            if e.span[1] > prev.span[1] and strong is prev and prev.rule in NAME_RULES:
                new = prev.new + text[prev.span[1] : span[1]]
            out[-1] = Edit(span, text[span[0] : span[1]], new, strong.rule, strong.person)
            continue
        out.append(e)
    return out


def _tidy_gap(text: str, at: int) -> str:
    """After removing words at ``at``, drop the space left dangling before punctuation
    or before another space."""
    if at > 0 and text[at - 1] == " " and (at == len(text) or text[at] in " ,.;:!?)\n"):
        return text[: at - 1] + text[at:]
    if at == 0 or text[at - 1] == "\n":
        return text[:at] + text[at:].lstrip(" ")
    return text


__all__ = ["REMOVED", "DraftFix", "Edit", "fix_draft_text", "shorten_name"]
