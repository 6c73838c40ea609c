"""The Trust community on personal accounts: ``school-community-mention`` and
``missing-disclaimer``. The mentions themselves are found once per text by
:mod:`postcheck.text.community`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from postcheck.model import Finding
from postcheck.rules import Rule
from postcheck.text.analysis import Sentence, TextAnalysis
from postcheck.text.base import TextContext, finding
from postcheck.text.community import Mention
from postcheck.text.thresholds import DISCLAIMER_MIN_SCORE, DISCLAIMER_MIN_SCORE_REORDERED

SCHOOL_COMMUNITY_MENTION = Rule(
    "school-community-mention",
    "text",
    "A personal post that refers to the Trust community",
    what=(
        "on personal accounts, finds references to the Trust community: the Trust's or a school's name "
        'and configured aliases ([trust] name, aliases, schools), "my class", "my pupils", "my students",'
        ' "my school", "colleagues", "parents at my school", "the head", "SLT", governors and named '
        "members of staff from the register. Official posts are not checked."
    ),
    why=(
        "comments that reference the Trust community may not be published on personal accounts unless the"
        " Head Teacher has been notified first (Haybrook 3.2.4); pupils must not be discussed on personal"
        " sites and staff should be mindful that posts can identify where they work and with whom "
        "(Enquire 2.5, 3.5, 3.11)."
    ),
    example=(
        '"Exhausting week with my Year 6 class at Oakfield Primary Academy!" on a personal account is '
        'reported twice: "my Year 6 class" and "Oakfield Primary Academy".'
    ),
    personal="warn",
    official="off",
    by_hand="decide whether the post should mention the school community",
)

MISSING_DISCLAIMER = Rule(
    "missing-disclaimer",
    "text",
    "A personal opinion about the school without the disclaimer",
    what=(
        "on personal accounts, when a post identifies the school or the author's role (a Trust or school "
        'name, "my school", "my class", "as a teacher"...) and gives an opinion ("I think", "in my view",'
        ' "should", a strongly negative remark), it looks for one of the [disclaimer] phrases of the '
        "config. Phrases are matched tolerantly: case, punctuation and small wording changes do not "
        "matter. With no phrases configured, the policy's example wording is expected: \"These are my own "
        'personal views and not those of the academy". The finding quotes the phrase to add, and '
        "`postcheck fix` can add it."
    ),
    why=(
        "employees must not represent their own views as the academy's or the Trust's; a post that "
        "expresses an opinion should carry a disclaimer (Enquire 3.1)."
    ),
    example=(
        '"As a teacher at Oakfield I think the new phonics scheme is a mistake." is reported; adding '
        '"These are my own personal views and not those of the academy." clears it.'
    ),
    personal="warn",
    official="off",
    remedy="fix",
)

RULES = (SCHOOL_COMMUNITY_MENTION, MISSING_DISCLAIMER)

# The policy's own example disclaimer (Enquire 3.1), used when none is configured.
DEFAULT_DISCLAIMER = "These are my own personal views and not those of the academy"
# Widely used short disclaimers accepted when no phrase is configured.
_STANDARD = (
    "views are my own",
    "views my own",
    "opinions are my own",
    "opinions my own",
    "views expressed are my own",
    "my own personal views",
    "my views not those of my employer",
)
# Mentions that refer to the Trust community (not the general words, nor the author's own role).
_COMMUNITY = ("org", "role", "staff", "year")


def community_mentions(a: TextAnalysis) -> list[Mention]:
    """References to the Trust community, with the Trust's own contacts."""
    out = [m for m in a.community if m.kind in _COMMUNITY]
    out += [Mention(h.start, h.end, "org") for h in a.contacts if h.trust]
    return sorted(out, key=lambda m: m.start)


