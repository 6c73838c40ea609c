"""Reading drafts, recognising images, and turning the inputs into posts.

Posts (documented in the README; the stem rule is in :mod:`postcheck.grouping`):

* Files named on one command line form **one post** (``--group post``, the
  default), or are grouped by the stem rule (``--group stem``) or one post per
  draft (``--group file``). Several drafts in one post are reported as such.
* A folder named on the command line is a **batch**: each subfolder is one
  post (with every file inside it, at any depth), and loose files are grouped
  into posts by the stem rule (one post per draft under ``--group file``):
  ``assembly.txt`` + ``assembly.jpg`` + ``assembly-2.jpg`` is one post, and
  ``newsletter-1.txt`` and ``newsletter-2.txt`` are two.
* A folder named ``official`` or ``personal`` (at any depth) is not a post but
  a batch of its own whose posts are on that channel; so is a folder that holds
  one (see :mod:`postcheck.channel`).
* Hidden files and system litter (``.DS_Store``, ``Thumbs.db``) are skipped;
  any other file postcheck cannot read blocks its post (``unreadable-input``).
"""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from postcheck.channel import folder_channel, is_channel_folder
from postcheck.errors import InputMissing, UnreadableInput
from postcheck.grouping import drafts_note, group_folder, group_key, group_named
from postcheck.limits import DOCX_MAX_BYTES, DRAFT_MAX_BYTES, FOLDER_MAX_DEPTH, too_large
from postcheck.model import InputFile, Post
from postcheck.reading import BINARY, decode_text, file_kind, not_regular, read_file

TEXT_EXTENSIONS = {".txt", ".md", ".markdown", ".docx", ".html", ".htm"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".tif", ".tiff"}
LITTER = {".ds_store", "thumbs.db", "desktop.ini"}
__all__ = ["TextDoc", "classify", "collect_posts", "group_key", "posts_from_folder", "read_draft"]


def sniff_image(head: bytes) -> str | None:
    """The image format from a file's first bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc"):
        return "heic"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def classify(path: Path) -> str:
    """``text`` or ``image`` for a file, by content first and extension second."""
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        head = b""
    if sniff_image(head):
        return "image"
    ext = path.suffix.lower()
    if ext in IMAGE_EXTENSIONS:
        return "image"
    return "text"


def input_file(path: Path, display: str | None = None) -> InputFile:
    return InputFile(display or str(path), classify(path), path=path)


@dataclass
class _Walk:
    files: list[Path]
    problems: list[tuple[str, str]]


def _entries(folder: Path) -> list[tuple[str, Path, str]]:
    """A folder's entries as ``(kind, path, reason)``: kind is ``dir``, ``file`` or
    ``problem`` (a broken link, a symbolic-link loop, a device, an unreadable entry).
    Hidden files and system litter are skipped."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        return [("problem", folder, f"cannot read folder: {exc.strerror or exc}")]
    out: list[tuple[str, Path, str]] = []
    for entry in entries:
        if entry.name.startswith(".") or entry.name.lower() in LITTER:
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=True):
                out.append(("dir", path, ""))
            elif entry.is_file(follow_symlinks=True):
                out.append(("file", path, ""))
            else:  # a pipe, a device, a socket: never opened
                kind = file_kind(os.stat(path).st_mode)  # raises for a loop or a broken link
                out.append(("problem", path, not_regular(kind or "not a regular file")))
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                reason = "a symbolic-link loop"
            elif exc.errno == errno.ENOENT:
                reason = "a broken symbolic link"
            else:
                reason = exc.strerror or str(exc)
            out.append(("problem", path, reason))
    return out


def _walk(folder: Path, seen: frozenset[tuple[int, int]], depth: int = 1) -> _Walk:
    """Every file below ``folder``, noting symlink loops, unreadable entries and
    folders nested deeper than :data:`FOLDER_MAX_DEPTH`."""
    out = _Walk([], [])
    if depth > FOLDER_MAX_DEPTH:
        out.problems.append(
            (str(folder), f"folders nested more than {FOLDER_MAX_DEPTH} deep are not read, so not checked")
        )
        return out
    try:
        st = folder.stat()
    except OSError as exc:
        out.problems.append((str(folder), f"cannot read folder: {exc.strerror or exc}"))
        return out
    key = (st.st_dev, st.st_ino)
    if key in seen:
        out.problems.append((str(folder), "a symbolic-link loop: this folder contains itself"))
        return out
    for kind, path, reason in _entries(folder):
        if kind == "dir":
            sub = _walk(path, seen | {key}, depth + 1)
            out.files += sub.files
            out.problems += sub.problems
        elif kind == "file":
            out.files.append(path)
        else:
            out.problems.append((str(path), reason))
    return out


