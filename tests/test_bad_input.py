"""Bad input, as a user (or someone careless, or hostile) would give it: text in
odd encodings, inputs past the size limits, pipes and devices, folders that
cannot be read or are nested absurdly deep, a spaCy pipeline that is not
installed, outputs aimed at the inputs, and HTML on standard input. Each case
ends in a clear finding or a one-line error with the documented exit code,
never a hang, a traceback or exit 70."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from postcheck import limits

NAMED = "Well done Amelia Smith at sports day!\n"  # P001: name consent "first" -> full name blocks


def report(res) -> dict:
    return json.loads(res.stdout)


def findings(res) -> list[dict]:
    return [f for p in report(res)["posts"] for f in p["findings"]]


def rules(res) -> set[str]:
    return {f["rule"] for f in findings(res)}


def official(cli, school, *args, input=None):
    return cli(*args, "--config", school.config, "--channel", "official", "-f", "json", input=input)


# --- encodings ---------------------------------------------------------------------------


def test_utf32_draft_with_bom_is_read_and_said(cli, school, tmp_path):
    path = tmp_path / "draft.txt"
    path.write_bytes(NAMED.encode("utf-32"))
    res = official(cli, school, path)
    assert res.exit_code == 2
    assert rules(res) == {"pupil-full-name"}
    assert any("UTF-32" in n for n in report(res)["posts"][0]["notes"])


@pytest.mark.parametrize("encoding", ["utf-32-le", "utf-32-be"])
def test_utf32_draft_without_bom_is_not_read_as_utf16(cli, school, tmp_path, encoding):
    path = tmp_path / "draft.txt"
    path.write_bytes(NAMED.encode(encoding))
    res = official(cli, school, path)
    assert res.exit_code == 2
    assert rules(res) == {"pupil-full-name"}
    notes = report(res)["posts"][0]["notes"]
    assert any(encoding.upper() in n and "no byte-order mark" in n for n in notes)


def test_utf16_text_that_does_not_decode_is_unreadable_not_an_error(cli, school, tmp_path):
    path = tmp_path / "draft.txt"
    path.write_bytes(b"\xff\xfe" + "Sports day".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    res = official(cli, school, path)
    assert res.exit_code == 2
    assert rules(res) == {"unreadable-input"}


# --- size limits ---------------------------------------------------------------------------


def test_draft_larger_than_the_limit_is_unreadable_not_read(cli, school, tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Sunny day at the seaside. " * (limits.DRAFT_MAX_BYTES // 26 + 1))
    res = official(cli, school, path)
    assert res.exit_code == 2
    (f,) = findings(res)
    assert f["rule"] == "unreadable-input" and "larger than 5 MB" in f["message"]


def test_standard_input_larger_than_the_limit_is_unreadable(cli, school):
    res = official(cli, school, "-", input=b"Sunny day. " * (limits.DRAFT_MAX_BYTES // 11 + 1))
    assert res.exit_code == 2
    (f,) = findings(res)
    assert f["rule"] == "unreadable-input" and "larger than 5 MB" in f["message"]


def _docx_with(path: Path, body: str) -> Path:
    import docx

    doc = docx.Document()
    doc.add_paragraph(body)
    doc.save(path)
    return path


def test_docx_zip_bomb_is_refused_before_it_is_unpacked(cli, school, tmp_path):
    path = _docx_with(tmp_path / "bomb.docx", "Sports day")
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    # 20 MB of white space inside the body: packs to about 20 KB
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"<w:body>", b"<w:body>" + b" " * (20 << 20)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert path.stat().st_size < 200_000
    res = official(cli, school, path)
    assert res.exit_code == 2
    (f,) = findings(res)
    assert f["rule"] == "unreadable-input" and "zip bomb" in f["message"]


def test_docx_text_past_the_unpacked_limit_is_refused(cli, school, tmp_path, monkeypatch):
    import postcheck.read_docx

    monkeypatch.setattr(postcheck.read_docx, "DOCX_MAX_XML", 64 * 1024)
    path = _docx_with(tmp_path / "long.docx", "Sports day " * 20_000)
    res = official(cli, school, path)
    assert res.exit_code == 2
    (f,) = findings(res)
    assert f["rule"] == "unreadable-input" and "unpacked" in f["message"] and "larger than" in f["message"]


def test_page_of_a_tiff_past_the_pixel_limit_is_not_checked(cli, school, tmp_path, monkeypatch):
    from PIL import Image

    path = tmp_path / "scan.tif"
    small, large = Image.new("RGB", (60, 40), "white"), Image.new("RGB", (300, 200), "white")
    small.save(path, save_all=True, append_images=[large])
    # the first page is under the limit (it is what Pillow checks on opening); page 2 is not
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    res = official(cli, school, path)
    assert res.exit_code == 2
    unreadable = [f for f in findings(res) if f["rule"] == "unreadable-input"]
    assert [f["input"] for f in unreadable] == [f"{path} (page 2)"]
    assert "too large" in unreadable[0]["message"]


# --- pipes, devices, permissions, depth -------------------------------------------------------


def test_named_pipe_on_the_command_line_is_refused_not_waited_on(cli_process, school, tmp_path):
    fifo = tmp_path / "draft.txt"
    os.mkfifo(fifo)
    res = cli_process(fifo, "--config", school.config, "-f", "json", timeout=60)
    assert res.exit_code == 2, res.output
    (f,) = findings(res)
    assert f["rule"] == "unreadable-input" and "named pipe" in f["message"]


def test_named_pipe_in_a_batch_blocks_its_post(cli_process, school, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "trip.txt").write_text("Sunny day at the seaside.\n")
    os.mkfifo(batch / "trip-2.txt")
    res = cli_process(batch, "--config", school.config, "-f", "json", timeout=60)
    assert res.exit_code == 2, res.output
    assert any("named pipe" in f["message"] for f in findings(res))


def test_device_on_the_command_line_is_refused(cli, school):
    res = official(cli, school, "/dev/null")
    assert res.exit_code == 2
    (f,) = findings(res)
    assert f["rule"] == "unreadable-input" and "a device" in f["message"]


def test_file_inside_an_unreadable_folder_is_a_one_line_error_66(cli_process, school, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "draft.txt").write_text("Sunny day.\n")
    locked.chmod(0)
    try:
        res = cli_process(locked / "draft.txt", "--config", school.config)
    finally:
        locked.chmod(0o755)
    assert res.exit_code == 66, res.output
    assert "permission denied" in res.stderr and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_unreadable_user_config_folder_is_a_config_error_78(cli_process, tmp_path):
    home_config = tmp_path / "xdg-config"  # the cli_process fixture's XDG_CONFIG_HOME
    home_config.mkdir()
    draft = tmp_path / "draft.txt"
    draft.write_text("Sunny day.\n")
    home_config.chmod(0)
    try:
        res = cli_process(draft)
    finally:
        home_config.chmod(0o755)
    assert res.exit_code == 78, res.output
    assert "cannot tell whether a config file is there" in res.stderr and "Traceback" not in res.output


def _nest(root: Path, depth: int) -> Path:
    """``root/a/a/.../a`` ``depth`` folders deep, made one level at a time."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("a", dir_fd=fd)
            inner = os.open("a", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("draft.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as fh:
            fh.write("Well done Amelia Smith!\n")
    finally:
        os.close(fd)
    return root


def _unnest(root: Path, depth: int) -> None:
    """Remove what :func:`_nest` made, deepest first (shutil.rmtree recurses too deep)."""
    fds = [os.open(root, os.O_RDONLY)]
    try:
        for _ in range(depth):
            fds.append(os.open("a", os.O_RDONLY, dir_fd=fds[-1]))
        os.unlink("draft.txt", dir_fd=fds[-1])
        for parent in reversed(fds[:-1]):
            os.rmdir("a", dir_fd=parent)
    finally:
        for fd in fds:
            os.close(fd)


def test_folder_nested_1100_deep_blocks_without_a_traceback(cli, school):
    import shutil
    import tempfile

    # outside pytest's own temporary folders: its clean-up cannot remove a tree this deep
    root = Path(tempfile.mkdtemp(prefix="postcheck-deep-"))
    batch = root / "batch"
    (batch / "post").mkdir(parents=True)
    try:
        _nest(batch / "post", 1100)
        res = official(cli, school, batch)
    finally:
        _unnest(batch / "post", 1100)
        shutil.rmtree(root)
    assert res.exit_code == 2, res.output
    (f,) = findings(res)
    assert f["rule"] == "unreadable-input" and f"more than {limits.FOLDER_MAX_DEPTH} deep" in f["message"]


# --- configuration -----------------------------------------------------------------------------


def test_missing_nlp_model_is_a_config_error_78_at_startup(cli, school, tmp_path):
    school.write_config(school.config.read_text() + '\n[nlp]\nmodel = "en_core_web_nonesuch"\n')
    draft = tmp_path / "draft.txt"
    draft.write_text("Sunny day.\n")
    res = cli(draft, "--config", school.config)
    assert res.exit_code == 78
    assert "en_core_web_nonesuch" in res.stderr and "not installed" in res.stderr
    assert res.stdout == "" and "Traceback" not in res.output


# --- outputs never land on inputs -------------------------------------------------------------


def test_output_over_the_draft_is_refused_even_with_force(cli, school, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(NAMED)
    res = cli(draft, "--config", school.config, "-f", "json", "--output", draft, "--force")
    assert res.exit_code == 64
    assert "never writes over or into an input" in res.stderr
    assert draft.read_text() == NAMED


def test_output_through_a_hard_link_or_symlink_to_the_draft_is_refused(cli, school, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(NAMED)
    os.link(draft, tmp_path / "hard.json")
    (tmp_path / "soft.json").symlink_to(draft)
    for other in ("hard.json", "soft.json"):
        res = cli(draft, "--config", school.config, "-f", "json", "-o", tmp_path / other, "--force")
        assert res.exit_code == 64, other
    assert draft.read_text() == NAMED


def test_output_inside_a_batch_folder_is_refused(cli, school, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "trip.txt").write_text("Sunny day.\n")
    res = cli(batch, "--config", school.config, "-f", "json", "-o", batch / "report.json")
    assert res.exit_code == 64
    assert not (batch / "report.json").exists()
    res = cli(batch, "--config", school.config, "-f", "json", "-o", tmp_path / "report.json")
    assert res.exit_code == 0 and (tmp_path / "report.json").exists()


def test_fix_out_into_an_input_folder_is_refused(cli, school, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "trip.txt").write_text(NAMED)
    before = sorted(p.name for p in batch.rglob("*"))
    for out in (batch, batch / "safe"):
        res = cli("fix", batch, "--out", out, "--config", school.config, "--channel", "official")
        assert res.exit_code == 64, res.output
        assert "never writes over or into an input" in res.stderr
    assert sorted(p.name for p in batch.rglob("*")) == before


def test_fix_out_in_the_folder_of_a_draft_is_refused_but_a_subfolder_is_not(cli, school, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(NAMED)
    res = cli("fix", draft, "--out", tmp_path, "--config", school.config, "--channel", "official")
    assert res.exit_code == 64 and draft.read_text() == NAMED
    res = cli("fix", draft, "--out", tmp_path / "safe", "--config", school.config, "--channel", "official")
    assert res.exit_code in (0, 1), res.output
    assert (tmp_path / "safe" / "draft.txt").read_text() != NAMED


# --- HTML on standard input --------------------------------------------------------------------


def test_html_on_standard_input_is_read_as_html(cli, school):
    res = official(cli, school, "-", input="<p><b>Amelia</b> <i>Smith</i> won the race</p>\n")
    assert res.exit_code == 2
    assert rules(res) == {"pupil-full-name"}
    assert any("read as HTML" in n for n in report(res)["posts"][0]["notes"])


def test_plain_text_on_standard_input_is_not_taken_for_html(cli, school):
    res = official(cli, school, "-", input="Year 6 scored 3 < 5 goals & won <3\n")
    assert res.exit_code == 0
    assert not any("HTML" in n for n in report(res)["posts"][0]["notes"])
