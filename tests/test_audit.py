"""The audit trail: what each run records (and never records), concurrency, tamper detection."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from postcheck import audit

PUPIL_DRAFT = "Well done to Amelia Smith on her swimming badge!\n"


def _draft(path: Path, text: str = "A lovely day at the seaside.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _export(cli) -> list[dict]:
    res = cli("audit", "export", "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _sql(db: Path, statement: str) -> str:
    """Edit the database from outside postcheck: the sqlite3 command-line tool when it is
    installed, else Python's sqlite3 module on its own connection."""
    tool = shutil.which("sqlite3")
    if tool:
        subprocess.run([tool, str(db), statement], check=True, capture_output=True, timeout=60)
        return "sqlite3 CLI"
    with sqlite3.connect(db) as conn:
        conn.execute(statement)
    return "python sqlite3"


def test_a_check_records_hashes_and_ids_never_text_or_names(cli, school):
    draft = _draft(Path.cwd() / "amelia-smith-swimming.txt", PUPIL_DRAFT)
    res = cli(draft, "--config", school.config, "--approval", "HT-9")
    assert res.exit_code == 2
    (record,) = _export(cli)
    assert record["command"] == "check" and record["verdict"] == "block"
    data = record["data"]
    assert data["approval"] == "HT-9" and data["channel"] == "personal" and data["exit"] == 2
    assert data["policy"]["id"] == "enquire" and len(data["policy"]["sha256"]) == 64
    assert data["config"] == hashlib.sha256(school.config.read_bytes()).hexdigest()
    assert data["user"] and data["host"] and data["postcheck"]
    (post,) = data["posts"]
    assert post["inputs"] == [hashlib.sha256(PUPIL_DRAFT.encode()).hexdigest()]
    assert post["verdict"] == "block" and post["rules"] and post["receipt"] is None
    # nothing of the text, the file name or the register reaches the database files
    folder = audit.db_path().parent
    raw = b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())
    for secret in (b"Amelia", b"Smith", b"amelia", b"swimming", b"Millie", b"P001"):
        assert secret not in raw, secret


def test_audit_can_be_turned_off_and_the_report_says_so(cli, quiet_school):
    body = quiet_school.config.read_text() + "\n[audit]\nenabled = false\n"
    quiet_school.write_config(body)
    draft = _draft(Path.cwd() / "draft.txt")
    res = cli(draft, "--config", quiet_school.config, "--format", "json")
    assert res.exit_code == 0
    notes = json.loads(res.stdout)["posts"][0]["notes"]
    assert any("audit trail off" in n for n in notes)
    assert "audit trail off" in cli(draft, "--config", quiet_school.config).stdout
    assert cli("key", "init").exit_code == 0
    receipt = Path.cwd() / "r.json"
    assert cli(draft, "--config", quiet_school.config, "--receipt", receipt).exit_code == 0
    res = cli("verify", receipt, draft, "--config", quiet_school.config)
    assert res.exit_code == 0 and "audit trail off" in res.stderr
    assert not audit.db_path().exists()
    assert cli("audit", "list").stdout.startswith("No audit records yet")