def posts_from_folder(
    folder: Path, group: str = "stem", _prefix: str = "", _seen: frozenset[tuple[int, int]] = frozenset()
) -> list[Post]:
    """A batch: each subfolder is a post; a channel folder (or one holding a
    channel folder) is a batch of its own; loose files are grouped by the stem
    rule (one post per draft when ``group`` is ``file``)."""
    posts: list[Post] = []
    st = folder.stat()
    seen = _seen | {(st.st_dev, st.st_ino)}
    loose: list[InputFile] = []
    loose_problems: dict[str, list[tuple[str, str]]] = {}
    for kind, path, reason in _entries(folder):
        if kind == "problem":
            loose_problems.setdefault(path.name, []).append((str(path), reason))
        elif kind == "dir":
            sub = _walk(path, seen)
            if _is_batch(path, sub.files, seen):
                posts += posts_from_folder(path, group, f"{_prefix}{path.name}/", seen)
                continue
            inputs = tuple(input_file(p) for p in sub.files)
            if inputs or sub.problems:
                posts.append(Post(_prefix + path.name, inputs, tuple(sub.problems), _channels(path.parts)))
        else:
            loose.append(input_file(path))
    mode = "file" if group == "file" else "stem"
    for name, files in group_folder(loose, mode):
        posts.append(_post(_prefix + name, files, mode))
    for name, problems in loose_problems.items():
        posts.append(Post(_prefix + name, (), tuple(problems), _channels(folder.parts)))
    return sorted(posts, key=lambda p: p.name.lower())


def _is_batch(folder: Path, files: list[Path], seen: frozenset[tuple[int, int]]) -> bool:
    """A channel folder, or a folder holding one: walked as a batch, not one post."""
    try:
        st = folder.stat()
    except OSError:
        return False
    if (st.st_dev, st.st_ino) in seen:
        return False  # a symbolic-link loop: reported by the walk
    if is_channel_folder(folder.name):
        return True
    return any(is_channel_folder(part) for f in files for part in f.relative_to(folder).parts[:-1])


