"""Signed receipts: `check --receipt`, `verify`, `key init|export`, through the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from postcheck import receipts
from postcheck.policy import load_policy

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _draft(path: Path, text: str = "A lovely day at the seaside with our Year 5 class.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _other_school_key(cli, monkeypatch, tmp_path: Path) -> Path:
    """Another school's key pair (its own user config folder); returns its public key file."""
    mine = os.environ["XDG_CONFIG_HOME"]
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other-school-config"))
    assert cli("key", "init").exit_code == 0
    public = tmp_path / "other.pub"
    assert cli("key", "export", "--output", public).exit_code == 0
    monkeypatch.setenv("XDG_CONFIG_HOME", mine)
    return public


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_whole_workflow_check_edit_restore_forge_other_key(cli, quiet_school, tmp_path, monkeypatch):
    assert cli("key", "init").exit_code == 0
    draft = _draft(Path.cwd() / "post" / "draft.txt")
    receipt = tmp_path / "draft.receipt.json"
    res = cli("check", draft, "--config", quiet_school.config, "--receipt", receipt)
    assert res.exit_code == 0, res.output
    assert receipt.is_file() and str(receipt) in res.stderr

    ok = cli("verify", receipt, draft)
    assert ok.exit_code == 0, ok.output
    assert "verified" in ok.stdout and "verdict: pass" in ok.stdout and "post/draft.txt" in ok.stdout

    # the draft is edited after its check: refused
    original = draft.read_bytes()
    draft.write_bytes(original.replace(b"seaside", b"seasidE"))
    edited = cli("verify", receipt, draft)
    assert edited.exit_code == receipts.FILE_CHANGED == 10
    assert "changed since it was checked" in edited.stderr

    # restored byte for byte: accepted again
    draft.write_bytes(original)
    assert cli("verify", receipt, draft).exit_code == 0

    # a forged receipt: one byte changed (a digit of the draft's hash)
    data = receipt.read_bytes()
    digest = json.loads(data)["receipt"]["inputs"][0]["sha256"]
    forged = tmp_path / "forged.json"
    forged.write_bytes(_flip(data, data.index(digest.encode()) + 5))
    res = cli("verify", forged, draft)
    assert res.exit_code == receipts.FORGED == 6
    assert "altered or forged" in res.stderr
    assert "verdict" not in res.stdout  # nothing from a forged receipt is shown as fact

    # a receipt checked against another school's public key is refused
    other = _other_school_key(cli, monkeypatch, tmp_path)
    res = cli("verify", receipt, draft, "--public-key", other)
    assert res.exit_code == receipts.OTHER_KEY == 7
    assert "not a key this check trusts" in res.stderr

    # and a receipt signed by another school is refused by this school's key
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other-school-config"))
    theirs = tmp_path / "theirs.json"
    assert cli("check", draft, "--config", quiet_school.config, "--receipt", theirs).exit_code == 0
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    assert cli("verify", theirs, draft).exit_code == receipts.OTHER_KEY


def test_the_workflow_machine_verifies_with_the_exported_public_key(cli, quiet_school, tmp_path, monkeypatch):
    assert cli("key", "init").exit_code == 0
    public = tmp_path / "school.pub"
    res = cli("key", "export", "--output", public)
    assert res.exit_code == 0 and "ed25519:" in res.stderr
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert cli("key", "export").stdout == public.read_text()
    draft = _draft(Path.cwd() / "draft.txt")
    receipt = tmp_path / "r.json"
    assert cli("draft.txt", "--config", quiet_school.config, "--receipt", receipt).exit_code == 0

    # another machine: no private key, no config, only the public key
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "workflow-machine"))
    res = cli("verify", receipt, draft, "--public-key", public)
    assert res.exit_code == 0, res.output
    no_key = cli("verify", receipt, draft)
    assert no_key.exit_code == 78 and "--public-key" in no_key.output


