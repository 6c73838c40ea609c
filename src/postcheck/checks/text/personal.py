"""Personal data (phone numbers, e-mail and home addresses, postcodes, dates of
birth, ages with birthdays) and the Trust's own contact details.

Phone numbers are found with ``phonenumbers`` (Google's libphonenumber) in the
region of ``[text] region`` (default GB) and compared in E.164 form with the
Trust's configured ``[trust] phones``; dates are checked with python-dateutil.
A contact detail of the Trust or one of its schools ([trust] domains, phones,
emails) is ``trust-contact``, never ``personal-data``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from postcheck.checks.text.community import community_mentions, person_refs, sentences
from postcheck.model import Finding
from postcheck.rules import Rule

PERSONAL_DATA = Rule(
    "personal-data",
    "text",
    "Phone numbers, e-mail or home addresses, postcodes, dates of birth",
    what=(
        "finds phone numbers (with Google's libphonenumber, in the region of [text] region, default GB, "
        'so "07700 900123", "+44 20 7946 0958" and "0113 496 0000" are found but scores, years and dates '
        'are not), e-mail addresses, UK postcodes, street addresses ("12 Acacia Avenue", "Flat 3, 14 High'
        ' Street", "lives on Elm Road"), dates of birth ("born on 3 May 2016", "DOB 03/05/2016") and ages'
        ' with birthdays of a person ("turned 7 last Tuesday", "Happy 8th birthday to Tom"). The Trust\'s '
        "and schools' own contact details ([trust] domains, phones, emails) are trust-contact instead, "
        "and the school's own address next to its name is not reported. `postcheck fix` can remove what "
        "this rule finds."
    ),
    why=(
        "anything that identifies where a child or colleague lives, how to contact them or when they were"
        " born puts them at risk and breaches data protection (Haybrook 3.2.5, 3.2.6; Enquire 3.4, 4.1)."
    ),
    example='"Happy 8th birthday to Ella! Party at 12 Acacia Avenue, HU5 3AB" is reported three times.',
    personal="block",
    official="block",
    remedy="fix",
)

TRUST_CONTACT = Rule(
    "trust-contact",
    "text",
    "The Trust's or a school's web address, e-mail address or phone number",
    what=(
        "finds the configured web and e-mail domains ([trust] domains, and any address at them or a "
        "sub-domain), e-mail addresses ([trust] emails) and phone numbers ([trust] phones, compared after"
        ' normalising with libphonenumber, so "01234 567890", "+44 1234 567890" and "01234567890" are the'
        " same number). The packs report it on personal posts only. `postcheck fix` can remove it."
    ),
    why=(
        "publishing the Trust's web or e-mail address inappropriately is an example of gross misconduct "
        "(Haybrook 4.6); posts that show where staff work increase the risk of false allegations and "
        "threats (Enquire 3.6, 3.11)."
    ),
    example='"Any questions, ring the office on 01234 567890" on a personal account.',
    personal="block",
    official="off",
    remedy="fix",
)
RULES = (
    PERSONAL_DATA,
    TRUST_CONTACT,
)


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    kind: str  # phone | email | url | postcode | address | dob | birthday
    trust: bool = False


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(
    r"(?<![\w@.-])(?:https?://)?(?:www\.)?((?:[A-Za-z0-9-]+\.)+(?:[A-Za-z]{2,24}))(?::\d+)?(?:/[^\s<>\"]*)?",
)
# UK postcodes (the Royal Mail format); without a space only in capitals.
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRV-Y])"
    r"(?: (?=\d)|(?=\d[ABD-HJLNP-UW-Z]{2}\b))\d[ABD-HJLNP-UW-Z]{2})\b",
)
_POSTCODE_LOWER = re.compile(
    r"\b(?:[a-pr-uwyz](?:\d{1,2}|[a-hk-y]\d{1,2}|\d[a-hjkpstuw]|[a-hk-y]\d[abehmnprv-y])"
    r" \d[abd-hjlnp-uw-z]{2})\b",
)
_STREET_TYPES = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Close|Cl|Drive|Dr|Way|Crescent|Cres|Court|Ct|Place|Pl|Grove"
    r"|Gardens|Gdns|Terrace|Tce|Walk|Mews|Square|Sq|Hill|Rise|View|Row|Green|Parade|Vale|Wharf|Park"
    r"|Boulevard|Croft|Fold|Garth|Gate|Chase|Meadows|Mead|Bank|Yard|Wynd)"
)
_STREET_NAME = (
    r"(?:[A-Z][a-z'’]+(?:[ -](?!" + _STREET_TYPES + r"\b)[A-Z][a-z'’]+){0,2}) " + _STREET_TYPES + r"\b"
)
_ADDRESS = re.compile(
    r"(?:\b(?:Flat|Apartment|Apt|Unit|Room)\s+\d+[A-Za-z]?,?\s+)?\b\d{1,4}[A-Za-z]?,?\s+" + _STREET_NAME
    + r"|\b(?:lives?|living|moved|moving|address is|staying|house is|home is|round) (?:at|on|in|to) "
    r"(?:the )?" + _STREET_NAME,
)  # fmt: skip

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = (
    r"(?:\d{1,2}(?:st|nd|rd|th)?(?: of)? " + _MONTHS + r"(?:,? \d{4})?"
    r"|" + _MONTHS + r" \d{1,2}(?:st|nd|rd|th)?(?:,? \d{4})?"
    r"|" + _MONTHS + r" \d{4}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))"
)
_DOB = re.compile(
    r"\b(?:born(?: on| in)?|D\.?O\.?B\.?:?|date of birth(?: is|:)?|birthday is(?: on)?|b\.)\s*(?P<date>"
    + _DATE
    + r")",
    re.IGNORECASE,
)
_NUM = (
    r"(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
)
_ORD = (
    r"(?:\d{1,3}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh"
    r"|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth"
    r"|thirtieth|fortieth|fiftieth|sixtieth|seventieth|eightieth|ninetieth)"
)
_BIRTHDAY = re.compile(
    r"\b(?:turn(?:s|ed|ing)? " + _NUM + r"(?: years? old)?(?= (?:today|yesterday|tomorrow|on|last|this|next"
    r"|at the weekend)\b)"
    r"|(?:is|was|will be) " + _NUM + r" (?:today|tomorrow|yesterday|on \w+day)"
    r"|happy " + _ORD + r" birthday"
    r"|" + _ORD + r" birthday (?:today|tomorrow|yesterday|on|party|this|next|last)"
    r"|" + _NUM + r"(?:-| )year-? ?old(?:'s)? birthday)",
    re.IGNORECASE,
)
_ORG_SUBJECT = re.compile(
    r"\b(?:school|academy|trust|college|PTA|club|charity|NHS|company|library|nursery|church|choir|team"
    r"|business|shop|centre|museum|society|band|group|anniversary|its)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=16)
def _trust_phones(phones: tuple[str, ...], region: str) -> frozenset[str]:
    import phonenumbers

    out = set()
    for p in phones:
        try:
            out.add(
                phonenumbers.format_number(phonenumbers.parse(p, region), phonenumbers.PhoneNumberFormat.E164)
            )
        except phonenumbers.NumberParseException:
            out.add(re.sub(r"\D", "", p))
    return frozenset(out)


def _is_trust_domain(host: str, domains: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    for d in domains:
        d = d.lower().strip().removeprefix("https://").removeprefix("http://").removeprefix("www.").strip("/")
        if d and (host == d or host.endswith("." + d)):
            return True
    return False


def _phones(text: str, region: str) -> Iterator[tuple[int, int, str]]:
    """Phone numbers in ``text`` (start, end, E.164). Valid numbers always; numbers
    that are merely possible (fictional ranges such as 07700 900xxx) when they look
    dialled: starting with 0 or +, with a national number of nine digits or more."""
    import phonenumbers

    for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        raw = m.raw_string
        e164 = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
        if not phonenumbers.is_valid_number(m.number):
            national = str(m.number.national_number)
            if not raw.lstrip("(").startswith(("0", "+")) or len(national) < 9:
                continue
            if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", raw.strip()):
                continue
        yield m.start, m.end, e164


def _validate_date(s: str) -> bool:
    from dateutil import parser

    try:
        parser.parse(s, dayfirst=True, fuzzy=False)
    except (ValueError, OverflowError):
        return False
    return True


def find_contacts(doc: Any, ctx: Any) -> list[Hit]:
    """Every contact detail and personal datum in the draft, memoised per draft."""
    return ctx.memo("contacts", f"{doc.input}\0{doc.source}\0{hash(doc.text)}", lambda: _find(doc, ctx))


def _find(doc: Any, ctx: Any) -> list[Hit]:
    text = doc.text
    cfg = ctx.config
    domains = tuple(cfg.get("trust.domains"))
    emails = {e.lower() for e in cfg.get("trust.emails")}
    region = cfg.get("text.region") or "GB"
    trust_phones = _trust_phones(tuple(cfg.get("trust.phones")), region)
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return not any(a < e and s < b for s, e in taken)

    for m in _EMAIL.finditer(text):
        addr = m.group().rstrip(".")
        domain = addr.rsplit("@", 1)[1]
        trust = addr.lower() in emails or _is_trust_domain(domain, domains)
        hits.append(Hit(m.start(), m.start() + len(addr), "email", trust))
        taken.append((m.start(), m.start() + len(addr)))
    for m in _URL.finditer(text):
        host = m.group(1)
        if not free(m.start(), m.end()) or not _is_trust_domain(host, domains):
            continue
        end = m.start() + len(m.group().rstrip(".,;:!?)"))
        hits.append(Hit(m.start(), end, "url", True))
        taken.append((m.start(), end))
    for start, end, e164 in _phones(text, region):
        if not free(start, end):
            continue
        hits.append(Hit(start, end, "phone", e164 in trust_phones))
        taken.append((start, end))
    school_sents = [(s.start, s.end) for s in sentences(doc, ctx) if community_mentions(s.text, ctx)]

    def school_address(a: int) -> bool:
        # the school's own postal address, next to its name, is public
        return any(s <= a < e for s, e in school_sents) and _names_org(text, a, ctx)

    for rx in (_ADDRESS,):
        for m in rx.finditer(text):
            if free(m.start(), m.end()) and not school_address(m.start()):
                hits.append(Hit(m.start(), m.end(), "address"))
                taken.append((m.start(), m.end()))
    for rx in (_POSTCODE, _POSTCODE_LOWER):
        for m in rx.finditer(text):
            if free(m.start(), m.end()) and not school_address(m.start()):
                hits.append(Hit(m.start(), m.end(), "postcode"))
                taken.append((m.start(), m.end()))
    for m in _DOB.finditer(text):
        if free(m.start(), m.end()) and _validate_date(m.group("date")):
            hits.append(Hit(m.start(), m.end(), "dob"))
            taken.append((m.start(), m.end()))
    for s in sentences(doc, ctx):
        for m in _BIRTHDAY.finditer(s.text):
            a, b = s.start + m.start(), s.start + m.end()
            if not free(a, b):
                continue
            refs = person_refs(s.text, ctx)
            if not refs or (_ORG_SUBJECT.search(s.text) and not [r for r in refs if r.kind != "noun"]):
                continue
            hits.append(Hit(a, b, "birthday"))
            taken.append((a, b))
    return sorted(hits, key=lambda h: h.start)


def _names_org(text: str, pos: int, ctx: Any) -> bool:
    from postcheck.checks.text.community import trust_terms

    window = text[max(0, pos - 120) : pos + 80]
    return any(rx.search(window) for rx in trust_terms(ctx).org) or bool(
        re.search(r"\b(?:school|academy|college)\b", window, re.IGNORECASE)
    )


_WHAT = {
    "phone": "phone number",
    "email": "e-mail address",
    "url": "web address",
    "postcode": "postcode",
    "address": "home address",
    "dob": "date of birth",
    "birthday": "age and birthday",
}


def personal_data(doc: Any, ctx: Any) -> Iterator[Finding]:
    """Phone numbers, e-mail or home addresses, postcodes, dates of birth (see ``DOCS``)."""
    for h in find_contacts(doc, ctx):
        if h.trust:
            continue
        what = _WHAT[h.kind]
        yield Finding(
            "personal-data",
            f"Remove the {what}: personal details that identify, locate or contact a person must not be "
            "posted.",
            doc.input,
            span=(h.start, h.end),
            evidence=doc.text[h.start : h.end],
            fixable=True,
        )


def trust_contact(doc: Any, ctx: Any) -> Iterator[Finding]:
    """The Trust's or a school's web address, e-mail address or phone number (see ``DOCS``)."""
    for h in find_contacts(doc, ctx):
        if not h.trust:
            continue
        what = _WHAT[h.kind]
        yield Finding(
            "trust-contact",
            f"Remove the Trust's {what} from this post: the Trust's contact details must not be published "
            "from a personal account.",
            doc.input,
            span=(h.start, h.end),
            evidence=doc.text[h.start : h.end],
            fixable=True,
        )
