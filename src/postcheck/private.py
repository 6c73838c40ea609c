"""Files only the user can read: the signing key and the audit trail.

Both are created with mode 0600 (folders 0700) whatever the umask: a file is
opened with ``O_CREAT | O_EXCL`` and mode 0600, then ``fchmod`` sets exactly
0600 (a umask such as 0277 would otherwise leave it read-only).
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed; a folder postcheck creates is 0700."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        os.chmod(path, DIR_MODE)
    return path


def create_private(path: Path, data: bytes, replace: bool = False) -> None:
    """Write ``data`` to a new file of mode 0600 (FileExistsError if it exists and not ``replace``).

    With ``replace``, the new file is written beside it and renamed over it, so
    the old one is never half-overwritten."""
    private_dir(path.parent)
    target = path.with_name(path.name + ".new") if replace else path
    if replace:
        target.unlink(missing_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    if replace:
        os.replace(target, path)


def touch_private(path: Path) -> None:
    """Make sure ``path`` exists with mode 0600 (created empty if missing)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
