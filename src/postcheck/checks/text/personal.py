"""Personal data and the Trust's own contact details: ``personal-data`` and
``trust-contact``. What counts as either is found once per text by
:mod:`postcheck.text.contacts`."""

from __future__ import annotations

from collections.abc import Iterator

from postcheck.model import Finding
from postcheck.rules import Rule
from postcheck.text.analysis import TextAnalysis
from postcheck.text.base import TextContext, finding

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
RULES = (PERSONAL_DATA, TRUST_CONTACT)

_WHAT = {
    "phone": "phone number",
    "email": "e-mail address",
    "url": "web address",
    "postcode": "postcode",
    "address": "home address",
    "dob": "date of birth",
    "birthday": "age and birthday",
}


def personal_data(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """Phone numbers, e-mail or home addresses, postcodes, dates of birth."""
    for h in a.contacts:
        if not h.trust:
            yield finding(
                "personal-data",
                a,
                h.start,
                h.end,
                f"Remove the {_WHAT[h.kind]}: personal details that identify, locate or contact a person "
                "must not be posted.",
                fixable=True,
            )


def trust_contact(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """The Trust's or a school's web address, e-mail address or phone number."""
    for h in a.contacts:
        if h.trust:
            yield finding(
                "trust-contact",
                a,
                h.start,
                h.end,
                f"Remove the Trust's {_WHAT[h.kind]} from this post: the Trust's contact details must not be "
                "published from a personal account.",
                fixable=True,
            )