def test_any_single_byte_change_to_a_receipt_is_refused(cli, quiet_school, tmp_path):
    assert cli("key", "init").exit_code == 0
    draft = _draft(Path.cwd() / "draft.txt")
    receipt = tmp_path / "r.json"
    assert cli(draft, "--config", quiet_school.config, "--receipt", receipt).exit_code == 0
    from postcheck.keys import key_id, load_private_key

    public = load_private_key().public_key()
    keys = {key_id(public): public}
    data = receipt.read_bytes()

    def outcome(raw: bytes) -> int:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        return receipts.verify(text, keys, load_policy, [draft]).exit_code

    assert outcome(data) == 0
    refused = {outcome(_flip(data, i)) for i in range(len(data))}
    assert 0 not in refused
    assert refused <= {receipts.UNREADABLE, receipts.FORGED, receipts.OTHER_KEY}


def test_receipt_holds_hashes_and_ids_never_names_or_text(cli, school, tmp_path):
    assert cli("key", "init").exit_code == 0
    text = "Well done to Amelia Smith on her swimming badge!\n"
    draft = _draft(Path.cwd() / "draft.txt", text)
    receipt = tmp_path / "r.json"
    res = cli(str(draft), "--config", school.config, "--receipt", receipt, "--approval", "HT-9")
    assert res.exit_code == 2, res.output
    raw = receipt.read_text(encoding="utf-8")
    for secret in ("Amelia", "Smith", "swimming", "Millie"):
        assert secret not in raw
    payload = json.loads(raw)["receipt"]
    assert payload["schema"] == receipts.SCHEMA and payload["type"] == "postcheck-receipt"
    assert payload["inputs"] == [
        {
            "path": "draft.txt",
            "kind": "text",
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        }
    ]
    assert payload["policy"]["id"] == "enquire" and len(payload["policy"]["sha256"]) == 64
    assert len(payload["config"]) == 64 and len(payload["register"]["pupils"]) == 64
    assert payload["approval"] == "HT-9" and payload["verdict"] == "block"
    assert payload["checked_at"].endswith("Z") and payload["user"]
    assert any(f["person"] == "P001" for f in payload["findings"])
    for f in payload["findings"]:
        assert set(f) == {"id", "rule", "variant", "severity", "clauses", "person", "people", "waived_by"}
    res = cli("verify", receipt, draft)
    assert res.exit_code == receipts.VERDICT_BLOCK == 4
    assert "verdict: block" in res.stdout and "must not be published" in res.stderr


def test_files_versions_and_policy_are_compared(cli, quiet_school, tmp_path, monkeypatch):
    assert cli("key", "init").exit_code == 0
    pack = quiet_school.root / "pack.toml"
    pack.write_bytes((REPO / "config" / "policies" / "haybrook.toml").read_bytes())
    body = quiet_school.config.read_text().replace('policy = "haybrook"', 'policy = "pack.toml"')
    quiet_school.write_config(body)
    draft = _draft(Path.cwd() / "draft.txt")
    notes = _draft(Path.cwd() / "notes.txt", "Bring a packed lunch.\n")
    receipt = tmp_path / "r.json"
    assert cli(draft, notes, "--config", quiet_school.config, "--receipt", receipt).exit_code == 0
    cfg = ("--config", quiet_school.config)

    assert cli("verify", receipt, draft, notes, *cfg).exit_code == 0
    missing = cli("verify", receipt, draft, *cfg)
    assert missing.exit_code == receipts.FILE_MISSING == 12 and "notes.txt" in missing.stderr
    stranger = _draft(tmp_path / "other.txt", "Something else.\n")
    extra = cli("verify", receipt, draft, notes, stranger, *cfg)
    assert extra.exit_code == receipts.FILE_NOT_CHECKED == 11 and "not part of the post" in extra.stderr
    moved = tmp_path / "moved" / "draft.txt"
    moved.parent.mkdir()
    moved.write_bytes(draft.read_bytes())
    assert cli("verify", receipt, moved, notes, *cfg).exit_code == 0  # same bytes, anywhere

    with monkeypatch.context() as m:
        m.setattr(receipts, "__version__", "99.0")
        version = cli("verify", receipt, draft, notes, *cfg)
    assert version.exit_code == receipts.OTHER_VERSION == 8 and "postcheck 0." in version.stderr

    pack.write_text(pack.read_text() + "\n# edited after the check\n")
    changed = cli("verify", receipt, draft, notes, *cfg)
    assert changed.exit_code == receipts.OTHER_POLICY == 9 and "has changed" in changed.stderr
    other = cli("verify", receipt, draft, notes, "--policy", "enquire")
    assert other.exit_code == receipts.OTHER_POLICY and "'enquire'" in other.stderr


