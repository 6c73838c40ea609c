"""One definition per rule: id, title, documentation, defaults, variants, remedy.

Every rule is defined once, as a :class:`Rule` next to the check that emits it
(the module's ``RULES`` tuple; the two always-on rules are defined here). The
catalogue (:mod:`postcheck.catalogue`) collects them; ``postcheck rules``,
``postcheck explain``, SARIF's rule help, the docs tables and ``fix``'s "still to
fix by hand" reasons all come from these definitions.

Severities: a policy pack gives each rule its clauses and its severity on each
channel; a rule missing from a pack (a school's copy of a pack made before the
rule existed) falls back to the defaults here, with no clauses, and the report
says so. A :class:`Variant` is a stricter case a check can select (an adverse
comment that is a personal attack); a ``protected`` variant is a safeguarding
case that ``[rules]`` overrides never lower or disable (a never_publish pupil).
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS: tuple[str, ...] = ("block", "warn", "off")
FAMILIES: tuple[str, ...] = ("text", "image", "post", "always")
REMEDIES: tuple[str, ...] = ("fix", "by-hand")


@dataclass(frozen=True)
class Variant:
    """A stricter case of a rule, with its own default severity per channel."""

    name: str
    title: str
    personal: str = "block"
    official: str = "block"
    protected: bool = False

    def default(self, channel: str) -> str:
        return self.personal if channel == "personal" else self.official


@dataclass(frozen=True)
class Rule:
    """A rule's one definition.

    ``personal`` and ``official`` are the default severities (``block``, ``warn``
    or ``off``) used when a pack has no entry for the rule. ``remedy`` says
    whether ``postcheck fix`` can make a safe copy (``fix``) or a person must
    change the post (``by-hand``); ``by_hand`` is what they must do.
    """

    id: str
    family: str
    title: str
    what: str
    why: str
    example: str
    personal: str = "warn"
    official: str = "warn"
    approvable: bool = False
    variants: tuple[Variant, ...] = ()
    remedy: str = "by-hand"
    by_hand: str = "review and fix by hand"

    def __post_init__(self) -> None:
        assert self.family in FAMILIES, self.family
        assert self.remedy in REMEDIES, self.remedy
        assert self.personal in LEVELS and self.official in LEVELS, self.id

    def default(self, channel: str) -> str:
        return self.personal if channel == "personal" else self.official

    def variant(self, name: str | None) -> Variant | None:
        return next((v for v in self.variants if v.name == name), None)

    @property
    def doc(self) -> str:
        """What it does / Why it matters / Example, as ``postcheck explain`` prints it."""
        return f"What it does: {self.what}\n\nWhy it matters: {self.why}\n\nExample: {self.example}"


UNREADABLE_INPUT = Rule(
    "unreadable-input",
    "always",
    "An input that could not be read, so could not be verified",
    what="reports a file, or a part of one (a frame, a page, an embedded picture, a "
    "metadata block), that is missing from a batch, empty, binary where text was expected, "
    "truncated or corrupt, larger than the size limits, or in a format postcheck does not read.",
    why="a post passes only when every part of every input was fully checked. A photo that "
    "could not be decoded might show anything, so it blocks the post.",
    example="`sports-day.jpg` cut short by an interrupted copy.",
    personal="block",
    official="block",
    by_hand="postcheck could not read this input; no copy was written",
)

CHECK_ERROR = Rule(
    "check-error",
    "always",
    "A check that failed to complete on an input",
    what="records any failure inside a check (a bug, a missing or damaged model, a "
    "capability that is not installed) as a finding instead of stopping.",
    why="nothing passes unchecked. If a check did not finish, postcheck cannot say the post "
    "is safe, so the post is blocked until the problem is fixed.",
    example='"not checked: text in images (the OCR model file is damaged)".',
    personal="block",
    official="block",
    by_hand="postcheck could not check this input; fix the cause and check again",
)

ALWAYS_ON_RULES: tuple[Rule, ...] = (UNREADABLE_INPUT, CHECK_ERROR)
