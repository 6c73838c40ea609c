"""Where ``postcheck fix`` writes its copies: folder and file names that carry no
pupil's name, a refusal to write over an original, and writes that never replace
an existing file unless asked to (see :mod:`postcheck.fix`)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from postcheck.errors import UsageError
from postcheck.fix_text import fold
from postcheck.model import Finding, InputFile, Post, PostResult
from postcheck.register import Register

# --- output names --------------------------------------------------------------------


def _name_words(register: Register) -> set[str]:
    words: set[str] = set()
    for p in register.pupils:
        for n in (*p.given_names, p.last_name):
            for w in re.split(r"[\s\-']+", n):
                if len(w) >= 2:
                    words.add(fold(w))
    return words


def carries_name(stem: str, register: Register, words: set[str] | None = None) -> bool:
    """Whether a file or folder name contains a register pupil's name
    (``amelia-smith-award``, ``AmeliaSmith``, ``IMG_amelia``)."""
    words = words if words is not None else _name_words(register)
    if not words:
        return False
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)
    tokens = {fold(t) for t in re.split(r"[^\w]+|_", spaced) if t}
    return bool(tokens & words)


def _file_name_finding(f: Finding) -> bool:
    src = fold(f.source or "")
    return "file name" in src or "filename" in src or src == "name"


@dataclass(frozen=True)
class PlannedOutput:
    post: int
    item: InputFile
    dest: Path
    kind: str


def _safe_dir_name(name: str, register: Register, words: set[str], index: int) -> str:
    """The folder for a post's copies: its name, folder by folder, so that a post
    from an ``official/`` folder keeps it (and ``postcheck DIR`` checks the copies
    on the same channel); a part that carries a pupil's name becomes ``post-N``."""
    parts = []
    for part in name.split("/"):
        cleaned = re.sub(r"[^\w.\- ]+", "-", part).strip(" .-")
        if cleaned:
            parts.append(f"post-{index}" if carries_name(cleaned, register, words) else cleaned)
    return "/".join(parts) or f"post-{index}"


def text_ext(item: InputFile) -> tuple[str, str | None]:
    ext = item.path.suffix.lower() if item.path else ".txt"
    if ext in (".md", ".markdown", ".txt"):
        return ext, None
    if ext in (".docx", ".html", ".htm"):
        return ".txt", f"written as plain text (.txt): the {ext} layout is not kept"
    return ".txt", None


def plan_outputs(
    posts: Sequence[Post], results: Sequence[PostResult], out: Path, register: Register
) -> tuple[list[str], list[PlannedOutput]]:
    """Where each input's copy goes. One post: straight into ``out``; several:
    ``out/<post>/``. Names carrying a pupil's name are replaced."""
    words = _name_words(register)
    single = len(posts) == 1
    dir_names: list[str] = []
    used_dirs: set[str] = set()
    planned: list[PlannedOutput] = []
    for i, (post, result) in enumerate(zip(posts, results, strict=True), 1):
        dname = _safe_dir_name(post.name, register, words, i)
        base = dname
        n = 2
        while fold(dname) in used_dirs:
            dname = f"{base}-{n}"
            n += 1
        used_dirs.add(fold(dname))
        dir_names.append(dname)
        folder = out if single else out / dname
        used: set[str] = set()
        counters = {"image": 0, "text": 0}
        for item in post.inputs:
            flagged = any(f.input == item.display and _file_name_finding(f) for f in result.findings)
            if item.kind == "image":
                fmt_ext = _image_ext(item)
                stem = item.path.stem if item.path else "photo"
                default = "photo"
            else:
                fmt_ext, _ = text_ext(item)
                stem = item.path.stem if item.path else "draft"
                default = "draft"
            counters[item.kind] += 1
            if flagged or carries_name(stem, register, words):
                stem = f"{default}-{counters[item.kind]}"
            candidate = f"{stem}{fmt_ext}"
            n = 2
            while fold(candidate) in used:
                candidate = f"{stem}-{n}{fmt_ext}"
                n += 1
            used.add(fold(candidate))
            planned.append(PlannedOutput(i - 1, item, folder / candidate, item.kind))
    return dir_names, planned


def _image_ext(item: InputFile) -> str:
    from postcheck.inputs import sniff_image

    assert item.path is not None
    try:
        with item.path.open("rb") as fh:
            kind = sniff_image(fh.read(16))
    except OSError:
        kind = None
    ext = item.path.suffix.lower()
    if kind == "jpeg":
        return ext if ext in (".jpg", ".jpeg") else ".jpg"
    if kind == "png":
        return ".png"
    if kind == "webp":
        return ".webp"
    if kind == "tiff":
        return ext if ext in (".tif", ".tiff") else ".tif"
    return ".jpg"


def refuse_overwrite(planned: Sequence[PlannedOutput], posts: Sequence[Post], out: Path) -> None:
    """Raise UsageError when any copy would land on an original."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder; --out needs a folder")
    originals: dict[Path, str] = {}
    for post in posts:
        for item in post.inputs:
            if item.path is not None:
                originals[_real(item.path)] = item.display
    for p in planned:
        real = _real(p.dest)
        if real in originals:
            raise UsageError(
                f"--out {out}: the copy of {p.item.display} would be written over the original "
                f"{originals[real]}; choose an output folder outside the inputs' folders",
                hint="postcheck never modifies originals",
            )


def _real(path: Path) -> Path:
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError):
        return path.absolute()


def write_new(dest: Path, data: bytes, force: bool) -> str:
    """Write ``data`` to ``dest``: ``written``; without ``force``, when ``dest``
    exists: ``kept`` when it holds exactly ``data``, else ``stale`` (it is left alone).

    The bytes go to a hidden temporary file first, then are linked (no
    overwrite) or, with ``force``, renamed over the old copy, so a reader never
    sees a half-written file.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if (dest.exists() or dest.is_symlink()) and not force:
        return _existing(dest, data)
    fd, tmp = tempfile.mkstemp(prefix=".postcheck-", suffix=dest.suffix, dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if force:
            os.replace(tmp, dest)
            return "written"
        try:
            os.link(tmp, dest)
        except FileExistsError:
            return _existing(dest, data)
        except OSError:  # file systems without hard links (FAT on a USB stick)
            try:
                with open(dest, "xb") as fh:
                    fh.write(data)
            except FileExistsError:
                return _existing(dest, data)
        return "written"
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _existing(dest: Path, data: bytes) -> str:
    try:
        same = dest.is_file() and dest.stat().st_size == len(data) and dest.read_bytes() == data
    except OSError:
        same = False
    return "kept" if same else "stale"


__all__ = ["PlannedOutput", "carries_name", "plan_outputs", "refuse_overwrite", "text_ext", "write_new"]
