"""Reading an input file safely, and decoding a draft's text.

:func:`read_file` opens a file without blocking and checks it with ``fstat``
before a byte is read, so a named pipe or a device is refused, never waited on,
and a file past its size limit is never read. :func:`decode_text` decodes a
draft: UTF-8, UTF-16 and UTF-32 (with a byte-order mark, or told apart by
charset-normalizer without one) and legacy code pages, with a note whenever
it is not plain UTF-8.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from postcheck.errors import UnreadableInput
from postcheck.limits import too_large


def file_kind(mode: int) -> str | None:
    """What a non-regular file is ("a named pipe"), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def not_regular(kind: str) -> str:
    return f"{kind}, not a file: postcheck reads only regular files (use - for standard input)"


def read_file(path: Path, limit: int, what: str = "the file is") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The file is opened without blocking and checked before anything is read, so
    a named pipe or a device is refused, never waited on or read forever.
    Raises :class:`UnreadableInput` with the reason."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError as exc:
        raise UnreadableInput("is a folder") from exc
    except OSError as exc:
        raise UnreadableInput(f"cannot read: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        kind = file_kind(st.st_mode)
        if kind == "a folder":
            raise UnreadableInput("is a folder")
        if kind is not None:
            raise UnreadableInput(not_regular(kind))
        if st.st_size > limit:
            raise UnreadableInput(too_large(what, limit))
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise UnreadableInput(f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise UnreadableInput(too_large(what, limit))
    return data


_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
BINARY = "binary data, not text: is this the right file?"


def decode_text(data: bytes, display: str) -> tuple[str, str | None]:
    if not data.strip():
        raise UnreadableInput("the file is empty: there is nothing to check")
    # UTF-32's byte-order marks begin with UTF-16's: test them first.
    if data.startswith(_UTF32_BOMS):
        text = _strict(data, "utf-32")
        return text, f"{display}: read as UTF-32 (it starts with a UTF-32 byte-order mark)"
    if data.startswith(_UTF16_BOMS):
        return _strict(data, "utf-16"), None
    if b"\x00" in data[:8192]:
        # NUL bytes: binary, or UTF-16/UTF-32 without a byte-order mark (never
        # taken for each other: charset-normalizer tells them apart by layout)
        return _wide_without_bom(data, display)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableInput(BINARY)
    text = str(best)
    if _mostly_controls(text):
        raise UnreadableInput(BINARY)
    return text, f"{display}: not UTF-8: read as {best.encoding}; check the text reads correctly"


def _strict(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableInput(f"not valid {encoding.upper()} text ({exc.reason})") from exc
    if not text.strip():
        raise UnreadableInput("the file is empty: there is nothing to check")
    if _mostly_controls(text):
        raise UnreadableInput(BINARY)
    return text


def _mostly_controls(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
    return controls > max(2, len(text) // 100)


def _wide_without_bom(data: bytes, display: str) -> tuple[str, str | None]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not best.encoding.startswith(("utf_16", "utf_32")):
        raise UnreadableInput(BINARY)
    text = str(best)
    if not text.strip() or _mostly_controls(text):
        raise UnreadableInput(BINARY)
    encoding = best.encoding.upper().replace("_", "-")
    return text, f"{display}: no byte-order mark: read as {encoding}; check the text reads correctly"
