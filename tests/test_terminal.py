"""The terminal report: readable at 80 columns, a table from 120, every piece
of user text printed as text (never as rich markup, never as terminal control
sequences), pupils' names only here."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path

import pytest

from postcheck.model import Finding, InputSummary, PostResult, Report, Severity
from postcheck.reporters.terminal import console_for, write_report

LONG = "posts/official/summer-term/week-3/sports-day-at-oakfield-primary-academy.txt"
PHOTO = "posts/official/summer-term/week-3/sports-day-at-oakfield-primary-academy-2.jpg"


def report(paths: tuple[str, str] = (LONG, PHOTO)) -> Report:
    text, photo = paths
    name = Finding(
        "pupil-full-name",
        "Names a pupil in full on an official post whose name consent is first name only: "
        "cut the name to the first name.",
        text,
        span=(10, 22),
        evidence="Millie Smith",
        detail="Amelia Smith may be named by first name only (name consent: first)",
        line=4,
        severity=Severity.BLOCK,
        clauses=("2.4", "2.5"),
    )
    face = Finding(
        "face-unknown",
        "A face that matches nobody in the register: a person must check it.",
        photo,
        box=(10, 60, 70, 5),
        severity=Severity.WARN,
        clauses=("2.6",),
    )
    waived = Finding("logo", "The academy's logo is visible.", photo, severity=Severity.BLOCK, approved=True)
    post = PostResult(
        "sports-day",
        Severity.BLOCK,
        (InputSummary(text, "text"), InputSummary(photo, "image", faces=3)),
        (name, face, waived),
        notes=("faces: centerface detector",),
        channel="official",
    )
    other = PostResult(
        "weekend", Severity.PASS, (InputSummary("weekend.txt", "text"),), (), ("faces: centerface detector",)
    )
    return Report("0.1.0", "haybrook", "Haybrook College Trust", "personal", "HT-2026-114", (post, other))


def render(rep: Report, width: int) -> str:
    buf = io.StringIO()
    write_report(rep, console_for(buf, width, color=False))
    return buf.getvalue()


def test_80_columns_blocks_with_whole_paths(capsys):
    text = render(report(), 80)
    print(text)  # shown with -s: how it reads
    lines = text.splitlines()
    for path in (f"{LONG}:4", PHOTO):
        assert any(line.strip().startswith(path) for line in lines), path  # never broken
    # every line but the unbreakable locations fits in 80 columns
    assert all(len(line) <= 80 for line in lines if "posts/official" not in line)
    assert "official channel · approval HT-2026-114" in text  # the banner shows both
    heading = next(line for line in lines if "pupil-full-name" in line)
    assert "BLOCK" in heading and "clauses 2.4, 2.5" in heading
    assert "Amelia Smith may be named by first name only" in text  # detail: terminal only
    assert "“Millie Smith”" in text
    assert "waived by approval HT-2026-114" in text
    assert text.count("faces: centerface detector") == 1  # notes once per run
    assert "┃ where" not in text  # no table at 80 columns


def test_120_columns_table_when_locations_fit():
    text = render(report(("posts/trip.txt", "posts/trip.jpg")), 120)
    print(text)
    assert "where" in text and "┃" in text
    lines = text.splitlines()
    assert any("posts/trip.txt:4" in line for line in lines)
    assert any("posts/trip.jpg · box x5-60 y10-70" in line for line in lines)
    assert all(len(line) <= 120 for line in lines)
    # long locations do not fit a third of the width: blocks again, paths whole
    long = render(report(), 120)
    assert any(line.strip().startswith(f"{LONG}:4") for line in long.splitlines())


def test_cli_at_80_columns(cli, quiet_school, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    folder = Path.cwd() / "posts" / "official" / "summer-term" / "week-three-sports-day-at-oakfield"
    folder.mkdir(parents=True)
    draft = folder / "sports-day-at-oakfield-primary-academy-with-year-six.txt"
    draft.write_text("The fair is on Friday.\n")
    res = cli(draft.relative_to(Path.cwd()), "--config", quiet_school.config)
    print(res.stdout)
    assert res.exit_code == 1
    location = str(draft.relative_to(Path.cwd()))  # a finding about the post: its draft
    assert len(location) > 80
    assert any(line.strip() == location for line in res.stdout.splitlines())
    assert "official channel · no approval reference" in res.stdout
    assert "policy weakened by the config's [rules]" in res.stdout  # the quiet school disables rules
    assert "The config's [rules] weaken this policy:" in res.stdout


# --- user text is text ------------------------------------------------------------------


def test_brackets_in_a_file_name_do_not_break_the_report(cli, quiet_school, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    name = "week [/b] news [red]x.txt"  # a folder "week [" and a file "b] news [red]x.txt"
    (Path.cwd() / name).parent.mkdir()
    (Path.cwd() / name).write_text("")  # empty: blocks
    res = cli(name, "--config", quiet_school.config)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert f"{name}\n" in res.stdout  # the location line, whole
    quiet = cli(name, "--config", quiet_school.config, "-q", "--group", "stem")
    assert quiet.exit_code == 2 and "BLOCK b] news [red]x  (personal" in quiet.stdout
    missing = cli("gone [/i].txt", "--config", quiet_school.config)
    assert missing.exit_code == 66 and "gone [/i].txt" in missing.stderr


def test_brackets_in_a_register_value_do_not_break_the_report(cli, school, tmp_path):
    pupils = school.root / "register" / "pupils.csv"
    pupils.write_text(pupils.read_text().replace("P005,Leo,Carter,", "P005,Leo,Carter [/i],"))
    d = tmp_path / "party.txt"
    d.write_text("Leo came to the party.\n")
    res = cli(d, "--config", school.config)
    assert "Traceback" not in res.output
    assert res.exit_code == 2, res.output
    assert "Carter [/i]" in res.stdout


@pytest.fixture
def odd_finding(monkeypatch):
    """The post check reports a finding whose evidence, detail and note carry
    markup-like text and terminal control sequences, as a draft or a register can."""
    import postcheck.checks.post as post_checks

    def odd(post, ctx):
        ctx.note("note [/x] from [nlp] model\x1b[31m red")
        yield Finding(
            "official-authorisation",
            "See [nlp] model and [/caption] \x1b]0;pwned\x07here.",
            post.name,
            evidence="[caption]Well done[/caption] \x1b[2J\x9b1;1H",
            detail="Leo Carter must never be named [/b]",
            label="Leo Carter",
        )

    monkeypatch.setattr(post_checks, "official_authorisation", odd)


def test_markup_and_control_sequences_in_findings_and_notes(cli, quiet_school, tmp_path, odd_finding):
    d = tmp_path / "a.txt"
    d.write_text("A day out.\n")
    res = cli(d, "--config", quiet_school.config, "--channel", "official")
    assert res.exit_code == 1 and "Traceback" not in res.output
    out = res.stdout
    assert "See [nlp] model and [/caption] here." in out  # nothing vanishes
    assert "“[caption]Well done[/caption] ”" in out
    assert "Leo Carter must never be named [/b]" in out
    assert "note [/x] from [nlp] model red" in out
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)  # no control characters at all


def test_detail_and_label_reach_only_the_terminal(cli, quiet_school, tmp_path, odd_finding):
    d = Path.cwd() / "a.txt"
    d.write_text("A day out.\n")
    official = ("--config", quiet_school.config, "--channel", "official")
    assert "Leo Carter" in cli(d, *official).stdout
    for fmt in ("json", "sarif", "github", "junit", "html"):
        res = cli(d, *official, "-f", fmt)
        assert res.exit_code == 1
        assert "Leo Carter" not in res.stdout, fmt
        assert "See [nlp] model" in res.stdout, fmt
    data = json.loads(cli(d, *official, "-f", "json").stdout)
    assert data["posts"][0]["findings"][0]["evidence"].startswith("[caption]")


def test_notes_shared_by_posts_are_printed_once(cli, quiet_school, tmp_path, odd_finding):
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("a", "b", "c"):
        (batch / f"{name}.txt").write_text("A day out.\n")
    res = cli(batch, "--config", quiet_school.config, "--channel", "official")
    assert res.stdout.count("note [/x] from [nlp] model") == 1
    assert "Notes" in res.stdout


def test_quiet_line_shows_the_channel():
    buf = io.StringIO()
    write_report(report(), console_for(buf, 80, color=False), quiet=True)
    lines = buf.getvalue().splitlines()
    assert lines[0].startswith("BLOCK sports-day  (official; 2 findings")
    assert lines[1].startswith("PASS  weekend  (personal; 0 findings")


def test_weakened_and_missing_rules_are_shown_once():
    rep = dataclasses.replace(
        report(),
        weakened=("pupil-full-name is disabled on official posts by [rules] (the haybrook pack blocks it)",),
        missing=("logo",),
    )
    post = dataclasses.replace(rep.posts[0], weakened=rep.weakened)
    text = render(dataclasses.replace(rep, posts=(post, rep.posts[1])), 80)
    assert text.count("pupil-full-name is disabled on official posts") == 1
    assert "policy weakened by the config's [rules]" in text
    assert "does not list logo" in text


def test_rules_and_config_validate_keep_bracketed_words(cli, quiet_school):
    # "[rules]" once vanished here, read as rich markup
    res = cli("rules", "--config", quiet_school.config)
    assert res.exit_code == 0 and "disabled on personal posts by [rules] (the haybrook" in res.stdout
    res = cli("config", "validate", "--config", quiet_school.config)
    assert "disabled on personal posts by [rules] (the haybrook" in res.stdout


def test_a_wordpress_caption_draft_reports_its_evidence_verbatim(cli, school, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # blocks: wrapped text reads back by joining the lines
    d = tmp_path / "caption.txt"
    d.write_text(
        '[caption id="attachment_7"]Amelia Smith won the race at Oakfield today, I think every '
        "school should be this good![/caption]\n"
    )
    res = cli(d, "--config", school.config)
    assert res.exit_code == 2 and "Traceback" not in res.output  # blocked: a pupil's full name
    data = json.loads(cli(d, "--config", school.config, "-f", "json").stdout)
    evidence = [f["evidence"] for p in data["posts"] for f in p["findings"] if f["evidence"]]
    assert evidence
    flat = " ".join(res.stdout.split())
    for words in evidence:  # every quoted piece of the draft, as it was written
        assert " ".join(words.split()) in flat, words
