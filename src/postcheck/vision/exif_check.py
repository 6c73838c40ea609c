"""Whether an EXIF block can be read whole.

Pillow skips an EXIF field whose data it cannot read (an offset past the end of
the block, an IFD cut short) and says so only through :mod:`warnings`. Catching
those warnings needs ``warnings.catch_warnings``, which changes the warning
state of the whole process: in a process that checks a draft and its photos in
two threads, another thread's warnings would be caught here and ours lost. So
the block is walked here, the way Pillow reads it (IFD0, the Exif IFD, the GPS
IFD), and the first field Pillow would skip is named.
"""

from __future__ import annotations

import struct

# TIFF field types Pillow reads (ImageFileDirectory_v2._load_dispatch), and the
# size of one value
_UNIT = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8}
_SUB_IFDS = {0x8769: "Exif", 0x8825: "GPS"}
# how an integer-typed value is read (BYTE, UNDEFINED, SHORT, LONG, SSHORT, SLONG, IFD)
_POINTER = {1: "B", 7: "B", 3: "H", 8: "h", 4: "L", 9: "l", 13: "L"}


def exif_problem(raw: bytes) -> str | None:
    """What cannot be read in the EXIF block ``raw`` (with or without its
    ``Exif\\0\\0`` prefix), or None when every field can be."""
    data = bytes(raw)
    if data.startswith(b"Exif\x00\x00"):
        data = data[6:]
    if not data:
        return None
    if len(data) < 8 or data[:2] not in (b"II", b"MM"):
        return "no TIFF header"
    order = "<" if data[:2] == b"II" else ">"
    if struct.unpack_from(order + "H", data, 2)[0] != 42:
        return "no TIFF header"
    try:
        return _walk(data, order)
    except struct.error:
        return "a field is cut short"


def _walk(data: bytes, order: str) -> str | None:
    (first,) = struct.unpack_from(order + "L", data, 4)
    todo, seen, total = [("IFD0", first)], set(), [0]
    while todo:
        name, at = todo.pop(0)
        if at in seen:
            continue
        seen.add(at)
        if at + 2 > len(data):
            return f"the {name} directory is past the end of the block"
        (count,) = struct.unpack_from(order + "H", data, at)
        if at + 2 + 12 * count + 4 > len(data):
            return f"the {name} directory is cut short"
        tags: set[int] = set()
        for i in range(count):
            entry = struct.unpack_from(order + "HHL4s", data, at + 2 + 12 * i)
            if entry[0] in tags:  # Pillow keeps the first entry it could read, and skips the others
                continue
            problem = _entry(data, order, name, entry, total, tags)
            if problem:
                return problem
            if entry[0] in _SUB_IFDS and name == "IFD0" and entry[1] in _UNIT:
                if entry[1] not in _POINTER:
                    return f"the {_SUB_IFDS[entry[0]]} directory's address is not a number"
                todo.append(
                    (_SUB_IFDS[entry[0]], struct.unpack_from(order + _POINTER[entry[1]], entry[3])[0])
                )
    return None


def _entry(
    data: bytes, order: str, name: str, entry: tuple[int, int, int, bytes], total: list[int], tags: set[int]
) -> str | None:
    """What Pillow would skip in one directory entry; ``total`` counts the bytes of
    data read so far, ``tags`` the tags read."""
    tag, typ, n, value = entry
    unit = _UNIT.get(typ)
    if unit is None:  # a type Pillow does not read: skipped by Pillow too, silently
        return None
    size = n * unit
    if size > 4:
        (where,) = struct.unpack(order + "L", value)
        total[0] += size
        if where + size > len(data) or total[0] > len(data):
            return f"{name} tag {tag}: {size} bytes of data past the end of the block"
    if size:
        tags.add(tag)
    if n > 1 and typ not in (1, 2, 7) and _single(tag, name):  # text and bytes are one value
        return f"{name} tag {tag} has {n} values where one is expected"
    return None


def _single(tag: int, name: str) -> bool:
    """Whether the TIFF/EXIF specification gives ``tag`` exactly one value (Pillow
    warns and keeps the first of several)."""
    from PIL import TiffTags

    group = {"IFD0": None, "Exif": 0x8769, "GPS": 0x8825}[name]
    return TiffTags.lookup(tag, group).length == 1
