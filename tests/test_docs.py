"""Every command and option is documented in the README (a test fails when one is not)."""

from __future__ import annotations

from pathlib import Path

import typer

from postcheck.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix=""):
    for name, cmd in group.commands.items():
        full = f"{prefix}{name}"
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, full + " ")
        else:
            yield full, cmd


def test_every_command_is_in_the_readme():
    group = typer.main.get_command(app)
    for name, _ in _commands(group):
        words = name.split()
        assert any(
            f"postcheck {name}" in README
            or (len(words) == 2 and f"postcheck {words[0]} " in README and words[1] in README)
            for _ in [0]
        ), f"`postcheck {name}` is not documented in README.md"


def test_every_check_option_is_in_the_readme():
    group = typer.main.get_command(app)
    check = group.commands["check"]
    for param in check.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert opt in README, f"check option {opt} is not documented in README.md"


def test_exit_codes_are_documented():
    for code in ("| 0 ", "| 1 ", "| 2 ", "| 64 ", "| 66 ", "| 78 ", "| 70 "):
        assert code in README
