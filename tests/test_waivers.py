"""Waivers: finding fingerprints, `postcheck waive`, waivers.toml, expiry, approvable rules only."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from postcheck.fingerprints import fingerprint
from postcheck.model import Finding

DRAFT = "A lovely day at the seaside with our Year 5 class.\n"
FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def _draft(path: Path, text: str = DRAFT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _report(cli, *args) -> dict:
    res = cli(*args, "--format", "json")
    assert res.exit_code in (0, 1, 2), res.output
    return json.loads(res.stdout)


def _official(cli, school, draft: Path | str) -> dict:
    """haybrook, official channel, no approval: one official-authorisation warning."""
    return _report(cli, draft, "--config", school.config, "--channel", "official")


def _ids(report: dict) -> list[str]:
    return [f["id"] for p in report["posts"] for f in [*p["findings"], *p["waived"]]]


# --- fingerprints -----------------------------------------------------------------------


def test_fingerprint_is_the_documented_hash_of_rule_input_bytes_and_location(cli, quiet_school):
    _draft(Path.cwd() / "draft.txt")
    (finding,) = _official(cli, quiet_school, "draft.txt")["posts"][0]["findings"]
    # A post-level finding hashes the post: the SHA-256 of its inputs' sorted hashes.
    post = hashlib.sha256(json.dumps([hashlib.sha256(DRAFT.encode()).hexdigest()]).encode()).hexdigest()
    payload = {"v": 1, "rule": "official-authorisation", "variant": None, "input": post}
    payload |= {"span": None, "box": None, "source": None}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    assert finding["id"] == "official-authorisation:" + hashlib.sha256(canonical).hexdigest()[:24]


def test_fingerprint_is_stable_across_runs_folders_and_processes(cli, quiet_school, tmp_path):
    _draft(Path.cwd() / "draft.txt")
    first = _ids(_official(cli, quiet_school, "draft.txt"))
    assert first and first == _ids(_official(cli, quiet_school, "draft.txt"))

    # the same bytes under another name, in another folder, given by absolute path
    elsewhere = tmp_path / "another" / "machine" / "renamed-post.txt"
    elsewhere.parent.mkdir(parents=True)
    shutil.copyfile(Path.cwd() / "draft.txt", elsewhere)
    assert _ids(_official(cli, quiet_school, elsewhere)) == first

    # a fresh process with its own home, cwd and user folders
    env = {**os.environ, "HOME": str(tmp_path / "home2"), "XDG_CONFIG_HOME": str(tmp_path / "c2")}
    env["XDG_DATA_HOME"] = str(tmp_path / "d2")
    command = [sys.executable, "-m", "postcheck", str(elsewhere), "--config", str(quiet_school.config)]
    proc = subprocess.run(
        [*command, "--channel", "official", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=elsewhere.parent,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert _ids(json.loads(proc.stdout)) == first

    # one changed byte: a different finding
    _draft(Path.cwd() / "draft.txt", DRAFT.replace("seaside", "seasidE"))
    assert _ids(_official(cli, quiet_school, "draft.txt")) != first


def test_fingerprint_depends_on_bytes_span_box_and_variant_not_on_the_path():
    base = Finding("logo", "m", "a/photo.jpg", box=(1, 2, 3, 4))
    fp = fingerprint(base, "ab" * 32)
    assert fp.startswith("logo:") and len(fp.split(":")[1]) == 24
    assert fingerprint(Finding("logo", "other words", "b/x.jpg", box=(1, 2, 3, 4)), "ab" * 32) == fp
    assert fingerprint(Finding("logo", "m", "a/photo.jpg", box=(1, 2, 3, 5)), "ab" * 32) != fp
    assert fingerprint(base, "cd" * 32) != fp
    text = Finding("adverse-comment", "m", "d.txt", span=(3, 9))
    assert fingerprint(text, "ab" * 32) != fingerprint(
        Finding("adverse-comment", "m", "d.txt", span=(3, 10)), "ab" * 32
    )
    attack = Finding("adverse-comment", "m", "d.txt", span=(3, 9), variant="attack")
    assert fingerprint(attack, "ab" * 32).startswith("adverse-comment/attack:")


# --- postcheck waive and the reports -------------------------------------------------------


def test_waive_then_check_passes_and_every_report_shows_the_waiver(cli, quiet_school, tmp_path):
    _draft(Path.cwd() / "draft.txt")
    report = tmp_path / "report.json"
    res = cli(
        "draft.txt", "--config", quiet_school.config, "--channel", "official", "-f", "json", "-o", report
    )
    assert res.exit_code == 1
    fid = json.loads(report.read_text())["posts"][0]["findings"][0]["id"]
    res = cli(
        "waive", report, fid.split(":")[1][:10], "--reason", "Agreed at the staff briefing",
        "--by", "J. Okafor, Head Teacher", "--expires", FUTURE, "--approval", "HT-2026-114",
        "--config", quiet_school.config,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    waivers = quiet_school.root / "waivers.toml"
    assert f'fingerprint = "{fid}"' in waivers.read_text() and f"expires = {FUTURE}" in waivers.read_text()

    after = _official(cli, quiet_school, "draft.txt")
    assert after["verdict"] == "pass"
    (waived,) = after["posts"][0]["waived"]
    assert waived["id"] == fid and after["posts"][0]["findings"] == []
    assert waived["waiver"] == {
        "by": "waiver",
        "reason": "Agreed at the staff briefing",
        "approved_by": "J. Okafor, Head Teacher",
        "expires": FUTURE,
        "approval": "HT-2026-114",
        "expired": False,
    }
    text = cli("draft.txt", "--config", quiet_school.config, "--channel", "official")
    assert text.exit_code == 0
    assert "waived" in text.stdout and "Agreed at the staff briefing" in text.stdout
    assert f"until {FUTURE}" in text.stdout
    html = cli("draft.txt", "--config", quiet_school.config, "--channel", "official", "-f", "html")
    assert "J. Okafor, Head Teacher" in html.stdout and "Agreed at the staff briefing" in html.stdout

    # the waiver covers those bytes only: an edited draft is a new finding
    _draft(Path.cwd() / "draft.txt", DRAFT + "One more line.\n")
    edited = _official(cli, quiet_school, "draft.txt")
    assert edited["verdict"] == "warn" and edited["posts"][0]["findings"][0]["id"] != fid


def test_an_expired_waiver_no_longer_applies_and_the_report_says_so(cli, quiet_school):
    _draft(Path.cwd() / "draft.txt")
    fid = _official(cli, quiet_school, "draft.txt")["posts"][0]["findings"][0]["id"]
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    (quiet_school.root / "waivers.toml").write_text(
        f'[[waiver]]\nfingerprint = "{fid}"\nreason = "Trip week"\napproved_by = "J. Okafor"\n'
        f"expires = {yesterday}\n"
    )
    report = _official(cli, quiet_school, "draft.txt")
    assert report["verdict"] == "warn"
    (finding,) = report["posts"][0]["findings"]
    assert finding["waiver"]["expired"] is True and finding["waiver"]["by"] is None
    assert any(f"expired on {yesterday}" in n for n in report["posts"][0]["notes"])
    text = cli("draft.txt", "--config", quiet_school.config, "--channel", "official")
    assert text.exit_code == 1 and f"waiver expired on {yesterday}" in text.stdout
    # renewed by appending an entry with a later expiry
    res = cli(
        "waive", _write_report(cli, quiet_school), fid, "--reason", "Renewed", "--by", "J. Okafor",
        "--expires", FUTURE, "--config", quiet_school.config,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert _official(cli, quiet_school, "draft.txt")["verdict"] == "pass"
    assert "Trip week" in (quiet_school.root / "waivers.toml").read_text()  # nothing lost


def _write_report(cli, school) -> Path:
    out = Path.cwd() / "report.json"
    out.unlink(missing_ok=True)
    cli("draft.txt", "--config", school.config, "--channel", "official", "-f", "json", "-o", out)
    return out


def test_expiry_date_itself_still_applies(quiet_school):
    from postcheck.cli import load_session
    from postcheck.inputs import collect_posts
    from postcheck.runner import Session, check_post

    draft = _draft(quiet_school.root / "draft.txt")
    session = load_session(quiet_school.config, None, "official", None)
    (post,) = collect_posts([str(draft)])
    fid = check_post(post, session).findings[0].fingerprint
    (quiet_school.root / "waivers.toml").write_text(
        f'[[waiver]]\nfingerprint = "{fid}"\nreason = "r"\napproved_by = "a"\nexpires = 2030-06-30\n'
    )
    session = load_session(quiet_school.config, None, "official", None)

    def verdict(day: dt.date) -> str:
        fields = {f: getattr(session, f) for f in ("config", "policy", "channel", "register", "approval")}
        return check_post(post, Session(**fields, today=day, waivers=session.waivers)).verdict.label

    assert verdict(dt.date(2030, 6, 30)) == "pass"
    assert verdict(dt.date(2030, 7, 1)) == "warn"


# --- only approvable rules ----------------------------------------------------------------


def test_waive_refuses_a_rule_the_pack_does_not_mark_approvable(cli, school, tmp_path):
    _draft(Path.cwd() / "draft.txt", "Well done to Amelia Smith on her swimming badge!\n")
    report = tmp_path / "report.json"
    assert cli("draft.txt", "--config", school.config, "-f", "json", "-o", report).exit_code == 2
    findings = json.loads(report.read_text())["posts"][0]["findings"]
    named = next(f for f in findings if f["person"] == "P001")
    res = cli(
        "waive", report, named["id"], "--reason", "parents agreed", "--by", "Head",
        "--expires", FUTURE, "--config", school.config,
    )  # fmt: skip
    assert res.exit_code == 78
    assert named["rule"] in res.stderr and "cannot be waived" in res.stderr
    assert not (school.root / "waivers.toml").exists()


def _entry(fid: str) -> str:
    return f'[[waiver]]\nfingerprint = "{fid}"\nreason = "r"\napproved_by = "a"\nexpires = {FUTURE}\n'


def test_a_hand_written_waiver_for_a_non_approvable_rule_is_a_config_error(cli, quiet_school):
    _draft(Path.cwd() / "draft.txt")
    cases = {
        "pupil-full-name:" + "a" * 24: "does not mark pupil-full-name as approvable",
        "check-error:" + "b" * 24: "always on",
        "pupil-first-name/never-publish:" + "c" * 24: "never waived",
        "no-such-rule:" + "d" * 24: "not a postcheck rule",
    }
    good = _entry("logo:" + "e" * 24)
    for fid, why in cases.items():
        bad = _entry(fid)
        (quiet_school.root / "waivers.toml").write_text(good + "\n" + bad)
        res = cli("draft.txt", "--config", quiet_school.config)
        assert res.exit_code == 78, (fid, res.output)
        assert "waiver 2" in res.stderr and fid in res.stderr and why in res.stderr
        assert cli("config", "validate", "--config", quiet_school.config).exit_code == 78
    (quiet_school.root / "waivers.toml").write_text(good.replace(f"expires = {FUTURE}\n", ""))
    res = cli("draft.txt", "--config", quiet_school.config)
    assert res.exit_code == 78 and "expires is required" in res.stderr
    (quiet_school.root / "waivers.toml").write_text(good)
    assert cli("draft.txt", "--config", quiet_school.config).exit_code == 0


def test_waive_usage_errors(cli, quiet_school, tmp_path):
    _draft(Path.cwd() / "draft.txt")
    report = _write_report(cli, quiet_school)
    fid = json.loads(report.read_text())["posts"][0]["findings"][0]["id"]
    args = ("--reason", "r", "--by", "b", "--config", quiet_school.config)
    assert cli("waive", report, "0123456789abcdef", *args, "--expires", FUTURE).exit_code == 64
    assert cli("waive", report, fid[-5:], *args, "--expires", FUTURE).exit_code == 64  # too short
    past = cli("waive", report, fid, *args, "--expires", "2020-01-01")
    assert past.exit_code == 64 and "passed" in past.stderr
    assert cli("waive", report, fid, *args, "--expires", "next week").exit_code == 64
    assert cli("waive", tmp_path / "absent.json", fid, *args, "--expires", FUTURE).exit_code == 66
    assert not (quiet_school.root / "waivers.toml").exists()