def school_community_mention(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """A personal post that refers to the Trust community."""
    if not ctx.personal:
        return
    for m in community_mentions(a):
        yield finding(
            "school-community-mention",
            a,
            m.start,
            m.end,
            f"This personal post refers to the Trust community ({a.evidence(m.start, m.end)!r}): notify the "
            f"{ctx.approver} before posting, or remove the reference.",
        )


_OPINION = re.compile(
    r"\b(?:(?:I|we) (?:really |honestly |personally |strongly |genuinely |do )?(?:think|believe|feel|reckon"
    r"|suspect|disagree|agree|doubt|can'?t believe|object|oppose|hate|wish)|honestly think|(?:I'?m|I am) "
    r"(?:not )?convinced|in my (?:humble |honest |personal )?(?:opinion|view|experience)|IMO|IMHO|personally"
    r"|my (?:view|opinion|take) is|I might be biased|biased|it'?s (?:time|ridiculous|wrong|a disgrace|a "
    r"scandal|madness)|ought to|needs? to (?:change|stop|go)|is (?:wrong|ridiculous|a mistake|unfair|madness"
    r"|a disgrace|a joke)|unfair|ridiculous|disgrace(?:ful)?|proud|star of"
    r"|what an? \w+|the (?:best|worst)|step forward|step backwards?|amazing|brilliant|fantastic|wonderful"
    r"|superb|incredible|excellent|fabulous|beautiful(?:ly)?|delighted|thrilled|shocking|disappointing"
    r"|appalling|useless|clueless|rubbish|a waste of|the most \w+|lucky to have|glowing|great with"
    r"|can'?t even|not (?:a |very |so |that |exactly )?(?:great|good|nice|happy|pleasant|fun|ideal"
    r"|impressed))\b",
    re.IGNORECASE,
)


def _norm(s: str) -> str:
    s = s.lower().replace("\u2019", "'")
    s = re.sub(r"[^\w\s']", " ", s)
    return " ".join(s.split())


def disclaimer_phrases(config: object) -> tuple[str, ...]:
    return tuple(config.get("disclaimer.phrases")) or (DEFAULT_DISCLAIMER,)  # type: ignore[attr-defined]


def has_disclaimer(text: str, config: object) -> bool:
    """Whether ``text`` carries a disclaimer phrase, tolerating case, punctuation
    and small wording changes (rapidfuzz, partial alignment; see thresholds)."""
    from rapidfuzz import fuzz

    norm = _norm(text)
    configured = tuple(config.get("disclaimer.phrases"))  # type: ignore[attr-defined]
    for p in (_norm(p) for p in (configured or (DEFAULT_DISCLAIMER, *_STANDARD))):
        if not p:
            continue
        if p in norm:
            return True
        if len(norm) >= len(p) * 0.6:
            score = fuzz.partial_ratio(p, norm) if len(norm) > len(p) else fuzz.ratio(p, norm)
            if score >= DISCLAIMER_MIN_SCORE:
                return True
            # wording changes shift lengths: compare word sets of the best window
            if (
                fuzz.partial_token_set_ratio(p, norm) >= 100
                and fuzz.partial_ratio(p, norm) >= DISCLAIMER_MIN_SCORE_REORDERED
            ):
                return True
    return False


def _opinion_sentence(a: TextAnalysis) -> Sentence | None:
    from postcheck.text.offence import criticism

    for s in a.sentences:
        text = a.text[s.start : s.end]
        if _OPINION.search(text) or criticism(text):
            return s
    return None


def missing_disclaimer(a: TextAnalysis, ctx: TextContext) -> Iterator[Finding]:
    """A personal opinion about the school or education without the disclaimer."""
    if not ctx.personal:
        return
    mentions = community_mentions(a) + [m for m in a.community if m.kind == "self"]
    if not mentions:
        return
    first = min(mentions, key=lambda m: m.start)
    opinion = _opinion_sentence(a)
    if opinion is None or has_disclaimer(a.original, ctx.config):
        return
    phrase = disclaimer_phrases(ctx.config)[0]
    yield finding(
        "missing-disclaimer",
        a,
        opinion.start,
        opinion.end,
        f"This personal post identifies the school or your role ({a.evidence(first.start, first.end)!r}) and"
        f" gives an opinion: add the disclaimer: '{phrase}'.",
        fixable=True,
    )
