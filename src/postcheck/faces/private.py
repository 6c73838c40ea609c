"""The face-data folder: files written 0600 in 0700 folders, checked before they
are trusted, and a manifest of every file the cache wrote.

Face encodings are biometric data of children. :class:`FaceStore` is the only
way :mod:`postcheck.faces.cache` touches its folder (``.../faces``):

* **Refusal.** Before anything is read or written, the folder, its ``enc``
  folder and every file the cache wrote must belong to the user running
  postcheck, be real files and folders (not symbolic links) and have mode 0700
  (folders) or 0600 (files). Anything else is a :class:`UnsafeFaceData` error
  (exit 78) naming the path and what to do; nothing is repaired silently, since
  a file that others could read may already have been read.
* **Private writes, whatever the umask.** Files are written atomically through
  ``mkstemp`` (created 0600) and ``fchmod 0600``; folders the cache creates
  (including the cache folder's missing parents) are made 0700 explicitly.
* **A manifest.** ``.postcheck-manifest.json`` lists every file and folder the
  cache created, relative to its folder. A file is added to the manifest before
  it is written, so a crash never leaves an unlisted file of ours behind. Only
  listed files are ever deleted (by re-enrolment or ``register purge``), so a
  ``POSTCHECK_CACHE_DIR`` whose ``faces`` folder holds other files keeps them;
  an unlisted file where the cache must write is refused, never overwritten.
  A cache written before the manifest existed is recognised by its
  ``index.json`` and adopted (exactly the files that index names).
* **Encodings are validated when read** (:func:`valid_encodings`): finite,
  128 numbers a row, and an L2 norm in :data:`NORM_RANGE`. A file of zeros,
  NaNs or anything else is damaged face data: the check that reads it fails
  (the post is blocked), never matches nobody.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from postcheck.errors import ConfigError

MANIFEST = ".postcheck-manifest.json"
LOCK = ".lock"
LOCK_LISTED_WITHIN = 2.0  # seconds a new lock file may go unlisted (its creator lists it)
TMP_PREFIX = ".postcheck-tmp-"
MANIFEST_VERSION = 1
# dlib's face descriptors have an L2 norm of 1.30-1.53 (40 faces of the shared
# test photos, median 1.40). The range is wide on purpose: it is there to catch
# what is not a descriptor at all (zeros, NaN, garbage), not to judge faces.
NORM_RANGE = (0.5, 2.5)
PURGE_HINT = "run `postcheck register purge`, then `postcheck register enrol`"


class UnsafeFaceData(ConfigError):
    """Face data that is not private, not ours, or damaged (exit 78)."""


# --- private writes ------------------------------------------------------------------


def private_dirs(path: Path) -> None:
    """Create ``path`` and its missing parents, each created folder 0700 whatever the umask."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)


def _fchmod_600(fd: int) -> None:
    """0600 on an open file; Windows has no ``os.fchmod`` before Python 3.13 (there the
    user profile folder's permissions keep the file private)."""
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)


def write_private(path: Path, write: Callable[[Any], None]) -> None:
    """Write ``path`` atomically as a 0600 file (never group- or world-readable)."""
    private_dirs(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX)  # created 0600
    try:
        _fchmod_600(fd)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --- checks --------------------------------------------------------------------------