def test_verdict_warn_is_refused_and_a_waived_post_is_accepted(cli, quiet_school, tmp_path):
    assert cli("key", "init").exit_code == 0
    draft = _draft(Path.cwd() / "draft.txt")
    receipt = tmp_path / "r.json"
    base = (draft, "--config", quiet_school.config, "--channel", "official")
    assert cli(*base, "--receipt", receipt).exit_code == 1
    res = cli("verify", receipt, draft)
    assert res.exit_code == receipts.VERDICT_WARN == 3 and "official-authorisation" in res.stdout
    approved = tmp_path / "approved.json"
    assert cli(*base, "--approval", "HT-1", "--receipt", approved).exit_code == 0
    res = cli("verify", approved, draft)
    assert res.exit_code == 0 and "approval HT-1" in res.stdout


def test_a_batch_writes_one_receipt_per_post(cli, quiet_school, tmp_path):
    assert cli("key", "init").exit_code == 0
    folder = Path.cwd() / "batch"
    a = _draft(folder / "assembly.txt", "Assembly was great.\n")
    b = _draft(folder / "trip.txt", "The trip was great.\n")
    out = tmp_path / "receipts"
    res = cli(folder, "--config", quiet_school.config, "--receipt", out, "-q")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["assembly.receipt.json", "trip.receipt.json"]
    assert cli("verify", out / "assembly.receipt.json", a).exit_code == 0
    assert cli("verify", out / "trip.receipt.json", a).exit_code == receipts.FILE_NOT_CHECKED
    assert cli("verify", out / "trip.receipt.json", b).exit_code == 0
    again = cli(folder, "--config", quiet_school.config, "--receipt", out, "-q")
    assert again.exit_code == 64 and "--force" in again.output
    assert cli(folder, "--config", quiet_school.config, "--receipt", out, "-q", "--force").exit_code == 0


def test_signing_key_is_0600_whatever_the_umask_and_refused_when_readable(cli, quiet_school, tmp_path):
    old = os.umask(0o277)
    try:
        res = cli("key", "init")
    finally:
        os.umask(old)
    assert res.exit_code == 0
    from postcheck.keys import key_path

    path = key_path()
    assert path.is_relative_to(tmp_path / "xdg-config")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_bytes()
    again = cli("key", "init")
    assert again.exit_code == 0 and "kept" in again.stdout and path.read_bytes() == before

    draft = _draft(Path.cwd() / "draft.txt")
    path.chmod(0o644)
    res = cli(draft, "--config", quiet_school.config, "--receipt", tmp_path / "r.json")
    assert res.exit_code == 78 and "chmod 600" in res.output
    path.unlink()
    res = cli(draft, "--config", quiet_school.config, "--receipt", tmp_path / "r.json")
    assert res.exit_code == 78 and "postcheck key init" in res.output
    assert not (tmp_path / "r.json").exists()


def test_init_creates_the_signing_key_once(cli, tmp_path):
    res = cli("init", tmp_path / "setup")
    assert res.exit_code == 0 and "wrote signing key" in res.stdout
    from postcheck.keys import key_path

    assert stat.S_IMODE(key_path().stat().st_mode) == 0o600
    res = cli("init", tmp_path / "setup2")
    assert res.exit_code == 0 and "kept signing key" in res.stdout


