"""The audit trail: one hash-chained record per run, in SQLite.

``platformdirs.user_data_dir("postcheck")/audit.sqlite3`` (mode 0600, folder
0700). Every ``check``, ``fix``, ``verify``, ``register`` and ``waive`` run
appends one record in one transaction (``BEGIN IMMEDIATE``: concurrent runs wait
their turn; the database is in WAL mode). A record holds hashes, ids, verdicts
and rule ids: never text, never a name from the register, never face data, never
a file name (input files are named by their SHA-256).

Each record stores the hash of the record before it (``prev``) and its own
``hash``: the SHA-256 of the canonical JSON of ``[seq, time, command, verdict,
data, prev]``, where ``data`` is the record's canonical JSON text. A one-row
``head`` table holds the last record's number and hash, so that deleting the
last record is detected too. ``postcheck audit verify`` walks the chain.

What the chain cannot do: anyone who can write the file can rebuild the whole
chain after an edit (there is no secret in it). Export it regularly
(``postcheck audit export``) to a place the school controls.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postcheck.fingerprints import canonical_json, sha256_bytes
from postcheck.private import private_dir, touch_private

DB_NAME = "audit.sqlite3"
GENESIS = "0" * 64
BUSY_TIMEOUT_S = 60.0
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY, time TEXT NOT NULL, "
    "command TEXT NOT NULL, verdict TEXT, data TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, "
    "hash TEXT NOT NULL)",
)


class AuditError(Exception):
    """The audit trail could not be read or written."""


def db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("postcheck")) / DB_NAME


def enabled(config: Any) -> bool:
    """``[audit] enabled`` (default true)."""
    return bool(config.get("audit.enabled")) if config is not None else True


@contextlib.contextmanager
def _connect(path: Path, create: bool) -> Iterator[sqlite3.Connection]:
    if create:
        private_dir(path.parent)
        touch_private(path)  # 0600 before SQLite opens it; SQLite gives -wal and -shm the same mode
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        _wal(conn)
        conn.execute("PRAGMA synchronous=FULL")
        yield conn
    finally:
        conn.close()


def _wal(conn: sqlite3.Connection) -> None:
    """Put the trail in WAL mode (a setting kept in the file). Changing the mode
    needs the database to itself, and SQLite answers "database is locked" at once,
    without waiting, while another process holds it (two first writers racing), so
    the change is retried until the busy timeout."""
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def record_hash(seq: int, time: str, command: str, verdict: str | None, data: str, prev: str) -> str:
    return sha256_bytes(canonical_json([seq, time, command, verdict, data, prev]))


def append(command: str, verdict: str | None, data: dict[str, Any], path: Path | None = None) -> int:
    """Append one record; returns its number. Raises AuditError when it cannot be written."""
    from postcheck.provenance import utc_now

    path = path or db_path()
    text = canonical_json(data).decode("utf-8")
    try:
        with _connect(path, create=True) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for sql in _SCHEMA:
                    conn.execute(sql)
                row = conn.execute("SELECT seq, hash FROM head WHERE id = 1").fetchone()
                if row is None:
                    row = conn.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
                seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
                time = utc_now()
                digest = record_hash(seq, time, command, verdict, text, prev)
                conn.execute(
                    "INSERT INTO records (seq, time, command, verdict, data, prev, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (seq, time, command, verdict, text, prev, digest),
                )
                conn.execute("INSERT OR REPLACE INTO head (id, seq, hash) VALUES (1, ?, ?)", (seq, digest))
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
    except (sqlite3.Error, OSError) as exc:
        raise AuditError(f"{path}: cannot record this run in the audit trail: {exc}") from exc
    return seq


@dataclass(frozen=True)
class Record:
    seq: int
    time: str
    command: str
    verdict: str | None
    data: str
    prev: str
    hash: str

    @property
    def fields(self) -> dict[str, Any]:
        import json

        return json.loads(self.data)


def records(path: Path | None = None) -> list[Record]:
    """Every record, in order ([] when there is no audit trail yet)."""
    path = path or db_path()
    if not path.exists():
        return []
    try:
        with _connect(path, create=False) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "records" not in tables:
                return []
            rows = conn.execute(
                "SELECT seq, time, command, verdict, data, prev, hash FROM records ORDER BY seq"
            ).fetchall()
    except sqlite3.Error as exc:
        raise AuditError(f"{path}: cannot read the audit trail: {exc}") from exc
    return [Record(*r) for r in rows]


def head(path: Path | None = None) -> tuple[int, str] | None:
    path = path or db_path()
    if not path.exists():
        return None
    try:
        with _connect(path, create=False) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "head" not in tables:
                return None
            row = conn.execute("SELECT seq, hash FROM head WHERE id = 1").fetchone()
    except sqlite3.Error as exc:
        raise AuditError(f"{path}: cannot read the audit trail: {exc}") from exc
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class ChainCheck:
    count: int
    broken_at: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_chain(path: Path | None = None) -> ChainCheck:
    """Walk the chain; the first broken record and why, if any."""
    rows = records(path)
    prev, expected = GENESIS, 1
    for r in rows:
        if r.seq != expected:
            return ChainCheck(len(rows), expected, f"record {expected} is missing (deleted)")
        if record_hash(r.seq, r.time, r.command, r.verdict, r.data, r.prev) != r.hash:
            return ChainCheck(len(rows), r.seq, f"record {r.seq} was changed after it was written")
        if r.prev != prev:
            why = f"record {r.seq} does not follow record {r.seq - 1} (one of them was replaced)"
            return ChainCheck(len(rows), r.seq, why)
        prev, expected = r.hash, expected + 1
    top = head(path)
    last = rows[-1] if rows else None
    if last is not None and top is None:
        return ChainCheck(len(rows), last.seq, "the chain's head (last record number and hash) is missing")
    if top is not None and (last is None or top[0] > last.seq):
        first_gone = (last.seq if last else 0) + 1
        return ChainCheck(len(rows), first_gone, f"records {first_gone} to {top[0]} are missing (deleted)")
    if top is not None and last is not None and (top[0] != last.seq or top[1] != last.hash):
        return ChainCheck(len(rows), last.seq, f"record {last.seq} is not the chain's last record")
    return ChainCheck(len(rows))
