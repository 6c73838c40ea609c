"""Who ran postcheck, where, when, and under which policy, config and register:
hashes only, shared by receipts (:mod:`postcheck.receipts`) and the audit trail
(:mod:`postcheck.audit`). Nothing here reads a file's content into a record:
the config, the pack and the register are represented by their SHA-256."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
from pathlib import Path
from typing import Any

from postcheck.fingerprints import sha256_or_none


def utc_now() -> str:
    """The current time, UTC, to the second: ``2026-11-30T18:51:51Z``."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def os_user() -> str:
    """The operating-system account running postcheck."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def host() -> str:
    """This computer's name (from the operating system; no network lookup)."""
    return socket.gethostname() or "unknown"


def policy_facts(policy: Any) -> dict[str, Any]:
    """The policy pack's id and the SHA-256 of its file."""
    return {"id": policy.id, "sha256": sha256_or_none(Path(policy.path))}


def config_facts(config: Any) -> dict[str, Any]:
    """SHA-256 of the config file and of the register files (None where there is none)."""
    register = {}
    for part in ("pupils", "staff"):
        path = config.get(f"register.{part}")
        register[part] = sha256_or_none(Path(path)) if path else None
    return {"config": sha256_or_none(config.path), "register": register}


def relative_path(display: str, cwd: Path | None = None) -> str:
    """An input's path relative to the current folder, with ``/`` separators
    (``<stdin>`` stays as it is)."""
    if display.startswith("<") and display.endswith(">"):
        return display
    base = cwd or Path.cwd()
    try:
        rel = os.path.relpath(os.path.abspath(display), base)
    except ValueError:  # another drive on Windows
        rel = display
    return Path(rel).as_posix()
