"""Contact details and personal data in a draft: phone numbers, e-mail and web
addresses, UK postcodes, street addresses, dates of birth, ages with birthdays.

Phone numbers are found with ``phonenumbers`` (Google's libphonenumber) in the
region of ``[text] region`` and compared in E.164 form with the Trust's
``[trust] phones``; dates are checked with python-dateutil. A contact of the
Trust or one of its schools (``[trust] domains``, ``phones``, ``emails``) is
marked ``trust``. A postal address counts as the school's own, and is not
personal data, only right next to the name of one of the Trust's schools.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Contact:
    """``start``/``end`` are clean-text offsets."""

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
    r"|" + _NUM + r"(?:-| )year-? ?old(?:'s)? birthday"
    r"|(?<=['’]s )" + _ORD + r" birthday)",
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


# The school's own postal address follows its name directly: "Oakfield Primary
# Academy, 1 School Lane, Leeds LS1 1AA". Between the name and the address (or the
# postcode) there may be only address parts (numbers, capitalised words, commas).
_ADDRESS_PARTS = re.compile(r"[\s,()\-\u2013:]*(?:[A-Z0-9][\w'\u2019.-]*[\s,()\-\u2013:]*){0,8}")


def find(
    text: str,
    config: Any,
    sentences: list[tuple[int, int]],
    org: list[tuple[int, int]],
    about_person: Callable[[int, int], bool],
) -> list[Contact]:
    """Every contact detail and personal datum in ``text`` (the clean view).

    ``sentences`` are clean-text ranges; ``org`` the ranges of the Trust's and
    schools' names; ``about_person(start, end)`` says whether a sentence names or
    points at a person (a birthday is personal data only about a person)."""
    domains = tuple(config.get("trust.domains"))
    emails = {e.lower() for e in config.get("trust.emails")}
    region = config.get("text.region") or "GB"
    trust_phones = _trust_phones(tuple(config.get("trust.phones")), region)
    hits: list[Contact] = []

    def free(a: int, b: int) -> bool:
        return not any(a < h.end and h.start < b for h in hits)

    def add(a: int, b: int, kind: str, trust: bool = False) -> None:
        hits.append(Contact(a, b, kind, trust))

    for m in _EMAIL.finditer(text):
        addr = m.group().rstrip(".")
        trust = addr.lower() in emails or _is_trust_domain(addr.rsplit("@", 1)[1], domains)
        add(m.start(), m.start() + len(addr), "email", trust)
    for m in _URL.finditer(text):
        if free(m.start(), m.end()) and _is_trust_domain(m.group(1), domains):
            add(m.start(), m.start() + len(m.group().rstrip(".,;:!?)")), "url", True)
    for start, end, e164 in _phones(text, region):
        if free(start, end):
            add(start, end, "phone", e164 in trust_phones)

    def schools_own(a: int, b: int) -> bool:
        return any(e <= a and _ADDRESS_PARTS.fullmatch(text[e:a]) for _, e in org)

    for kind, rx in (("address", _ADDRESS), ("postcode", _POSTCODE), ("postcode", _POSTCODE_LOWER)):
        for m in rx.finditer(text):
            if free(m.start(), m.end()) and not schools_own(m.start(), m.end()):
                add(m.start(), m.end(), kind)
    for m in _DOB.finditer(text):
        if free(m.start(), m.end()) and _validate_date(m.group("date")):
            add(m.start(), m.end(), "dob")
    for s, e in sentences:
        for m in _BIRTHDAY.finditer(text, s, e):
            if free(m.start(), m.end()) and about_person(s, e):
                add(m.start(), m.end(), "birthday")
    return sorted(hits, key=lambda h: h.start)