def test_each_command_appends_one_record(cli, quiet_school, tmp_path):
    draft = _draft(Path.cwd() / "draft.txt")
    cfg = ("--config", quiet_school.config)
    assert cli("key", "init").exit_code == 0
    assert cli(draft, *cfg, "--receipt", tmp_path / "r.json").exit_code == 0
    assert cli("verify", tmp_path / "r.json", draft).exit_code == 0
    assert cli("fix", draft, "--out", tmp_path / "safe", *cfg, "-q").exit_code == 0
    assert cli("register", "purge").exit_code == 0
    records = _export(cli)
    assert [r["command"] for r in records] == ["check", "verify", "fix", "register purge"]
    receipt_id = json.loads((tmp_path / "r.json").read_text())["receipt"]["id"]
    assert records[0]["data"]["posts"][0]["receipt"] == receipt_id
    assert records[1]["data"]["receipt"] == receipt_id and records[1]["verdict"] == "pass"
    assert records[1]["data"]["inputs"] == [hashlib.sha256(draft.read_bytes()).hexdigest()]
    assert records[2]["data"]["posts"][0]["before"]["verdict"] == "pass"
    assert [r["seq"] for r in records] == [1, 2, 3, 4]
    assert records[0]["prev"] == audit.GENESIS and records[1]["prev"] == records[0]["hash"]
    # the documented chain, recomputed from the export alone
    prev = "0" * 64
    for r in records:
        data = json.dumps(r["data"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        fields = [r["seq"], r["time"], r["command"], r["verdict"], data, prev]
        canonical = json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()
        assert r["prev"] == prev and r["hash"] == hashlib.sha256(canonical).hexdigest()
        prev = r["hash"]


def test_list_filters_and_csv_export(cli, quiet_school):
    draft = _draft(Path.cwd() / "draft.txt")
    assert cli(draft, "--config", quiet_school.config).exit_code == 0
    # haybrook: an official post without --approval is a warning
    assert cli(draft, "--config", quiet_school.config, "--channel", "official").exit_code == 1
    warned = cli("audit", "list", "--verdict", "warn")
    assert warned.exit_code == 0
    assert " warn " in warned.stdout and "official-authorisation" in warned.stdout
    assert " pass " not in warned.stdout
    assert " pass " in cli("audit", "list").stdout
    assert "No audit records match" in cli("audit", "list", "--since", "2999-01-01").stdout
    assert cli("audit", "list", "--since", "yesterday").exit_code == 64
    csv_text = cli("audit", "export", "--format", "csv").stdout
    rows = csv_text.strip().splitlines()
    assert rows[0].startswith("seq,time,command,verdict,user,host") and len(rows) == 3
    assert ",check,pass," in rows[1] and ",check,warn," in rows[2] and "official-authorisation" in rows[2]
    out = Path.cwd() / "audit.csv"
    assert cli("audit", "export", "--format", "csv", "--output", out).exit_code == 0
    assert out.read_text() == csv_text
    assert cli("audit", "export", "--format", "csv", "--output", out).exit_code == 64


def test_database_and_its_wal_files_are_private(cli, quiet_school):
    import os

    old = os.umask(0o022)
    try:
        audit.append("check", "pass", {"n": 1})
        db = audit.db_path()
        with sqlite3.connect(db) as reader:  # a second connection keeps the -wal and -shm files
            reader.execute("SELECT count(*) FROM records").fetchone()
            audit.append("check", "pass", {"n": 2})
            side = [db.with_name(db.name + s) for s in ("-wal", "-shm")]
            assert all(p.exists() for p in side)
            for path in [db, *side]:
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
            assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
            mode = reader.execute("PRAGMA journal_mode").fetchone()[0]
            assert mode == "wal"
    finally:
        os.umask(old)


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from postcheck import audit
    writer, start = sys.argv[1], Path(sys.argv[2])
    while not start.exists():
        time.sleep(0.005)
    for i in range(100):
        audit.append("check", "pass", {"writer": writer, "i": i})
    """
)


@pytest.mark.slow
def test_two_processes_writing_at_once_lose_and_corrupt_nothing(cli, tmp_path):
    start = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, name, str(start)], stderr=subprocess.PIPE)
        for name in ("a", "b")
    ]
    start.touch()
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    records = _export(cli)
    assert len(records) == 200
    assert [r["seq"] for r in records] == list(range(1, 201))
    for name in ("a", "b"):
        assert sorted(r["data"]["i"] for r in records if r["data"]["writer"] == name) == list(range(100))
    writers = [r["data"]["writer"] for r in records]
    assert any(writers[i] != writers[i + 1] for i in range(199)), "the two writers never interleaved"
    res = cli("audit", "verify")
    assert res.exit_code == 0 and "200 record(s)" in res.stdout


@pytest.mark.slow
def test_a_batch_with_two_workers_is_one_record_with_every_post(cli, quiet_school):
    folder = Path.cwd() / "batch"
    texts = {name: f"The {name} was great.\n" for name in ("assembly", "trip", "concert")}
    for name, text in texts.items():
        _draft(folder / f"{name}.txt", text)
    assert cli(folder, "--config", quiet_school.config, "--jobs", "2", "-q").exit_code == 0
    (record,) = _export(cli)
    hashes = sorted(h for p in record["data"]["posts"] for h in p["inputs"])
    assert hashes == sorted(hashlib.sha256(t.encode()).hexdigest() for t in texts.values())
    assert cli("audit", "verify").exit_code == 0


def _three_checks(cli, quiet_school) -> Path:
    draft = _draft(Path.cwd() / "draft.txt")
    for _ in range(3):
        assert cli(draft, "--config", quiet_school.config).exit_code == 0
    assert cli("audit", "verify").exit_code == 0
    return audit.db_path()


def test_a_record_edited_with_sqlite3_is_detected(cli, quiet_school):
    db = _three_checks(cli, quiet_school)
    how = _sql(db, "UPDATE records SET verdict = 'block' WHERE seq = 2")
    res = cli("audit", "verify")
    assert res.exit_code == 2, how
    assert "broken at record 2" in res.stderr and "changed after it was written" in res.stderr


def test_an_edited_record_with_its_hash_rewritten_breaks_the_next_link(cli, quiet_school):
    db = _three_checks(cli, quiet_school)
    (row,) = [r for r in audit.records(db) if r.seq == 2]
    data = row.data.replace('"exit":0', '"exit":1')
    digest = audit.record_hash(row.seq, row.time, row.command, "block", data, row.prev)
    _sql(db, f"UPDATE records SET verdict = 'block', data = '{data}', hash = '{digest}' WHERE seq = 2")
    res = cli("audit", "verify")
    assert res.exit_code == 2 and "broken at record 3" in res.stderr


def test_deleted_records_are_detected(cli, quiet_school):
    db = _three_checks(cli, quiet_school)
    _sql(db, "DELETE FROM records WHERE seq = 3")
    res = cli("audit", "verify")
    assert res.exit_code == 2 and "record 3" in res.stderr and "missing" in res.stderr
    _sql(db, "DELETE FROM records WHERE seq = 2")
    res = cli("audit", "verify")
    assert res.exit_code == 2 and "broken at record 2" in res.stderr


def test_an_audit_trail_that_cannot_be_written_fails_the_run(cli, quiet_school):
    audit.db_path().mkdir(parents=True)  # a folder where the database should be
    res = cli(_draft(Path.cwd() / "draft.txt"), "--config", quiet_school.config)
    assert res.exit_code == 78
    assert "audit trail" in res.stderr and "enabled = false" in res.stderr
