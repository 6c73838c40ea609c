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

import errno
import html.parser
import io
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from postcheck.channel import folder_channel, is_channel_folder
from postcheck.errors import InputMissing, UnreadableInput
from postcheck.grouping import drafts_note, group_folder, group_key, group_named
from postcheck.model import InputFile, Post

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
            elif entry.is_symlink():
                os.stat(path)  # raises for a loop or a broken link
                out.append(("problem", path, "not a regular file"))
            else:
                out.append(("problem", path, "not a regular file"))
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                reason = "a symbolic-link loop"
            elif exc.errno == errno.ENOENT:
                reason = "a broken symbolic link"
            else:
                reason = exc.strerror or str(exc)
            out.append(("problem", path, reason))
    return out


def _walk(folder: Path, seen: frozenset[tuple[int, int]]) -> _Walk:
    """Every file below ``folder``, noting symlink loops and unreadable entries."""
    out = _Walk([], [])
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
            sub = _walk(path, seen | {key})
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

    Raises :class:`InputMissing` when a named input does not exist.
    """
    named: list[InputFile] = []
    posts: list[Post] = []
    for arg in args:
        if arg == "-":
            data = stdin if stdin is not None else sys.stdin.buffer.read()
            named.append(InputFile("<stdin>", "text", None, data))
            continue
        path = Path(arg)
        if not path.exists():
            if path.is_symlink():
                raise InputMissing(f"{arg}: a broken symbolic link")
            raise InputMissing(f"{arg}: no such file or folder")
        if path.is_dir():
            posts.extend(posts_from_folder(path, group))
        else:
            named.append(input_file(path, arg))
    return [_post(name, files, group) for name, files in group_named(named, group)] + posts


# --- drafts ------------------------------------------------------------------------


@dataclass(frozen=True)
class TextDoc:
    """The text of one draft (or of a text-bearing part of an image)."""

    text: str
    input: str
    source: str | None = None  # where the text came from, for image text
    note: str | None = None  # e.g. "not UTF-8: read as cp1252"


def _decode(data: bytes, display: str) -> tuple[str, str | None]:
    if not data.strip():
        raise UnreadableInput("the file is empty: there is nothing to check")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
    if b"\x00" in data[:8192]:
        raise UnreadableInput("binary data, not text: is this the right file?")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableInput("binary data, not text: is this the right file?")
    text = str(best)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > max(2, len(text) // 100):
        raise UnreadableInput("binary data, not text: is this the right file?")
    return text, f"{display}: not UTF-8: read as {best.encoding}; check the text reads correctly"


class _HTMLText(html.parser.HTMLParser):
    BLOCK: ClassVar[set[str]] = {
        *("p", "div", "br", "li", "tr", "section", "article"),
        *("h1", "h2", "h3", "h4", "h5", "h6"),
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag in self.BLOCK:
            self.parts.append("\n")
        for name, value in attrs:
            if name in ("alt", "title") and value:
                self.parts.append(f"\n{value}\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def docx_text(data: bytes) -> str:
    """Body paragraphs, tables, headers and footers, and image alt text of a .docx."""
    import zipfile

    try:
        import docx
    except ImportError as exc:  # pragma: no cover - a dependency
        raise UnreadableInput("reading .docx needs python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableInput(f"not a readable .docx file ({exc.__class__.__name__})") from exc
    parts: list[str] = []

    def cells(table) -> None:
        for row in table.rows:
            for cell in row.cells:
                for para in cell.paragraphs:
                    parts.append(para.text)
                for inner in cell.tables:
                    cells(inner)

    for section in document.sections:
        for part in (section.header, section.first_page_header, section.footer):
            try:
                parts.extend(p.text for p in part.paragraphs)
            except (ValueError, KeyError):
                continue
    parts.extend(p.text for p in document.paragraphs)
    for table in document.tables:
        cells(table)
    # Alt text of pictures: <wp:docPr descr="..." title="...">
    ns = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
    for el in document.element.body.iter(ns):
        for attr in ("title", "descr"):
            if el.get(attr):
                parts.append(el.get(attr))
    return "\n".join(p for p in parts if p and p.strip())


def read_draft(item: InputFile) -> TextDoc:
    """The text of a draft. Raises :class:`UnreadableInput` with the reason."""
    if item.data is not None:
        data = item.data
    else:
        assert item.path is not None
        try:
            data = item.path.read_bytes()
        except IsADirectoryError as exc:
            raise UnreadableInput("is a folder") from exc
        except OSError as exc:
            raise UnreadableInput(f"cannot read: {exc.strerror or exc}") from exc
    ext = item.path.suffix.lower() if item.path else ".txt"
    if ext == ".docx" or (data[:2] == b"PK" and ext not in (".txt", ".md")):
        if not data:
            raise UnreadableInput("the file is empty: there is nothing to check")
        text = docx_text(data)
        if not text.strip():
            raise UnreadableInput("the document has no text: there is nothing to check")
        return TextDoc(text, item.display)
    if data[:2] == b"PK" or sniff_image(data[:16]):
        raise UnreadableInput("binary data, not text: is this the right file?")
    if ext not in TEXT_EXTENSIONS and item.path is not None:
        raise UnreadableInput(
            f"unsupported format {ext or '(no extension)'}: postcheck reads "
            ".txt, .md, .docx, .html and images"
        )
    text, note = _decode(data, item.display)
    if ext in (".html", ".htm"):
        text = html_text(text)
        if not text.strip():
            raise UnreadableInput("the page has no text: there is nothing to check")
    return TextDoc(text, item.display, None, note)
