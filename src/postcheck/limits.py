"""Size limits on inputs, in one place (documented in the README, "Inputs").

Past a limit an input is not read at all: it becomes an ``unreadable-input``
finding that says which limit ("larger than 5 MB"), so the post is blocked
rather than checked in part or allowed to exhaust the machine's memory.
"""

from __future__ import annotations

MB = 1024 * 1024

# A text draft (.txt, .md, .html, standard input), and the text read from any draft.
DRAFT_MAX_BYTES = 5 * MB
# A .docx file, its pictures included.
DOCX_MAX_BYTES = 50 * MB
# Every member of a .docx, unpacked; and the XML its text is read from, unpacked.
DOCX_MAX_UNPACKED = 200 * MB
DOCX_MAX_XML = 25 * MB
# A member that unpacks to more than this many times its packed size (and to more
# than 1 MB) is refused: ordinary Word XML packs about 5 to 15 times.
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 1 * MB
DOCX_MAX_MEMBERS = 10_000
# Frames, pages or images of one picture that are checked; a picture with more is blocked.
IMAGE_MAX_FRAMES = 100
# Folders below a batch folder that are followed; anything deeper blocks its post.
FOLDER_MAX_DEPTH = 64


def megabytes(n: int) -> str:
    """``5 * MB`` -> ``"5 MB"``."""
    return f"{n / MB:g} MB"


def too_large(what: str, limit: int) -> str:
    """The reason given when ``what`` exceeds ``limit`` bytes."""
    return f"{what} larger than {megabytes(limit)}, postcheck's limit"
