"""Text hidden in a photo's metadata and file name, checked by the text rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from postcheck.model import Finding, InputFile
from postcheck.rules import Rule

IMAGE_TEXT = Rule(
    "image-text",
    "image",
    "Text in the image (metadata, file name, OCR) that breaks a text rule",
    what=(
        "reads EXIF, IPTC and XMP captions, keywords, titles, people-in-image and face-region names, the "
        "image's file name, and (with OCR) name badges, certificates, whiteboards and signs, and runs "
        "every text rule on that text. Findings carry the text rule that fired, the field the text came "
        "from and, for OCR, the box where it was read."
    ),
    why="a photo's hidden caption or a visible name badge identifies a child as surely as the draft does.",
    example='`amelia_smith_sports_day.jpg`, or XMP PersonInImage "Amelia Smith".',
    personal="block",
    official="block",
    remedy="fix",
)
RULES = (IMAGE_TEXT,)


def metadata_text(item: InputFile, ctx: Any) -> Iterator[Finding]:
    """Run the text rules on the photo's file name and metadata text fields."""
    from postcheck.vision.meta import filename_text, read_metadata

    meta = ctx.memo("metadata", item.display, lambda: read_metadata(ctx.image(item)))
    fields: list[tuple[str, str]] = []
    name = item.path.name if item.path is not None else None
    if name:
        words = filename_text(name)
        if words:
            fields.append(("file name", words))
    fields += [(f.source, f.text) for f in meta.texts]
    # The same words in several fields (a caption copied to XPTitle and dc:title) are
    # checked once, attributed to every field that holds them.
    grouped: dict[str, list[str]] = {}
    for source, text in fields:
        key = " ".join(text.casefold().split())
        sources = grouped.setdefault(key, [])
        if source not in sources:
            sources.append(source)
    firsts = {" ".join(t.casefold().split()): t for _, t in reversed(fields)}
    for key, sources in grouped.items():
        yield from ctx.run_text_rules(firsts[key], item, ", ".join(sources))
