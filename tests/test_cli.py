"""The command line: default command, exit codes, options, bad input."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from postcheck.catalogue import RULE_IDS as RULES


def draft(folder: Path, name: str = "draft.txt", text: str = "A lovely day at the seaside.\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- default command and exit codes --------------------------------------------------


def test_check_is_the_default_command(cli, quiet_school, tmp_path):
    d = draft(tmp_path)
    implicit = cli(d, "--config", quiet_school.config, "--format", "json")
    explicit = cli("check", d, "--config", quiet_school.config, "--format", "json")
    assert implicit.exit_code == explicit.exit_code == 0
    assert json.loads(implicit.stdout) == json.loads(explicit.stdout)


def test_pass_exits_0(cli, quiet_school, tmp_path):
    res = cli(draft(tmp_path), "--config", quiet_school.config)
    assert res.exit_code == 0
    assert "PASS" in res.stdout


def test_warn_exits_1_and_fail_on_controls_it(cli, quiet_school, tmp_path):
    d = draft(tmp_path)
    # haybrook: an official post without the Head Teacher's authorisation is a warning
    res = cli(d, "--config", quiet_school.config, "--channel", "official")
    assert res.exit_code == 1
    assert "official-authorisation" in res.stdout
    assert (
        cli(d, "--config", quiet_school.config, "--channel", "official", "--fail-on", "block").exit_code == 0
    )
    assert (
        cli(d, "--config", quiet_school.config, "--channel", "official", "--fail-on", "never").exit_code == 0
    )


def test_approval_waives_approvable_rules_and_is_reported(cli, quiet_school, tmp_path):
    d = draft(tmp_path)
    res = cli(
        d, "--config", quiet_school.config, "--channel", "official", "--approval", "HT-114", "-f", "json"
    )
    assert res.exit_code == 0
    report = json.loads(res.stdout)
    assert report["approval"] == "HT-114"
    assert report["verdict"] == "pass"


def test_block_exits_2_and_fail_on_never_exits_0(cli, quiet_school, tmp_path):
    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"\x00\x01\x02\xff" * 50)
    res = cli(bad, "--config", quiet_school.config)
    assert res.exit_code == 2
    assert "unreadable-input" in res.stdout
    assert cli(bad, "--config", quiet_school.config, "--fail-on", "never").exit_code == 0
    assert cli(bad, "--config", quiet_school.config, "--fail-on", "block").exit_code == 2


def test_unknown_flag_is_a_usage_error_64(cli, quiet_school, tmp_path):
    res = cli(draft(tmp_path), "--no-such-flag")
    assert res.exit_code == 64
    assert "No such option" in res.output
    assert "Traceback" not in res.output


def test_unknown_command_is_a_usage_error_64(cli):
    res = cli("frobnicate")
    assert res.exit_code == 64
    assert "no such command" in res.output


def test_bad_option_value_is_64(cli, quiet_school, tmp_path):
    res = cli(draft(tmp_path), "--channel", "twitter")
    assert res.exit_code == 64


def test_no_arguments_shows_help_with_64(cli):
    res = cli()
    assert res.exit_code == 64
    assert "Usage" in res.output


def test_version(cli):
    from postcheck import __version__

    res = cli("--version")
    assert res.exit_code == 0
    assert __version__ in res.stdout


# --- bad input: each case of the issue ------------------------------------------------


def test_missing_file_exits_66(cli, quiet_school, tmp_path):
    res = cli(tmp_path / "nope.txt", "--config", quiet_school.config)
    assert res.exit_code == 66
    assert "nope.txt" in res.output and "no such file" in res.output
    assert "Traceback" not in res.output


def test_empty_file_blocks(cli, quiet_school, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res = cli(empty, "--config", quiet_school.config, "-f", "json")
    assert res.exit_code == 2
    finding = json.loads(res.stdout)["posts"][0]["findings"][0]
    assert finding["rule"] == "unreadable-input"
    assert "empty" in finding["message"]


def test_binary_file_named_txt_blocks(cli, quiet_school, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_bytes(bytes(range(256)) * 4)
    res = cli(bad, "--config", quiet_school.config, "-f", "json")
    assert res.exit_code == 2
    finding = json.loads(res.stdout)["posts"][0]["findings"][0]
    assert finding["rule"] == "unreadable-input"
    assert "binary" in finding["message"]


def test_non_utf8_text_is_decoded_with_a_note(cli, quiet_school, tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(
        "Café trip for the whole school – a lovely day. Crème brûlée for all!\n".encode("cp1252")
    )
    res = cli(path, "--config", quiet_school.config, "-f", "json")
    assert res.exit_code == 0
    notes = json.loads(res.stdout)["posts"][0]["notes"]
    assert any("not UTF-8" in n for n in notes)


def test_unreadable_file_in_batch_blocks_only_its_post(cli_process, quiet_school, tmp_path):
    batch = tmp_path / "batch"
    draft(batch, "good.txt")
    locked = draft(batch, "locked.txt")
    locked.chmod(0)
    try:
        res = cli_process(batch, "--config", quiet_school.config, "-f", "json")
    finally:
        locked.chmod(0o644)
    report = json.loads(res.stdout)
    verdicts = {p["name"]: p["verdict"] for p in report["posts"]}
    assert verdicts == {"good": "pass", "locked": "block"}
    locked_post = next(p for p in report["posts"] if p["name"] == "locked")
    assert "Permission denied" in locked_post["findings"][0]["message"]
    assert res.exit_code == 2
    assert locked.exists()


def test_symlink_loop_in_batch_is_reported_not_followed(cli, quiet_school, tmp_path):
    batch = tmp_path / "batch"
    draft(batch / "trip", "trip.txt")
    (batch / "trip" / "again").symlink_to(batch / "trip", target_is_directory=True)
    (batch / "self").symlink_to(batch / "self")
    res = cli(batch, "--config", quiet_school.config, "-f", "json")
    assert res.exit_code == 2
    report = json.loads(res.stdout)
    messages = " ".join(f["message"] for p in report["posts"] for f in p["findings"])
    assert "loop" in messages
    trip = next(p for p in report["posts"] if p["name"] == "trip")
    assert trip["verdict"] == "block"
    assert [i["path"] for i in trip["inputs"]] == [str(batch / "trip" / "trip.txt")]


def test_malformed_toml_exits_78_with_line(cli, school, tmp_path):
    school.write_config('policy = "enquire"\n[trust\nname = "x"\n')
    res = cli(draft(tmp_path), "--config", school.config)
    assert res.exit_code == 78
    assert "line 2" in res.output
    assert str(school.config) in res.output
    assert "Traceback" not in res.output


def test_unknown_config_key_exits_78(cli, school, tmp_path):
    school.write_config('policy = "enquire"\n[trust]\nname = "x"\nlogo = "y.png"\n')
    res = cli(draft(tmp_path), "--config", school.config)
    assert res.exit_code == 78
    assert "trust.logo" in res.output and "logos" in res.output


def test_wrong_type_names_key_and_expectation(cli, school, tmp_path):
    school.write_config('policy = "enquire"\n[faces]\ntolerance = "strict"\n')
    res = cli(draft(tmp_path), "--config", school.config)
    assert res.exit_code == 78
    assert "faces.tolerance" in res.output and "a number" in res.output


def test_bad_consent_value_in_csv_exits_78_with_file_and_line(cli, school, tmp_path):
    pupils = school.root / "register" / "pupils.csv"
    lines = pupils.read_text().splitlines()
    lines[3] = lines[3].replace(",no,no,", ",maybe,no,")
    pupils.write_text("\n".join(lines) + "\n")
    res = cli(draft(tmp_path), "--config", school.config)
    assert res.exit_code == 78
    assert "pupils.csv" in res.output and "line 4" in res.output and "photo_consent" in res.output


def test_unknown_policy_exits_78_listing_packs(cli, quiet_school, tmp_path):
    res = cli(draft(tmp_path), "--config", quiet_school.config, "--policy", "nonesuch")
    assert res.exit_code == 78
    for pack in ("haybrook", "enquire", "generic"):
        assert pack in res.output


def test_output_file_is_not_overwritten_without_force(cli, quiet_school, tmp_path):
    out = tmp_path / "report.json"
    out.write_text("keep me")
    d = draft(tmp_path)
    res = cli(d, "--config", quiet_school.config, "-f", "json", "-o", out)
    assert res.exit_code == 64
    assert out.read_text() == "keep me"
    res = cli(d, "--config", quiet_school.config, "-f", "json", "-o", out, "--force")
    assert res.exit_code == 0
    assert json.loads(out.read_text())["verdict"] == "pass"


# --- inputs ---------------------------------------------------------------------------


def test_stdin_draft(cli, quiet_school):
    res = cli("-", "--config", quiet_school.config, "-f", "json", input="Sunny sports day!\n")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["posts"][0]["inputs"] == [{"path": "<stdin>", "kind": "text"}]


def test_docx_text_includes_tables_headers_and_alt_text(tmp_path):
    import docx

    from postcheck.inputs import read_draft
    from postcheck.model import InputFile

    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = "Header text Oakfield"
    doc.add_paragraph("Body paragraph about sports day.")
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Table cell Amelia"
    path = tmp_path / "news.docx"
    doc.save(path)
    # add an image alt text by editing the XML: a drawing with docPr descr
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    body = parts["word/document.xml"].decode()
    drawing = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
        'wordprocessingDrawing"><wp:extent cx="1" cy="1"/><wp:docPr id="9" name="Picture 9" '
        'descr="Alt text naming Oliver Brown"/></wp:inline></w:drawing></w:r></w:p>'
    )
    body = body.replace("<w:sectPr", drawing + "<w:sectPr", 1)
    parts["word/document.xml"] = body.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    text = read_draft(InputFile(str(path), "text", path)).text
    for expected in (
        "Header text Oakfield",
        "Body paragraph",
        "Table cell Amelia",
        "Alt text naming Oliver Brown",
    ):
        assert expected in text


def test_html_draft_text_and_alt(tmp_path):
    from postcheck.inputs import read_draft
    from postcheck.model import InputFile

    path = tmp_path / "post.html"
    path.write_text(
        "<html><head><style>p{color:red}</style><script>var x='hidden';</script></head>"
        "<body><p>Great <b>day</b> out!</p><img src='a.jpg' alt='Amelia on the slide'></body></html>"
    )
    text = read_draft(InputFile(str(path), "text", path)).text
    assert "Great day out!" in text
    assert "Amelia on the slide" in text
    assert "hidden" not in text and "color" not in text


def test_image_recognised_by_content_not_extension(tmp_path):
    from PIL import Image

    from postcheck.images import open_image
    from postcheck.inputs import classify
    from postcheck.model import InputFile

    fake = tmp_path / "photo.jpg"
    Image.new("RGB", (32, 24), (10, 200, 30)).save(fake, format="PNG")
    assert classify(fake) == "image"
    loaded = open_image(InputFile(str(fake), "image", fake))
    assert loaded.format == "png"
    assert loaded.size == (32, 24)
    renamed = tmp_path / "caption.txt"
    renamed.write_bytes(fake.read_bytes())
    assert classify(renamed) == "image"


def test_folder_grouping_rule(tmp_path):
    from postcheck.inputs import collect_posts

    batch = tmp_path / "week"
    for name in (
        "assembly.txt",
        "assembly.jpg",
        "assembly-2.jpg",
        "assembly (3).jpg",
        "trip.md",
        "trip_1.png",
    ):
        (batch).mkdir(exist_ok=True)
        (batch / name).write_bytes(b"x")
    (batch / ".DS_Store").write_bytes(b"junk")
    (batch / "sports-day").mkdir()
    (batch / "sports-day" / "caption.txt").write_text("hi")
    (batch / "sports-day" / "photos").mkdir()
    (batch / "sports-day" / "photos" / "a.jpg").write_bytes(b"x")
    posts = {p.name: sorted(Path(i.display).name for i in p.inputs) for p in collect_posts([str(batch)])}
    assert posts == {
        "assembly": ["assembly (3).jpg", "assembly-2.jpg", "assembly.jpg", "assembly.txt"],
        "sports-day": ["a.jpg", "caption.txt"],
        "trip": ["trip.md", "trip_1.png"],
    }


def test_files_on_one_command_line_are_one_post(tmp_path):
    from postcheck.inputs import collect_posts

    a = draft(tmp_path, "a.txt")
    b = draft(tmp_path, "b.txt")
    posts = collect_posts([str(a), str(b)])
    assert len(posts) == 1 and len(posts[0].inputs) == 2


def test_batch_summary_and_jobs_give_same_verdicts(cli, quiet_school, tmp_path):
    batch = tmp_path / "batch"
    draft(batch, "one.txt")
    draft(batch, "two.txt")
    (batch / "three.txt").write_bytes(b"")
    one = cli(batch, "--config", quiet_school.config, "-f", "json")
    two = cli(batch, "--config", quiet_school.config, "-f", "json", "--jobs", "2")
    assert json.loads(one.stdout) == json.loads(two.stdout)
    assert json.loads(one.stdout)["counts"] == {"pass": 2, "warn": 0, "block": 1}
    text = cli(batch, "--config", quiet_school.config)
    assert "Summary" in text.stdout and "3 posts" in text.stdout


def test_quiet_prints_one_line_per_post(cli, quiet_school, tmp_path):
    batch = tmp_path / "batch"
    draft(batch, "one.txt")
    (batch / "two.txt").write_bytes(b"")
    res = cli(batch, "--config", quiet_school.config, "--quiet")
    lines = [line for line in res.stdout.splitlines() if line.strip()]
    assert len(lines) == 2
    assert lines[0].startswith("PASS") and "one" in lines[0]
    assert lines[1].startswith("BLOCK") and "two" in lines[1] and "unreadable-input" in lines[1]


def test_no_color_output_has_no_escape_codes(cli, quiet_school, tmp_path):
    res = cli(draft(tmp_path), "--config", quiet_school.config)
    assert "\x1b[" not in res.stdout


def test_check_error_blocks_and_names_the_check(cli, quiet_school, tmp_path, monkeypatch):
    import postcheck.checks.post as post_checks

    def broken(post, ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(post_checks, "official_authorisation", broken)
    res = cli(draft(tmp_path), "--config", quiet_school.config, "--channel", "official", "-f", "json")
    assert res.exit_code == 2
    finding = json.loads(res.stdout)["posts"][0]["findings"][0]
    assert finding["rule"] == "check-error"
    assert "official-authorisation" in finding["message"] and "boom" in finding["message"]


def test_internal_error_exits_70_without_traceback(cli, quiet_school, tmp_path, monkeypatch):
    import postcheck.batch

    def explode(*a, **k):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(postcheck.batch, "check_posts", explode)
    res = cli(draft(tmp_path), "--config", quiet_school.config)
    assert res.exit_code == 70
    assert "internal error" in res.output and "report" in res.output
    assert "Traceback" not in res.output


# --- other commands ---------------------------------------------------------------------


def test_init_writes_starter_files_and_never_overwrites(cli, tmp_path):
    target = tmp_path / "setup"
    res = cli("init", target, "--policy", "haybrook")
    assert res.exit_code == 0
    config = target / "postcheck.toml"
    assert config.is_file() and (target / "register" / "pupils.csv").is_file()
    assert (target / "register" / "staff.csv").is_file()
    from postcheck.config import load_config

    assert load_config(config).policy == "haybrook"
    before = config.read_text()
    again = cli("init", target)
    assert again.exit_code == 64
    assert config.read_text() == before
    assert cli("config", "validate", "--config", config).exit_code == 0


def test_init_default_folder_is_user_config_dir(cli, tmp_path):
    res = cli("init")
    assert res.exit_code == 0
    assert (tmp_path / "xdg-config" / "postcheck" / "postcheck.toml").is_file()


def test_rules_lists_every_rule(cli):
    res = cli("rules", "--policy", "enquire")
    assert res.exit_code == 0
    for rule in RULES:
        assert rule in res.stdout


@pytest.mark.parametrize("pack", ["haybrook", "enquire"])
def test_explain_clause(cli, pack):
    clause = {"haybrook": "3.2.2", "enquire": "2.6"}[pack]
    res = cli("explain", clause, "--policy", pack)
    assert res.exit_code == 0
    assert f"clause {clause}" in res.stdout
    assert "face-no-consent" in res.stdout


def test_explain_rule_shows_doc_and_clauses(cli):
    res = cli("explain", "official-authorisation")
    assert res.exit_code == 0
    assert "What it does" in res.stdout and "5.1" in res.stdout


def test_explain_unknown_target_suggests(cli):
    res = cli("explain", "pupil-ful-name")
    assert res.exit_code == 64
    assert "pupil-full-name" in res.output


def test_config_show_names_sources(cli, school):
    res = cli("config", "show", "--config", school.config)
    assert res.exit_code == 0
    assert "trust.name" in res.stdout and "The Enquire Learning Trust" in res.stdout
    assert str(school.config) in res.stdout and "default" in res.stdout


def test_config_discovery_walks_up_from_cwd(cli, school, monkeypatch):
    nested = school.root / "posts" / "2026"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    res = cli("config", "show")
    assert str(school.config) in res.stdout


def test_config_env_var(cli, school, monkeypatch):
    monkeypatch.setenv("POSTCHECK_CONFIG", str(school.config))
    res = cli("config", "show")
    assert str(school.config) in res.stdout


def test_no_config_uses_generic_and_says_how_to_init(cli, tmp_path):
    res = cli(draft(tmp_path), "-f", "json", "--fail-on", "never")
    assert json.loads(res.stdout)["policy"]["id"] == "generic"
    assert "postcheck init" in res.stderr


def test_config_validate_reports_missing_logo(cli, school):
    school.write_config(
        school.config.read_text().replace('phones = ["01234 567890"]', 'logos = ["nope.png"]')
    )
    res = cli("config", "validate", "--config", school.config)
    assert res.exit_code == 78
    assert "nope.png" in res.stdout


def test_every_command_has_help_with_an_example(cli):
    import typer

    from postcheck.cli import app

    group = typer.main.get_command(app)
    names = [n for n in group.commands if n != "register"] + ["config show", "config validate"]
    for name in names:
        res = cli(*name.split(), "--help")
        assert res.exit_code == 0, name
        assert "Example" in res.stdout, name
