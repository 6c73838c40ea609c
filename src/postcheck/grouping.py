"""How files become posts: the stem rule and the ``--group`` modes.

The files of one folder are grouped by name (the **stem rule**):

* every draft is a post of its own, named after its stem, together with the
  draft's other formats of the same stem (``newsletter.txt`` and
  ``newsletter.docx``); numbered drafts stay separate posts
  (``newsletter-1.txt``, ``newsletter-2.txt``);
* a photo joins the draft whose stem is its own (``trip.jpg`` → ``trip.md``),
  or, failing that, its own with a trailing ``-2``, ``_2`` or `` (2)`` taken off,
  as many times as needed (``assembly-2.jpg``, ``assembly (3).jpg`` →
  ``assembly.txt``);
* photos that join no draft are grouped the same way among themselves
  (``sports-day.jpg`` + ``sports-day-2.jpg``: one photo-only post).

``--group`` (:data:`GROUP_MODES`) decides how files named on the command line
become posts: ``post`` (all of them are one post), ``stem`` (the stem rule, per
folder) or ``file`` (one post per draft, with the photos of its stem; a photo
of no draft's stem is a post of its own).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from postcheck.model import InputFile

GROUP_MODES: tuple[str, ...] = ("post", "stem", "file")
_STEM_SUFFIX = re.compile(r"(?:[-_ ]\d{1,3}|\s*\(\d{1,3}\))$")
STDIN_NAME = "stdin"


def stems(stem: str) -> list[str]:
    """``stem`` and each shorter form with a trailing number taken off, case-folded:
    ``"Assembly-2 (3)"`` → ``["assembly-2 (3)", "assembly-2", "assembly"]``."""
    out = [stem.casefold()]
    while True:
        shorter = _STEM_SUFFIX.sub("", stem)
        if shorter == stem or not shorter.strip():
            return out
        stem = shorter
        out.append(stem.casefold())


def group_key(path: PurePath) -> str:
    """A file's stem with every trailing number taken off, case-folded."""
    return stems(path.stem)[-1]


def _stem(item: InputFile) -> str:
    return item.path.stem if item.path is not None else STDIN_NAME


def group_folder(items: Sequence[InputFile], mode: str = "stem") -> list[tuple[str, list[InputFile]]]:
    """Group the files of one folder into posts by the stem rule (``mode`` ``stem``)
    or one post per draft (``file``). Returns ``(post name, files)`` in the
    order of each post's first file."""
    drafts: dict[str, list[InputFile]] = {}
    for item in items:
        if item.kind == "text":
            key = _stem(item).casefold() if mode == "stem" else f"{_stem(item).casefold()}\0{item.display}"
            drafts.setdefault(key, []).append(item)
    by_stem: dict[str, str] = {}
    for key in drafts:
        by_stem.setdefault(key.split("\0", 1)[0], key)
    photos: dict[str, list[InputFile]] = {}
    for item in items:
        if item.kind == "text":
            continue
        forms = stems(_stem(item))
        joined = next((by_stem[s] for s in forms if s in by_stem), None)
        if joined is not None:
            drafts[joined].append(item)
        else:
            key = forms[-1] if mode == "stem" else f"{forms[0]}\0{item.display}"
            photos.setdefault(key, []).append(item)
    groups = [*drafts.values(), *photos.values()]
    order = {id(item): i for i, item in enumerate(items)}
    groups.sort(key=lambda g: min(order[id(i)] for i in g))
    return [(_name(g), sorted(g, key=lambda i: order[id(i)])) for g in groups]


def _name(group: Sequence[InputFile]) -> str:
    drafts = [i for i in group if i.kind == "text"]
    if drafts:
        return _stem(drafts[0])
    return min((_stem(i) for i in group), key=lambda s: (len(s), s))


def group_named(items: Sequence[InputFile], mode: str) -> list[tuple[str, list[InputFile]]]:
    """Group files named on the command line: all in one post (``post``), or per
    folder by :func:`group_folder` (``stem``, ``file``). Standard input is a post
    of its own unless ``mode`` is ``post``."""
    if not items:
        return []
    if mode == "post":
        first = next((i for i in items if i.path is not None), None)
        return [(first.path.stem if first and first.path else "draft", list(items))]
    folders: dict[str, list[InputFile]] = {}
    for item in items:
        where = item.path.parent.as_posix() if item.path is not None else "\0stdin"
        folders.setdefault(where, []).append(item)
    out: list[tuple[str, list[InputFile]]] = []
    several = len([w for w in folders if w != "\0stdin"]) > 1
    for where, members in folders.items():
        if where == "\0stdin":
            out += [(STDIN_NAME, [m]) for m in members]
            continue
        prefix = f"{where}/" if several and where != "." else ""
        out += [(prefix + name, group) for name, group in group_folder(members, mode)]
    return out


def drafts_note(files: Sequence[InputFile], mode: str) -> str | None:
    """What the report says when several drafts ended up in one post."""
    drafts = [i.display for i in files if i.kind == "text"]
    if len(drafts) < 2:
        return None
    apart = "--group stem or --group file" if mode == "post" else "--group file"
    return (
        f"{len(drafts)} drafts in this one post ({', '.join(drafts)}): they were checked together "
        f"as one post; use {apart} to check them as separate posts"
    )