def _channels(parts: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    found = folder_channel(parts)
    return (found,) if found else ()


def _post(name: str, files: list[InputFile], mode: str) -> Post:
    channels = dict.fromkeys(c for f in files if f.path is not None for c in _channels(f.path.parent.parts))
    note = drafts_note(files, mode)
    return Post(name, tuple(files), (), tuple(channels), (note,) if note else ())


def collect_posts(args: list[str], stdin: bytes | None = None, group: str = "post") -> list[Post]:
    """Turn the command line's inputs into posts (see the module docstring):
    files named on the command line are grouped by ``group`` (``post``, ``stem``
    or ``file``, :data:`postcheck.grouping.GROUP_MODES`); folders are batches.

    Raises :class:`InputMissing` when a named input does not exist or cannot be
    looked at. A pipe or a device is never opened: it blocks the post.
    """
    named: list[InputFile] = []
    refused: list[tuple[str, str]] = []
    posts: list[Post] = []
    for arg in args:
        if arg == "-":
            # one byte past the limit is enough to say the text is too large
            data = stdin if stdin is not None else sys.stdin.buffer.read(DRAFT_MAX_BYTES + 1)
            named.append(InputFile("<stdin>", "text", None, data))
            continue
        path = Path(arg)
        mode = _stat_argument(arg, path).st_mode
        if stat.S_ISDIR(mode):
            posts.extend(posts_from_folder(path, group))
        elif stat.S_ISREG(mode):
            named.append(input_file(path, arg))
        else:  # a pipe or a device: never opened; it blocks the post it was named in
            refused.append((arg, not_regular(file_kind(mode) or "not a regular file")))
    named_posts = [_post(name, files, group) for name, files in group_named(named, group)]
    if refused and named_posts and group == "post":
        named_posts[0] = dataclasses.replace(named_posts[0], problems=(*named_posts[0].problems, *refused))
    elif refused:
        named_posts += [Post(Path(arg).name, (), ((arg, reason),)) for arg, reason in refused]
    return named_posts + posts


def _stat_argument(arg: str, path: Path) -> os.stat_result:
    """``os.stat`` of an input named on the command line; a one-line
    :class:`InputMissing` (exit 66) when it does not exist or cannot be looked at."""
    try:
        return path.stat()
    except OSError as exc:
        if exc.errno == errno.ENOENT and path.is_symlink():
            reason = "a broken symbolic link"
        elif exc.errno in (errno.ENOENT, errno.ENOTDIR):
            reason = "no such file or folder"
        elif exc.errno == errno.ELOOP:
            reason = "a symbolic-link loop"
        elif exc.errno == errno.EACCES:
            reason = "permission denied: a folder on its path cannot be read"
        elif exc.errno == errno.ENAMETOOLONG:
            reason = "the path is too long for this system"
        else:
            reason = f"cannot read: {exc.strerror or exc}"
        raise InputMissing(f"{arg}: {reason}") from exc


# --- drafts ------------------------------------------------------------------------


@dataclass(frozen=True)
class TextDoc:
    """The text of one draft (or of a text-bearing part of an image)."""

    text: str
    input: str
    source: str | None = None  # where the text came from, for image text
    note: str | None = None  # e.g. "not UTF-8: read as cp1252"


@dataclass(frozen=True)
class DraftParts:
    """Everything a draft holds: its text (every text part, joined), the pictures
    in it as image inputs of the post, and the parts that could not be read as
    ``(part, reason)`` (a remote picture, an embedded file)."""

    doc: TextDoc
    images: tuple[InputFile, ...] = ()
    problems: tuple[tuple[str, str], ...] = ()


def _draft_bytes(item: InputFile) -> bytes:
    if item.data is not None:
        if len(item.data) > DRAFT_MAX_BYTES:
            raise UnreadableInput(too_large("the text is", DRAFT_MAX_BYTES))
        return item.data
    assert item.path is not None
    ext = item.path.suffix.lower()
    # A .docx holds its pictures too; other drafts are text.
    limit = DOCX_MAX_BYTES if ext == ".docx" or ext not in TEXT_EXTENSIONS else DRAFT_MAX_BYTES
    return read_file(item.path, limit)


def read_draft(item: InputFile) -> TextDoc:
    """The text of a draft (every text part, joined). Raises :class:`UnreadableInput`
    with the reason."""
    return read_draft_parts(item).doc


def read_draft_parts(item: InputFile) -> DraftParts:
    """The text of a draft and the pictures in it. Raises :class:`UnreadableInput`."""
    data = _draft_bytes(item)
    ext = item.path.suffix.lower() if item.path else ".txt"
    if ext == ".docx" or (data[:2] == b"PK" and ext not in (".txt", ".md")):
        if not data:
            raise UnreadableInput("the file is empty: there is nothing to check")
        from postcheck.read_docx import read_docx

        return _sized(read_docx(data, item))
    if len(data) > DRAFT_MAX_BYTES:
        raise UnreadableInput(too_large("the file is", DRAFT_MAX_BYTES))
    if data[:2] == b"PK" or sniff_image(data[:16]):
        raise UnreadableInput(BINARY)
    if ext not in TEXT_EXTENSIONS and item.path is not None:
        raise UnreadableInput(
            f"unsupported format {ext or '(no extension)'}: postcheck reads "
            ".txt, .md, .docx, .html and images"
        )
    text, note = decode_text(data, item.display)
    sniffed = item.path is None and looks_like_html(text)
    if ext in (".html", ".htm") or sniffed:
        from postcheck.read_html import read_html

        if sniffed:
            note = f"{item.display}: read as HTML (it contains HTML tags)" + (f"; {note}" if note else "")
        return _sized(read_html(text, item, note))
    return DraftParts(TextDoc(text, item.display, None, note))


def _sized(parts: DraftParts) -> DraftParts:
    if len(parts.doc.text.encode("utf-8")) > DRAFT_MAX_BYTES:
        raise UnreadableInput(too_large("the text in it is", DRAFT_MAX_BYTES))
    return parts


# Elements of HTML that a plain-text draft does not contain: one of them, opened or
# closed, marks text on standard input as an HTML page (or a fragment of one).
_HTML_TAG = re.compile(
    r"<(?:!doctype\s+html|/?(?:html|head|body|p|br|hr|b|i|u|s|em|strong|small|mark|span|div|a|img|"
    r"h[1-6]|ul|ol|li|dl|dt|dd|table|thead|tbody|tr|td|th|blockquote|q|cite|code|pre|sub|sup|figure|"
    r"figcaption|section|article|header|footer|nav|main|aside|font|center|strike|del|ins|abbr|time|"
    r"picture|source|video|iframe|script|style|meta|link|title)(?:\s[^<>]*)?/?)>",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` (read without a file name) is HTML: it has an HTML tag."""
    return _HTML_TAG.search(text) is not None
