"""The face-encoding cache and enrolment of the register's reference photos.

Face encodings of pupils are biometric data of children. They are kept only
here, under ``platformdirs.user_cache_dir("postcheck")/faces`` (or
``$POSTCHECK_CACHE_DIR/faces``), in a folder of mode 0700 whose files are 0600,
all written, checked and deleted through :class:`postcheck.faces.private.FaceStore`
(which refuses files that are not the user's own and private, and deletes only
what its manifest says the cache wrote):

* ``enc/<sha256>.npy`` — the 128-d encoding of one accepted reference photo,
  keyed by the SHA-256 of the photo's bytes (``np.save``, no pickle);
* ``set.npy`` — every accepted encoding of the register stacked in one matrix,
  so an unchanged register loads with one read;
* ``index.json`` — for each reference photo: its path, size, modification time
  and content hash, and for each hash the quality gate's verdict. It holds no
  encodings;
* ``.postcheck-manifest.json`` — the files and folders above, and ``.lock``.

An unchanged photo (same size and modification time, or same content) is never
re-encoded; a changed photo is re-hashed and encoded afresh; a photo that is no
longer in the register has its encoding deleted at the next enrolment. Every
encoding read back is validated (:func:`postcheck.faces.private.valid_encodings`).
``purge`` deletes everything the cache wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postcheck.faces.matching import Enrolled
from postcheck.faces.private import LOCK, FaceStore
from postcheck.fingerprints import sha256_file
from postcheck.register import Person, Register

CACHE_ENV = "POSTCHECK_CACHE_DIR"
INDEX_VERSION = 1
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif")

Progress = Callable[[int, int, str], None]  # (done, total, what)


def cache_root() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("postcheck"))


def faces_dir() -> Path:
    return cache_root() / "faces"


# --- private files -------------------------------------------------------------


def check_private(root: Path | None = None) -> None:
    """Refuse (exit 78) face data that is not the user's own and private."""
    FaceStore(root or faces_dir()).check()


def _store(root: Path | None) -> FaceStore:
    store = FaceStore(root or faces_dir())
    store.check()
    return store


# --- the index -------------------------------------------------------------------


