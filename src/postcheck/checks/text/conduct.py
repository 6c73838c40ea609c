"""Conduct on social media: ``reference`` (a reference, recommendation or
endorsement of an individual) and ``pupil-contact`` (inviting or accepting
contact with pupils or parents)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from postcheck.model import Finding
from postcheck.rules import Rule
from postcheck.text.analysis import TextAnalysis
from postcheck.text.base import TextContext, finding

REFERENCE = Rule(
    "reference",
    "text",
    "A reference, recommendation or endorsement of an individual",
    what=(
        'finds recommendations of a person ("I highly recommend Sarah", "would thoroughly recommend her",'
        ' "I can vouch for him", "happy to endorse Tom", "a reference for Priya", "any school would be '
        'lucky to have her"). Recommending a thing is not a reference: "we recommend sun cream", "I '
        'highly recommend this book".'
    ),
    why=(
        "references given on social or professional networks can be attributed to the Trust and create "
        "legal liability for the author and the Trust (Enquire 3.13). References go through the school's "
        "formal process instead."
    ),
    example='"Sad to see Priya leave; I would thoroughly recommend her to any school."',
    personal="block",
    official="warn",
    by_hand="remove the reference or endorsement",
)

PUPIL_CONTACT = Rule(
    "pupil-contact",
    "text",
    "Inviting or accepting contact with pupils or parents",
    what=(
        'finds friend requests ("accept my friend request", "accepted a friend request from one of my '
        'Year 10s"), invitations to private contact on the platforms children use ("add me on Snapchat", '
        '"message me on Instagram", "my Snapchat is ..."), and "DM me", "message me", "add me", "text me"'
        ' when the post addresses or mentions pupils, students, parents or a class. Advice not to ("never'
        ' accept friend requests from pupils") is not reported.'
    ),
    why=(
        "staff must not invite, accept or engage in communication with children, or with parents of "
        "children at the Trust, on social media without first notifying the Head Teacher (Haybrook 3.1.1,"
        " 3.1.2); employees should not accept pupils as friends (Enquire 2.4)."
    ),
    example='"Year 11 leavers, add me on Snapchat: mr_jones77 and keep in touch!"',
    personal="warn",
    official="warn",
    by_hand="remove the invitation to contact you",
)
RULES = (REFERENCE, PUPIL_CONTACT)


_PERSON_OBJ = (
    r"(?:him|her|them|this (?:young )?(?:person|man|woman|lady|gentleman|colleague|teacher|candidate|student"
    r"|practitioner|professional)|my (?:former |ex-?|old )?(?:colleague|TA|mentee|trainee|student|teacher)"
    r"|(?P<name>[^\W\d_][\w'’-]*(?: [^\W\d_][\w'’-]*)?))"
)
_REFERENCE = re.compile(
    r"\b(?:(?:I|we) (?:would |can |could |cannot |can'?t |couldn'?t |will |'d |would not |wouldn'?t )?"
    r"(?:(?:highly|thoroughly|wholeheartedly|strongly|fully|heartily|warmly|definitely|absolutely|really) )?"
    r"(?:recommend|endorse|vouch for|back)(?: working with| hiring)? " + _PERSON_OBJ + r"(?P<more> more)?"
    r"|(?:happy|pleased|delighted|proud|privileged|(?:it is |it's )?(?:my|a) (?:privilege|pleasure)) to "
    r"(?:recommend|endorse|vouch for|give a reference for|provide a "
    r"reference for) " + _PERSON_OBJ.replace("?P<name>", "?P<name2>") + r"|(?:a |my |glowing |personal |"
    r"character |professional )*(?:reference|testimonial|recommendation) for "
    + _PERSON_OBJ.replace("?P<name>", "?P<name3>")
    + r"|(?:any|every) (?:school|employer|team|organisation|company) would be (?:lucky|fortunate) to have "
    r"(?:him|her|them|\w+)|(?:would be|will be) an asset to any (?:school|team|employer|organisation)"
    r"|(?:hire|snap up) (?:him|her) (?:now|immediately|quickly)|endorsed \w+ (?:for|on) "
    r"|(?:give|write|provide|offer|gave|wrote) (?:him|her|them) (?:a |an )?(?:glowing |great |excellent "
    r"|good |strong |brilliant |fantastic |personal )?(?:reference|recommendation|testimonial))",
    re.IGNORECASE,
)
_PERSON_CUE = re.compile(
    r"\b(?:he|she|his|her|him|they'?re|worked with|colleague|teacher|candidate|employer|role|position"
    r"|asset|hire|team|job|post|school)\b",
    re.IGNORECASE,
)
_NEG = re.compile(r"\b(?:not|never|n't|no|don'?t|do not|shouldn'?t|should not|won'?t|cannot|can'?t)\b", re.I)


def _looks_like_person(a: TextAnalysis, start: int, end: int, near: str) -> bool:
    """A capitalised object of "recommend" is a person when the person detector says
    so, or when it is not an ordinary word, not the Trust, and a person cue is near."""
    if a.people_in(start, end):
        return True
    word = a.text[start:end].split()[0]
    if not word[:1].isupper():
        return False
    toks = [t for t in a.toks if t.start == start]
    if (
        not toks
        or toks[0].norm in _common()
        or any(start <= a.toks[x].start < end for r in a.trust_spans for x in range(*r))
    ):
        return False
    return bool(_PERSON_CUE.search(near.replace(a.text[start:end], "")))


def _common() -> frozenset[str]:
    from postcheck.text.index import lexicon

    return lexicon().common


def reference(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """A reference, recommendation or endorsement of an individual."""
    sents = a.sentences
    for i, s in enumerate(sents):
        text = a.text[s.start : s.end]
        for m in _REFERENCE.finditer(text):
            group = next((g for g in ("name", "name2", "name3") if m.group(g)), None)
            if group is not None:
                near = a.text[s.start : sents[i + 1].end if i + 1 < len(sents) else s.end]
                ns, ne = s.start + m.start(group), s.start + m.end(group)
                if not _looks_like_person(a, ns, ne, near):
                    continue
            elif m.group().lower().startswith(("i can't", "i cannot", "i couldn't")) and not m.group("more"):
                continue
            yield finding(
                "reference",
                a,
                s.start + m.start(),
                s.start + m.end(),
                "This reads as a reference or endorsement of an individual: remove it; references go "
                "through the school's formal process, not social media.",
            )


# --- pupil-contact -------------------------------------------------------------------

_PLATFORMS = (
    r"(?:snap(?:chat)?|insta(?:gram)?|tik ?tok|whats ?app|facebook|fb|messenger|discord|twitter|x|kik"
    r"|telegram|signal|xbox|playstation|psn|fortnite|roblox)"
)
_STRONG_CONTACT = re.compile(
    r"\b(?:(?:accept(?:ed|ing|s)?|sen[dt]|send(?:ing|s)|get(?:ting|s)?|got|had|receiv(?:e|ed|ing)|add(?:ed)?)"
    r" (?:a |my |your |their |his |her |some |"
    r"lots of |loads of )?(?:friend|follow) requests?"
    r"|(?:add|message|msg|dm|pm|follow|snap|text|find|chat (?:to|with)) me on "
    + _PLATFORMS
    + r"|my "
    + _PLATFORMS
    + r" (?:is|name is|username is|handle is|@)|(?:add|message|follow|dm) me (?:@|at @))",
    re.IGNORECASE,
)
_WEAK_CONTACT = re.compile(
    r"\b(?:dm me|pm me|inbox me|message me|msg me|text me|add me|follow me|drop me a (?:message|line|dm)"
    r"|(?:call|ring|phone|text|whatsapp) me(?: on| at)? (?=\+?\d)"
    r"|slide into my dms|my dms are open|get in touch with me (?:privately|directly)|my (?:personal )?"
    r"(?:number|mobile) is)\b",
    re.IGNORECASE,
)
_AUDIENCE = re.compile(
    r"\b(?:pupils?|students?|parents?|mums?|dads?|mum's|dad's|carers?|families|kids|my class|year ?\d{1,2}s?"
    r"|leavers"
    r"|ex-?pupils|former pupils|past pupils|form group|tutor group|sixth form(?:ers)?|my (?:class|form))\b",
    re.IGNORECASE,
)
_ADVICE = re.compile(
    r"\b(?:never|don'?t|do not|shouldn'?t|should not|won'?t|will not|not allowed to|must not|mustn'?t"
    r"|can'?t|cannot|refuse to|decline|declined|ignore|ignored|reminder:?|remember not)\b",
    re.IGNORECASE,
)


def pupil_contact(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """Inviting or accepting contact with pupils or parents."""
    audience = bool(_AUDIENCE.search(a.text)) or any(
        m.kind in ("org", "role", "staff", "year") for m in a.community
    )
    for s in a.sentences:
        text = a.text[s.start : s.end]
        found = list(_STRONG_CONTACT.finditer(text))
        if audience:
            found += list(_WEAK_CONTACT.finditer(text))
        seen: list[tuple[int, int]] = []
        for m in sorted(found, key=lambda m: m.start()):
            if any(x <= m.start() < y for x, y in seen) or _ADVICE.search(text[: m.start()]):
                continue
            seen.append((m.start(), m.end()))
            yield finding(
                "pupil-contact",
                a,
                s.start + m.start(),
                s.start + m.end(),
                "This invites or accepts private contact on social media, which the policy forbids with "
                "pupils and parents: remove it and use the school's official channels; tell the "
                f"{ctx.approver} about any contact already made.",
            )
