"""Rules about a post as a whole."""

from __future__ import annotations

from collections.abc import Iterator

from postcheck.checks import CheckContext
from postcheck.model import Finding, Post
from postcheck.rules import Rule

OFFICIAL_AUTHORISATION = Rule(
    "official-authorisation",
    "post",
    "An official post without the Head Teacher's authorisation",
    what=(
        "on the official channel, reports a post checked without `--approval REF`, the reference of the "
        "Head Teacher's (or Principal's) authorisation."
    ),
    why=(
        "Haybrook's 5.1 requires authorisation from the Head Teacher before an employee posts on the "
        "Trust's behalf. Recording the reference in the report gives the approval workflow an audit "
        "trail."
    ),
    example=(
        "`postcheck --channel official newsletter.txt` warns; `postcheck --channel official --approval "
        "HT-2026-114 newsletter.txt` does not."
    ),
    personal="off",
    official="warn",
    approvable=True,
    by_hand="get the Head Teacher's authorisation and pass it with --approval",
)
RULES = (OFFICIAL_AUTHORISATION,)


def official_authorisation(post: Post, ctx: CheckContext) -> Iterator[Finding]:
    """An official post with no record of the Head Teacher's authorisation.

    What it does: on the official channel, reports a post checked without
    `--approval REF`, the reference of the Head Teacher's (or Principal's)
    authorisation.

    Why it matters: Haybrook's 5.1 requires authorisation from the Head Teacher
    before an employee posts on the Trust's behalf. Recording the reference in
    the report gives the approval workflow an audit trail.

    Example: `postcheck --channel official newsletter.txt` warns;
    `postcheck --channel official --approval HT-2026-114 newsletter.txt` does not.
    """
    if ctx.channel == "official" and not ctx.approval:
        yield Finding(
            "official-authorisation",
            f"An official post needs the {ctx.policy.approver}'s authorisation: get it, then "
            "record its reference with --approval REF.",
            post.name,
        )