@dataclass
class Index:
    detector: str = ""
    photos: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> sha256, size, mtime_ns
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # sha256 -> ok, reason
    set_key: str = ""

    @classmethod
    def load(cls, store: FaceStore) -> Index:
        if not store.owns("index.json"):
            return cls()
        try:
            data = json.loads((store.root / "index.json").read_text("utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
            return cls()
        return cls(
            data.get("detector", ""), data.get("photos", {}), data.get("results", {}), data.get("set", "")
        )

    def save(self, store: FaceStore) -> None:
        data = {
            "version": INDEX_VERSION,
            "detector": self.detector,
            "photos": self.photos,
            "results": self.results,
            "set": self.set_key,
        }
        body = json.dumps(data, indent=1, sort_keys=True).encode("utf-8")
        store.write("index.json", lambda fh: fh.write(body))


# --- what the register asks for ----------------------------------------------------


@dataclass(frozen=True)
class RefPhoto:
    person: str
    path: Path
    size: int
    mtime_ns: int
    sha256: str | None  # known from the index when the file is unchanged


@dataclass
class Plan:
    photos: list[RefPhoto]
    problems: dict[str, str]  # person id -> why they have no photos to enrol
    stale: bool


def list_photos(person: Person) -> tuple[list[Path], str | None]:
    """A person's reference photos (a file, or every image in a folder)."""
    p = person.photos
    if p is None:
        return [], "no reference photo in the register"
    try:
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES)
            return files, None if files else f"no photos in {p}"
        if p.is_file():
            return [p], None
    except OSError as exc:
        return [], f"cannot read {p}: {exc.strerror or exc}"
    return [], f"reference photo not found: {p}"


def plan(register: Register, detector: str, root: Path | None = None, store: FaceStore | None = None) -> Plan:
    """Which reference photos the register names and whether the cache is stale."""
    index = Index.load(store or _store(root))
    photos: list[RefPhoto] = []
    problems: dict[str, str] = {}
    stale = False
    for person in register.people:
        files, problem = list_photos(person)
        if problem:
            problems[person.id] = problem
        for f in files:
            key = str(f.resolve())
            try:
                st = f.stat()
            except OSError as exc:
                problems[person.id] = f"cannot read {f}: {exc.strerror or exc}"
                continue
            known = index.photos.get(key)
            sha = None
            if known and known.get("size") == st.st_size and known.get("mtime_ns") == st.st_mtime_ns:
                sha = known.get("sha256")
            if sha is None or sha not in index.results:
                stale = True
            photos.append(RefPhoto(person.id, Path(key), st.st_size, st.st_mtime_ns, sha))
    wanted = {str(r.path) for r in photos}
    if set(index.photos) - wanted:  # a photo was removed from the register
        stale = True
    if index.detector != _identity(detector) and (photos or index.photos):  # encodings depend on the detector
        stale = True
    if not stale and (photos or index.set_key) and _set_key(photos, index) != index.set_key:
        stale = True
    return Plan(photos, problems, stale)


def _rows(photos: list[RefPhoto], index: Index) -> list[tuple[str, str]]:
    rows = {
        (r.person, r.sha256)
        for r in photos
        if r.sha256 is not None and index.results.get(r.sha256, {}).get("ok")
    }
    return sorted(rows)  # type: ignore[arg-type]


def _identity(detector: str) -> str:
    """The detector and its model version, as the index records it."""
    from postcheck.faces.detector import identity

    return identity(detector)


def _set_key(photos: list[RefPhoto], index: Index) -> str:
    rows = _rows(photos, index)
    return hashlib.sha256(json.dumps([index.detector, rows]).encode()).hexdigest()


# --- enrolment ------------------------------------------------------------------------


@dataclass
class EnrolResult:
    enrolled: Enrolled
    encoded: int = 0  # photos encoded now
    reused: int = 0  # unchanged photos taken from the cache
    removed: int = 0  # encodings deleted because their photo left the register
    rejected: list[tuple[str, Path, str]] = field(default_factory=list)  # person, path, reason
    problems: dict[str, str] = field(default_factory=dict)
    usable: dict[str, int] = field(default_factory=dict)  # person id -> accepted photos


def _gate(path: Path, detector: str) -> tuple[bool, str, Any]:
    import numpy as np

    from postcheck.errors import UnreadableInput
    from postcheck.faces.encodings import reference_encoding
    from postcheck.images import open_image
    from postcheck.model import InputFile

    try:
        loaded = open_image(InputFile(str(path), "image", path))
    except UnreadableInput as exc:
        return False, f"cannot be read: {exc.reason}", None
    ref = reference_encoding(np.asarray(loaded.image), detector)
    return ref.ok, ref.reason, ref.encoding


def enrol(
    register: Register, detector: str, progress: Progress | None = None, root: Path | None = None
) -> EnrolResult:
    """Bring the cache up to date with the register's reference photos."""
    import numpy as np

    store = _store(root)
    with store.locked():
        current = plan(register, detector, store=store)
        index = Index.load(store)
        if index.detector != _identity(detector):  # encodings depend on the detector's boxes
            store.clear(keep=(LOCK,))
            index = Index(detector=_identity(detector))
        store.folder("enc")
        result = EnrolResult(Enrolled(np.zeros((0, 128)), ()), problems=dict(current.problems))
        photos = _encode_new(store, current.photos, index, detector, result, progress)
        result.removed = _forget_removed(store, photos, index)
        rows = _rows(photos, index)
        matrix = (
            np.stack([store.load_array(f"enc/{sha}.npy", None) for _p, sha in rows])
            if rows
            else np.zeros((0, 128))
        )
        store.save_array("set.npy", matrix)
        index.set_key = _set_key(photos, index)
        index.save(store)
        result.enrolled = Enrolled(matrix, tuple(p for p, _sha in rows))
        for r in photos:
            outcome = index.results.get(r.sha256 or "", {})
            if outcome.get("ok"):
                result.usable[r.person] = result.usable.get(r.person, 0) + 1
            else:
                result.rejected.append((r.person, r.path, outcome.get("reason", "not enrolled")))
        return result


def _encode_new(
    store: FaceStore,
    refs: list[RefPhoto],
    index: Index,
    detector: str,
    result: EnrolResult,
    progress: Progress | None,
) -> list[RefPhoto]:
    """Encode every photo the index has no verdict (or no encoding file) for; the
    photos with their content hashes."""
    photos: list[RefPhoto] = []
    total = len(refs)
    for n, ref in enumerate(refs):
        if progress:
            progress(n, total, ref.path.name)
        sha = ref.sha256 or sha256_file(ref.path)
        index.photos[str(ref.path)] = {"sha256": sha, "size": ref.size, "mtime_ns": ref.mtime_ns}
        photos.append(RefPhoto(ref.person, ref.path, ref.size, ref.mtime_ns, sha))
        outcome = index.results.get(sha)
        rel = f"enc/{sha}.npy"
        if outcome is not None and (
            not outcome.get("ok") or (store.owns(rel) and (store.root / rel).is_file())
        ):
            result.reused += 1
            continue
        ok, reason, encoding = _gate(ref.path, detector)
        if ok:
            store.save_array(rel, encoding)
        index.results[sha] = {"ok": ok, "reason": reason}
        result.encoded += 1
    if progress:
        progress(total, total, "done")
    return photos


def _forget_removed(store: FaceStore, photos: list[RefPhoto], index: Index) -> int:
    """Forget photos that left the register and delete their encodings (only files
    the cache wrote); the number of encoding files deleted."""
    wanted = {str(r.path) for r in photos}
    for key in set(index.photos) - wanted:
        del index.photos[key]
    live = {r.sha256 for r in photos}
    for sha in set(index.results) - live:
        del index.results[sha]
    removed = 0
    for rel in store.listed("enc/"):
        sha = rel[len("enc/") : -len(".npy")]
        if sha not in live or not index.results.get(sha, {}).get("ok"):
            removed += store.delete(rel)
    return removed


def load(register: Register, detector: str, root: Path | None = None) -> Enrolled | None:
    """The enrolled encodings when the cache is up to date, else None."""
    store = _store(root)
    current = plan(register, detector, store=store)
    if current.stale:
        return None
    index = Index.load(store)
    rows = _rows(current.photos, index)
    if not rows:  # nobody can be recognised: nothing to read (or to write)
        import numpy as np

        return Enrolled(np.zeros((0, 128)), ())
    if not store.owns("set.npy"):
        return None
    try:
        matrix = store.load_array("set.npy", len(rows))
    except FileNotFoundError:
        return None
    return Enrolled(matrix, tuple(p for p, _sha in rows))


def describe(register: Register, detector: str, root: Path | None = None) -> dict[str, Any]:
    """What the cache knows about each person, without encoding anything (for status)."""
    store = _store(root)
    current = plan(register, detector, store=store)
    index = Index.load(store)
    usable: dict[str, int] = {}
    pending: dict[str, int] = {}
    rejected: list[tuple[str, Path, str]] = []
    for r in current.photos:
        outcome = index.results.get(r.sha256 or "") if index.detector == _identity(detector) else None
        if outcome is None:
            pending[r.person] = pending.get(r.person, 0) + 1
        elif outcome.get("ok"):
            usable[r.person] = usable.get(r.person, 0) + 1
        else:
            rejected.append((r.person, r.path, outcome.get("reason", "")))
    return {
        "stale": current.stale,
        "usable": usable,
        "pending": pending,
        "rejected": rejected,
        "problems": current.problems,
    }


def purge(root: Path | None = None) -> tuple[Path, list[str]]:
    """Delete all face data the cache wrote (files of other programs in the same
    folder stay). Returns the folder and a list of what was deleted.

    The folder must be the user's own; files with the wrong mode are deleted all
    the same (deleting them is the remedy)."""
    store = FaceStore(root or faces_dir())
    store.check(modes=False)
    deleted: list[str] = []
    if not store.root.exists():
        return store.root, deleted
    with store.locked(modes=False):
        deleted = _purge_locked(store)
    store.remove()
    _LOADED.clear()
    return store.root, deleted


def _purge_locked(store: FaceStore) -> list[str]:
    deleted: list[str] = []
    present = [rel for rel in store.listed() if (store.root / rel).is_file()]
    encodings = [rel for rel in present if rel.startswith("enc/")]
    if encodings:
        deleted.append(f"{len(encodings)} face encoding file(s) of reference photos")
    if "set.npy" in present:
        deleted.append("the stacked encodings of the register (set.npy)")
    if "index.json" in present:
        deleted.append("the index of reference photos (paths, sizes, content hashes; index.json)")
    store.clear()
    return deleted


# --- per-process cache for checks ----------------------------------------------------

_LOADED: dict[tuple[Register, str, str], Enrolled] = {}


def enrolled_for(
    register: Register,
    detector: str,
    progress_bar: Callable[[], contextlib.AbstractContextManager[Progress | None]] | None = None,
) -> Enrolled:
    """The register's encodings, enrolling first when the cache is stale.

    Checked and loaded once per process; ``progress_bar`` makes the context
    manager that reports enrolment progress when enrolment is needed.
    """
    key = (register, detector, str(faces_dir()))
    found = _LOADED.get(key)
    if found is None:
        found = load(register, detector)
        if found is None:
            with progress_bar() if progress_bar else contextlib.nullcontext() as progress:
                found = enrol(register, detector, progress).enrolled
        _LOADED[key] = found
    return found