def _unsafe(path: Path, want_dir: bool, modes: bool = True) -> str | None:
    """Why ``path`` may not be trusted as the user's own private file or folder
    (``modes``: also its permission bits)."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    kind = "folder" if want_dir else "file"
    if stat.S_ISLNK(st.st_mode):
        return f"face data {kind} {path} is a symbolic link: postcheck will not follow it"
    if want_dir != stat.S_ISDIR(st.st_mode) or not (want_dir or stat.S_ISREG(st.st_mode)):
        return f"face data {path} is not a {kind}"
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return (
            f"face data {kind} {path} belongs to another user (uid {st.st_uid}): postcheck will not "
            "read or change it; set POSTCHECK_CACHE_DIR to a folder of your own"
        )
    want = 0o700 if want_dir else 0o600
    mode = stat.S_IMODE(st.st_mode)
    if modes and os.name == "posix" and mode != want:
        return (
            f"face data {kind} {path} has mode {mode:04o}, not {want:04o}: other users may have read it; "
            f"{PURGE_HINT}"
        )
    return None


def valid_encodings(arr: Any, rows: int | None, where: Path) -> Any:
    """``arr`` as float64 when it is ``rows`` (any number if None) face descriptors;
    :class:`UnsafeFaceData` otherwise."""
    import numpy as np

    a = np.asarray(arr)
    problem = None
    if a.dtype.kind != "f":
        problem = f"holds {a.dtype} values, not numbers"
    elif a.ndim != 2 or a.shape[1] != 128 or (rows is not None and a.shape[0] != rows):
        want = f"({rows}, 128)" if rows is not None else "(n, 128)"
        problem = f"has shape {tuple(a.shape)}, not {want}"
    elif not np.isfinite(a).all():
        problem = "holds NaN or infinite values"
    else:
        norms = np.linalg.norm(a, axis=1)
        low, high = NORM_RANGE
        if len(norms) and ((norms < low).any() or (norms > high).any()):
            problem = "holds vectors that are not face encodings (zero, or far too long)"
    if problem:
        raise UnsafeFaceData(f"face data file {where} is damaged: it {problem}; {PURGE_HINT}")
    return a.astype(np.float64, copy=False)


# --- the store -----------------------------------------------------------------------


class FaceStore:
    """The face-data folder ``root`` and the manifest of what the cache wrote in it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: set[str] | None = None
        self._dirs: set[str] = set()

    # the manifest

    def _load(self, again: bool = False) -> None:
        if self._files is not None and not again:
            return
        self._files, self._dirs = set(), set()
        path = self.root / MANIFEST
        problem = _unsafe(path, False, modes=False)  # modes: see check()
        if problem:
            raise UnsafeFaceData(problem)
        if not path.exists():
            self._adopt_legacy()
            return
        try:
            data = json.loads(path.read_text("utf-8"))
            files, dirs = data["files"], data["dirs"]
            assert data["version"] == MANIFEST_VERSION
        except (OSError, ValueError, KeyError, TypeError, AssertionError):
            raise UnsafeFaceData(f"face data manifest {path} is damaged; {PURGE_HINT}") from None
        self._files = {f for f in files if self._inside(f)}
        self._dirs = {d for d in dirs if self._inside(d)}

    def _inside(self, rel: Any) -> bool:
        """A manifest entry is a plain relative path inside the folder (never ``..``)."""
        if not isinstance(rel, str) or not rel:
            return False
        p = PurePosixPath(rel)
        return not p.is_absolute() and ".." not in p.parts and "\\" not in rel

    def _adopt_legacy(self) -> None:
        """A cache from before the manifest: its index names exactly its files."""
        try:
            index = json.loads((self.root / "index.json").read_text("utf-8"))
            if not isinstance(index, dict) or index.get("version") != 1 or "results" not in index:
                return
        except (OSError, ValueError):
            return
        assert self._files is not None
        self._files |= {"index.json", "set.npy", LOCK}
        self._dirs |= {".", "enc"}
        self._files |= {f"enc/{sha}.npy" for sha in index["results"] if self._inside(sha) and "/" not in sha}

    def _save(self) -> None:
        body = json.dumps(
            {"version": MANIFEST_VERSION, "files": sorted(self._files or ()), "dirs": sorted(self._dirs)},
            indent=1,
        ).encode("utf-8")
        write_private(self.root / MANIFEST, lambda fh: fh.write(body))

    def owns(self, rel: str) -> bool:
        self._load()
        assert self._files is not None
        return rel in self._files

    # checks

    def check(self, modes: bool = True) -> None:
        """Refuse (:class:`UnsafeFaceData`) unless the folder and everything the
        cache wrote in it is the user's own and (``modes``) private."""
        problem = _unsafe(self.root, True, modes)
        if problem:
            raise UnsafeFaceData(problem)
        if not self.root.exists():
            return
        self._load()
        assert self._files is not None
        for rel in sorted(self._dirs - {"."}):
            if problem := _unsafe(self.root / rel, True, modes):
                raise UnsafeFaceData(problem)
        for rel in sorted(self._files):
            if problem := _unsafe(self.root / rel, False, modes):
                raise UnsafeFaceData(problem)

    # writing and deleting

    def folder(self, rel: str = "") -> Path:
        """``root/rel``, created 0700 by the cache (and listed) if missing; an
        existing folder the cache did not create is refused."""
        path = self.root / rel if rel else self.root
        self._load()
        if rel and rel not in self._dirs:
            if path.exists() or path.is_symlink():
                raise UnsafeFaceData(f"{path} was not created by postcheck: it will not write into it")
            self._dirs.add(rel)
            self._save()
            private_dirs(path)
        if problem := _unsafe(path, True):
            raise UnsafeFaceData(problem)
        return path

    def claim(self, rel: str) -> Path:
        """List ``rel`` in the manifest before the cache writes it; refuse a file
        already there that the cache did not write."""
        path = self.root / rel
        self.folder(str(PurePosixPath(rel).parent) if "/" in rel else "")
        if not self.owns(rel):
            if path.exists() or path.is_symlink():
                raise UnsafeFaceData(f"{path} was not written by postcheck: it will not overwrite it")
            assert self._files is not None
            self._files.add(rel)
            self._save()
        elif problem := _unsafe(path, False):
            raise UnsafeFaceData(problem)
        return path

    def write(self, rel: str, write: Callable[[Any], None]) -> None:
        write_private(self.claim(rel), write)

    def delete(self, rel: str) -> bool:
        """Delete ``rel`` if the cache wrote it; True when a file was deleted."""
        if not self.owns(rel):
            return False
        path = self.root / rel
        deleted = False
        if path.is_file() and not path.is_symlink():
            path.unlink()
            deleted = True
        assert self._files is not None
        self._files.discard(rel)
        self._save()
        return deleted

    def listed(self, prefix: str = "") -> list[str]:
        self._load()
        return sorted(f for f in self._files or () if f.startswith(prefix))

    def clear(self, keep: tuple[str, ...] = ()) -> None:
        """Delete every file the cache wrote (except ``keep``) and its leftover temporary files."""
        for rel in self.listed():
            if rel not in keep:
                self.delete(rel)
        for folder in {self.root, *(self.root / d for d in self._dirs)}:
            if folder.is_dir() and not folder.is_symlink():
                for tmp in folder.glob(TMP_PREFIX + "*"):
                    tmp.unlink(missing_ok=True)

    def remove(self) -> None:
        """After :meth:`clear`: delete the manifest and the folders the cache created,
        when nothing else is left in them."""
        (self.root / MANIFEST).unlink(missing_ok=True)
        for rel in sorted(self._dirs - {"."}, key=lambda d: -d.count("/")):
            with contextlib.suppress(OSError):  # not empty: another program's files
                (self.root / rel).rmdir()
        if "." in self._dirs:
            with contextlib.suppress(OSError):
                self.root.rmdir()
        self._files, self._dirs = None, set()

    def save_array(self, rel: str, arr: Any) -> None:
        import numpy as np

        self.write(rel, lambda fh: np.save(fh, np.asarray(arr, dtype=np.float64), allow_pickle=False))

    def load_array(self, rel: str, rows: int | None) -> Any:
        """A validated encoding (``rows`` None: one photo's (128,)) or matrix of
        ``rows`` encodings; FileNotFoundError when the file is not there."""
        import numpy as np

        path = self.root / rel
        if not self.owns(rel):
            raise FileNotFoundError(path)
        try:
            arr = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise
        except (OSError, ValueError, EOFError):
            raise UnsafeFaceData(f"face data file {path} is damaged (cannot be read); {PURGE_HINT}") from None
        if rows is None:
            if arr.shape != (128,):
                raise UnsafeFaceData(
                    f"face data file {path} is damaged: it is not one encoding; {PURGE_HINT}"
                )
            return valid_encodings(arr[None, :], 1, path)[0]
        return valid_encodings(arr.reshape(-1, 128) if arr.size == 0 else arr, rows, path)

    def _acquire(self, fd: int, created: bool) -> None:
        """Take the lock on ``fd`` and read the manifest afresh. A lock file that
        another process has just created is listed by that process once it holds
        the lock, so a lock file not (yet) listed is waited for, briefly."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: atomic writes still keep files whole
            self._load(again=True)
            return
        deadline = time.monotonic() + LOCK_LISTED_WITHIN
        while True:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._load(again=True)  # another process may have changed it while we waited
            assert self._files is not None
            if created or LOCK in self._files or time.monotonic() > deadline:
                return
            fcntl.flock(fd, fcntl.LOCK_UN)
            time.sleep(0.02)

    @contextlib.contextmanager
    def locked(self, modes: bool = True) -> Iterator[None]:
        """Hold the cache's lock (serialising enrolment and purging between
        processes, ``--jobs`` workers included) with the manifest read afresh;
        every change to the manifest is made while it is held. ``modes``: refuse
        wrong permission bits too (purge does not: deleting is the remedy)."""
        created_root = not self.root.exists()
        if created_root:
            private_dirs(self.root)
        if problem := _unsafe(self.root, True, modes):
            raise UnsafeFaceData(problem)
        path = self.root / LOCK
        nofollow = getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | nofollow, 0o600)
            created = True
            _fchmod_600(fd)
        except FileExistsError:
            try:
                fd = os.open(path, os.O_RDWR | nofollow)
            except OSError:  # a symbolic link, or not ours to open
                raise UnsafeFaceData(_unsafe(path, False) or f"cannot open {path}") from None
            created = False
        try:
            self._acquire(fd, created)
            assert self._files is not None
            if not created and LOCK not in self._files:
                raise UnsafeFaceData(f"{path} was not written by postcheck: it will not use it")
            if not created and (problem := _unsafe(path, False, modes)):
                raise UnsafeFaceData(problem)
            if created or created_root:
                self._files.add(LOCK)
                if created_root:  # the folder itself is the cache's: purge may remove it
                    self._dirs.add(".")
                self._save()
            yield
        finally:
            os.close(fd)  # releases the lock