@pytest.mark.parametrize(
    "code",
    [
        receipts.VERDICT_WARN,
        receipts.VERDICT_BLOCK,
        receipts.UNREADABLE,
        receipts.FORGED,
        receipts.OTHER_KEY,
        receipts.OTHER_VERSION,
        receipts.OTHER_POLICY,
        receipts.FILE_CHANGED,
        receipts.FILE_NOT_CHECKED,
        receipts.FILE_MISSING,
    ],
)
def test_every_verify_exit_code_is_documented_and_distinct(code):
    assert code not in (0, 1, 2, 64, 66, 70, 78)
    assert f"| {code} " in README
    assert len(set(receipts.ORDER)) == len(receipts.ORDER)


def test_a_receipt_that_is_not_json_is_refused(cli, quiet_school, tmp_path):
    assert cli("key", "init").exit_code == 0
    bad = tmp_path / "bad.json"
    bad.write_text("not a receipt")
    res = cli("verify", bad)
    assert res.exit_code == receipts.UNREADABLE == 5 and "not valid JSON" in res.stderr
    assert cli("verify", tmp_path / "absent.json").exit_code == 66


def _readme_hook() -> str:
    start = README.index("```sh\n#!/bin/sh\n# postcheck-hook.sh")
    return README[start + len("```sh\n") : README.index("```\n", start + 6)]


@pytest.mark.slow
def test_the_readme_cms_hook_checks_keeps_the_receipt_and_verifies_before_publishing(
    cli, quiet_school, tmp_path
):
    import subprocess
    import sys

    assert cli("key", "init").exit_code == 0
    assert cli("key", "export", "--output", tmp_path / "school.pub").exit_code == 0
    hook = tmp_path / "postcheck-hook.sh"
    hook.write_text(_readme_hook())
    draft = _draft(tmp_path / "upload" / "draft.txt")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "RECEIPTS": str(tmp_path / "receipts"),
        "PUBLIC_KEY": str(tmp_path / "school.pub"),
        "POSTCHECK_CONFIG": str(quiet_school.config),
    }

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["sh", str(hook), *args], env={**env, **extra}, capture_output=True, text=True, timeout=300
        )

    # an official post without the Head Teacher's authorisation is a warning: receipt kept, not publishable
    warned = run("check", "post-7", str(draft))
    assert warned.returncode == 1, warned.stderr
    assert (tmp_path / "receipts" / "post-7.receipt.json").is_file()
    refused = run("publish", "post-7", str(draft))
    assert refused.returncode == receipts.VERDICT_WARN and "not published" in refused.stderr

    assert run("check", "post-7", str(draft), APPROVAL="HT-2026-114").returncode == 0
    assert run("publish", "post-7", str(draft)).returncode == 0
    original = draft.read_bytes()
    draft.write_bytes(original + b"Edited after approval.\n")
    assert run("publish", "post-7", str(draft)).returncode == receipts.FILE_CHANGED
    draft.write_bytes(original)
    assert run("publish", "post-7", str(draft)).returncode == 0
    assert run("publish", "post-8", str(draft)).returncode == 66  # never checked: no receipt


def test_a_receipt_never_goes_over_or_into_an_input(cli, quiet_school, tmp_path):
    assert cli("key", "init").exit_code == 0
    folder = Path.cwd() / "batch"
    draft = _draft(folder / "assembly.txt", "Assembly was great.\n")
    over = cli(draft, "--config", quiet_school.config, "--receipt", draft, "--force")
    assert over.exit_code == 64 and "never writes over or into an input" in over.output
    assert draft.read_text(encoding="utf-8") == "Assembly was great.\n"
    inside = cli(folder, "--config", quiet_school.config, "--receipt", folder / "receipts", "-q")
    assert inside.exit_code == 64 and "inside the input folder" in inside.output
    assert sorted(p.name for p in folder.iterdir()) == ["assembly.txt"]
