"""Trust and school logos visible in a photo (``[trust] logos`` in postcheck.toml)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from postcheck.model import Finding, InputFile
from postcheck.rules import Rule

LOGO = Rule(
    "logo",
    "image",
    "A Trust or school logo visible in the image",
    what=(
        "looks for every logo listed in `[trust] logos` in the photo: on a banner, a uniform, a lanyard, "
        "a sign, a book bag. It finds a logo from about 5 % to 60 % of the photo's width, turned up to 30"
        " degrees either way, seen at an angle, in dim or bright light and after JPEG compression, and "
        "reports where it is (the finding's box). Method: SIFT features of the logo (computed once) "
        "matched to the photo's, with a RANSAC homography and checks that the logo's outline is a "
        "plausible flat shape seen by a camera. `postcheck config validate` reports a logo that is too "
        "plain to detect reliably (a plain wordmark, a flat single-colour shape)."
    ),
    why=(
        "a Trust or school logo identifies where the people in the photo work or study, and using it on a"
        " personal account presents the post as the Trust's (Haybrook 3.2.4; Enquire 3.8 forbids using "
        "the logo without permission)."
    ),
    example=(
        "a photo of a sports-day banner carrying the school crest, posted on a personal account -> block "
        "under the Enquire pack (`--approval REF` records the Head's permission and waives it)."
    ),
    personal="block",
    official="off",
    approvable=True,
    by_hand="crop or cover the logo, or get authorisation",
)
RULES = (LOGO,)


def logo(item: InputFile, ctx: Any) -> Iterator[Finding]:
    """What it does: looks for every logo listed in `[trust] logos` in the photo:
    on a banner, a uniform, a lanyard, a sign, a book bag. It finds a logo from
    about 5 % to 60 % of the photo's width, turned up to 30 degrees either way,
    seen at an angle, in dim or bright light and after JPEG compression, and
    reports where it is (the finding's box). Method: SIFT features of the logo
    (computed once) matched to the photo's, with a RANSAC homography and checks
    that the logo's outline is a plausible flat shape seen by a camera.
    `postcheck config validate` reports a logo that is too plain to detect
    reliably (a plain wordmark, a flat single-colour shape).

    Why it matters: a Trust or school logo identifies where the people in the
    photo work or study, and using it on a personal account presents the post
    as the Trust's (Haybrook 3.2.4; Enquire 3.8 forbids using the logo without
    permission).

    Example: a photo of a sports-day banner carrying the school crest, posted
    on a personal account -> block under the Enquire pack (`--approval REF`
    records the Head's permission and waives it).
    """
    from postcheck.vision.logo_match import find_logo, logo_problem, photo_features

    logos: tuple[Path, ...] = ctx.config.get("trust.logos")
    if not logos:
        return
    loaded = ctx.image(item)
    feats = ctx.memo("sift", item.display, lambda: photo_features(loaded.reduced, loaded.size))
    ctx.method("logo", "SIFT features + RANSAC homography (OpenCV)")
    for path in logos:
        try:
            match = find_logo(path, feats)
        except OSError:
            problem = logo_problem(path) or f"{path}: logo cannot be read"
            ctx.note(f"not checked: logo {path.name} ({problem})")
            yield Finding(
                "check-error",
                f"Not checked: logo {path.name} ({problem}). Fix [trust] logos in postcheck.toml; "
                "the post cannot pass until this is checked.",
                item.display,
            )
            continue
        if match is None:
            continue
        yield Finding(
            "logo",
            f"The logo {path.name} is visible in this photo"
            + (" (mirror image)" if match.mirrored else "")
            + ": it identifies the Trust or school.",
            item.display,
            box=match.box,
            evidence=path.name,
            fixable=True,
            source=str(path.name),
        )


def logo_problems(config: Any) -> list[str]:
    """Problems with the configured logos, for `postcheck config validate`:
    a missing or unreadable file, or a logo too plain to detect reliably."""
    from postcheck.vision.logo_match import logo_problem

    out = []
    for path in config.get("trust.logos"):
        problem = logo_problem(Path(path))
        if problem:
            out.append(problem)
    return out
