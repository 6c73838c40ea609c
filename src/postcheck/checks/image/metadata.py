"""Text hidden in a photo's metadata and file name, checked by the text rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from postcheck.model import Finding, InputFile

DOCS = {
    "image-text": """\
What it does: reads the text that travels with a photo and runs every text
rule on it (pupils' names, personal data, the Trust's contacts, confidential
matters, ...), reporting each finding against the photo and the field it came
from ("XMP PersonInImage: names a pupil (Amelia Smith)"). It reads:
  - the file name (amelia_smith_sports_day.jpg -> "amelia smith sports day");
  - EXIF ImageDescription, Artist, Copyright, UserComment, CameraOwnerName and
    the Windows XPTitle / XPComment / XPAuthor / XPKeywords / XPSubject tags;
  - IPTC object name, headline, caption, keywords, by-line and writer;
  - XMP dc:title, dc:description, dc:subject, dc:creator, Headline,
    Iptc4xmpExt:PersonInImage, Lightroom keywords and the names on Microsoft
    and MWG face regions (what Windows Photos, Lightroom, digiKam and phone
    galleries write when someone tags a face);
  - text visible in the photo itself, read by OCR: name badges, certificates,
    exercise books, whiteboards, signs (the finding's box shows where).

Why it matters: metadata is published with the photo and anyone can read it;
a caption or a tagged face can name a child the draft carefully leaves
unnamed. A certificate or a name badge in the picture does the same.
The clauses are those of the text rule that fires.

Example: a photo whose XMP PersonInImage is "Amelia Smith" on a personal post
-> block (pupil-full-name). Fix: rename the file, strip the metadata, crop or
blur the text.""",
}


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
