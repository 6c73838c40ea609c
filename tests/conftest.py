"""Shared fixtures: a small school configuration written into a temp folder,
and a CLI runner that returns exit code and output."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from postcheck.catalogue import TEXT_RULES

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POSTCHECK_SHARED_DIR", REPO.parent / "shared"))
FACES_DIR = Path(os.environ.get("POSTCHECK_FACES_DIR", SHARED / "testdata" / "faces"))

PUPILS_CSV = """\
pupil_id,first_name,last_name,preferred_name,year,photo_consent,name_consent,consent_expires,never_publish,photos
P001,Amelia,Smith,Millie,6,yes,first,2099-07-31,,
P002,Oliver,Brown,Ollie,5,yes,yes,2099-07-31,,
P003,Zoë,Okafor,,4,no,no,,,
P004,Harry,Patel-Jones,,6,yes,yes,2020-07-31,,
P005,Leo,Carter,,3,yes,yes,,yes,
"""
STAFF_CSV = "staff_id,first_name,last_name\nS001,Sarah,Whitfield\n"


@dataclass
class School:
    root: Path
    config: Path

    def write_config(self, body: str) -> Path:
        self.config.write_text(body, encoding="utf-8")
        return self.config


def school_toml(policy: str = "enquire", extra: str = "") -> str:
    return f"""\
policy = "{policy}"
channel = "personal"

[trust]
name = "The Enquire Learning Trust"
aliases = ["Enquire", "ELT"]
schools = ["Oakfield Primary Academy"]
domains = ["oakfield.example.sch.uk"]
phones = ["01234 567890"]

[register]
pupils = "register/pupils.csv"
staff = "register/staff.csv"

[disclaimer]
phrases = ["These are my own personal views and not those of the academy"]
{extra}
"""


@pytest.fixture(autouse=True)
def _private_user_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test (and every postcheck it starts) writes its audit trail in a temp
    folder, never the real user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
def school(tmp_path: Path) -> School:
    root = tmp_path / "school"
    (root / "register").mkdir(parents=True)
    (root / "register" / "pupils.csv").write_text(PUPILS_CSV, encoding="utf-8")
    (root / "register" / "staff.csv").write_text(STAFF_CSV, encoding="utf-8")
    config = root / "postcheck.toml"
    config.write_text(school_toml(), encoding="utf-8")
    return School(root, config)


@pytest.fixture
def quiet_school(school: School) -> School:
    """The school with every text rule disabled: the foundation's own behaviour
    (inputs, exit codes, reports) can then be tested on its own."""
    disabled = ", ".join(f'"{r}"' for r in TEXT_RULES)
    school.write_config(school_toml("haybrook", f"\n[rules]\ndisable = [{disabled}]\n"))
    return school


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Result]:
    """Run ``postcheck ARGS`` in-process; the cwd is a temp folder without config."""
    from postcheck.cli import app

    work = tmp_path / "cwd"
    work.mkdir(exist_ok=True)
    monkeypatch.chdir(work)
    monkeypatch.delenv("POSTCHECK_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))  # the audit trail
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(tmp_path / "face-cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str, input: str | bytes | None = None) -> Result:
        runner = CliRunner()
        res = runner.invoke(app, [str(a) for a in args], input=input)
        if res.exception is not None and not isinstance(res.exception, SystemExit):
            raise res.exception
        return Result(res.exit_code, res.stdout, res.stderr)

    return run
