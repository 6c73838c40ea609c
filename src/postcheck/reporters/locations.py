"""Where a finding is, for the reports that go to CI systems (SARIF, GitHub, JUnit).

CI systems match results to files by paths relative to the repository root,
which is where postcheck runs in a pipeline; absolute paths would also carry
the user's home folder into the report. So every file is written relative to
the folder postcheck ran in (``base``), standard input is the pseudo-file
``stdin``, and a finding about a whole post (``official-authorisation``) is
placed on the post's first file.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath
from urllib.parse import quote

from postcheck.model import Finding, PostResult

STDIN = "stdin"
PLAIN_TEXT = {"", ".txt", ".md", ".markdown", ".text"}


def relative_path(display: str, base: Path | None = None) -> str:
    """``display`` (a path as it was given, or ``<stdin>``) relative to ``base``
    (default: the current folder), with forward slashes."""
    if display == "<stdin>":
        return STDIN
    path = Path(display)
    if path.is_absolute():
        try:
            display = os.path.relpath(path, base or Path.cwd())
        except ValueError:  # another drive (Windows)
            display = path.name
    return PurePath(os.path.normpath(display)).as_posix()


def uri(display: str, base: Path | None = None) -> str:
    """A relative URI reference for ``display`` (spaces and the like percent-encoded)."""
    return quote(relative_path(display, base), safe="/-._~!$&'()*+,;=@")


def finding_file(f: Finding, post: PostResult) -> str:
    """The file a finding belongs to: its input, or the post's first file when the
    finding is about the post as a whole."""
    known = {i.path for i in post.inputs}
    if f.input in known or not post.inputs:
        return f.input
    return post.inputs[0].path


def is_plain_text(f: Finding, post: PostResult) -> bool:
    """Whether a finding's file is a .txt or .md draft (or standard input), whose
    lines and character offsets are the file's own, not those of text extracted
    from a .docx, an .html page or a photo."""
    path = finding_file(f, post)
    kinds = {i.path: i.kind for i in post.inputs}
    if kinds.get(path) != "text" or f.source:
        return False
    return path == "<stdin>" or Path(path).suffix.lower() in PLAIN_TEXT
