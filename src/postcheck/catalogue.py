"""The rule catalogue (DESIGN §5): every rule's stable id, family and title.

Every built-in policy pack has an entry for every rule here, so that
``postcheck rules`` shows the whole catalogue. What each rule checks, why the
policy cares and an example live in the docstring of the function that
implements it (see :mod:`postcheck.checks`); ``postcheck explain`` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleInfo:
    name: str
    family: str  # "text", "image", "post" or "always"
    title: str


_RULES = (
    RuleInfo("pupil-full-name", "text", "A listed pupil's first or preferred name with their surname"),
    RuleInfo("pupil-first-name", "text", "A listed pupil's first or preferred name alone, used as a name"),
    RuleInfo("unknown-person", "text", "A person's name that is neither a listed pupil nor staff"),
    RuleInfo("personal-data", "text", "Phone numbers, e-mail or home addresses, postcodes, dates of birth"),
    RuleInfo(
        "trust-contact", "text", "The Trust's or a school's web address, e-mail address or phone number"
    ),
    RuleInfo("offensive-language", "text", "Profanity, slurs, abusive, sexual or discriminatory language"),
    RuleInfo("adverse-comment", "text", "Negative remarks about the Trust community"),
    RuleInfo("confidential-info", "text", "Safeguarding, SEN, medical, HR and other confidential matters"),
    RuleInfo("school-community-mention", "text", "A personal post that refers to the Trust community"),
    RuleInfo("missing-disclaimer", "text", "A personal opinion about the school without the disclaimer"),
    RuleInfo("reference", "text", "A reference, recommendation or endorsement of an individual"),
    RuleInfo("pupil-contact", "text", "Inviting or accepting contact with pupils or parents"),
    RuleInfo("spelling", "text", "Misspelt words on an official post"),
    RuleInfo("official-authorisation", "post", "An official post without the Head Teacher's authorisation"),
    RuleInfo("face-no-consent", "image", "A recognised pupil without valid photo consent"),
    RuleInfo("pupil-photo-personal", "image", "Any recognised pupil on a personal post"),
    RuleInfo("face-unknown", "image", "A face that matches nobody, or only within the review band"),
    RuleInfo("image-location", "image", "GPS coordinates in the image's metadata"),
    RuleInfo("trust-premises-photo", "image", "GPS coordinates inside a configured Trust site"),
    RuleInfo("logo", "image", "A Trust or school logo visible in the image"),
    RuleInfo("image-text", "image", "Text in the image (metadata, file name, OCR) that breaks a text rule"),
    RuleInfo("unreadable-input", "always", "An input that could not be read, so could not be verified"),
    RuleInfo("check-error", "always", "A check that failed to complete on an input"),
)

RULES: dict[str, RuleInfo] = {r.name: r for r in _RULES}
TEXT_RULES: tuple[str, ...] = tuple(r.name for r in _RULES if r.family == "text")
ALWAYS_ON: tuple[str, ...] = ("unreadable-input", "check-error")

# The three always-on rules and image-text are not one function each, so their
# documentation lives here rather than in a check's docstring.
DOCS: dict[str, str] = {
    "unreadable-input": """An input that could not be read, so postcheck could not verify it.

What it does: reports a file that is missing from a batch, empty, binary where
text was expected, truncated or corrupt, larger than the decompression-bomb
limit, or in a format postcheck does not read.

Why it matters: a post passes only when every input was fully checked. A photo
that could not be decoded might show anything, so it blocks the post.

Example: `sports-day.jpg` cut short by an interrupted copy.""",
    "check-error": """A check that failed to complete on an input.

What it does: records any failure inside a check (a bug, a missing optional
component, a model that would not load) as a finding instead of stopping.

Why it matters: nothing passes unchecked. If a check did not finish, postcheck
cannot say the post is safe, so the post is blocked until the problem is fixed.

Example: "not checked: text in images (OCR is not installed)".""",
    "image-text": """Text carried by an image: metadata captions, the file name, text in the picture.

What it does: reads EXIF, IPTC and XMP captions, keywords, titles, people-in-image
and face-region names, the image's file name, and (with OCR) name badges,
certificates, whiteboards and signs, and runs every text rule on that text.
Findings carry the text rule that fired, the field the text came from and,
for OCR, the box where it was read.

Why it matters: a photo's hidden caption or a visible name badge identifies a
child as surely as the draft does.

Example: `amelia_smith_sports_day.jpg`, or XMP PersonInImage "Amelia Smith".""",
}
