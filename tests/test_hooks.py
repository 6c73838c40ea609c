"""The pre-commit hook (run through `pre-commit try-repo` on a scratch
repository) and the GitHub Action (its script, run on a scratch repository
with a base commit). Both use --group stem, so numbered drafts stay separate
posts and a photo joins the draft of its name."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image

from conftest import REPO

BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None, reason="needs git (pre-commit and the Action use it)"
)


def env_for(tmp_path: Path) -> dict[str, str]:
    """postcheck on PATH, git identity, caches in the temp folder, no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "POSTCHECK_", "PRE_COMMIT"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        GIT_AUTHOR_NAME="Comms Office",
        GIT_AUTHOR_EMAIL="comms@example.org",
        GIT_COMMITTER_NAME="Comms Office",
        GIT_COMMITTER_EMAIL="comms@example.org",
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        POSTCHECK_CACHE_DIR=str(tmp_path / "face-cache"),
        NO_COLOR="1",
        COLUMNS="80",
    )
    if "POSTCHECK_SHARED_DIR" in os.environ:
        env["POSTCHECK_SHARED_DIR"] = os.environ["POSTCHECK_SHARED_DIR"]
    return env


def git(repo: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def scratch_repo(school, env: dict[str, str]) -> Path:
    """The school folder (postcheck.toml, register) as a git repository."""
    repo = school.root
    git(repo, env, "init", "-q", "-b", "main")
    git(repo, env, "add", "-A")
    git(repo, env, "commit", "-q", "-m", "school setup")
    return repo


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_hook_definition():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "postcheck"
    assert hook["args"] == ["--group", "stem"]
    assert hook["require_serial"] is True  # a draft and its photos in one run
    import re

    files = re.compile(hook["files"])
    posts = ("a.txt", "b.MD", "c.html", "d.docx", "e.JPG", "f.jpeg", "g.png", "h.webp", "i.heic", "j.tif")
    for name in posts:
        assert files.search(name), name
    for name in ("setup.py", "logo.svg", "style.css", "data.json"):
        assert not files.search(name), name


@pytest.mark.slow
def test_pre_commit_try_repo_runs_the_hook(quiet_school, tmp_path):
    env = env_for(tmp_path)
    repo = scratch_repo(quiet_school, env)
    write(repo / "posts" / "news-1.txt", "The fair is on Friday.\n")
    write(repo / "posts" / "news-2.txt", "")  # empty: blocks its own post only
    write(repo / "posts" / "trip.txt", "A lovely day at the seaside.\n")
    Image.new("RGB", (64, 48), (90, 140, 200)).save(repo / "posts" / "trip-2.jpg", format="JPEG")
    write(repo / "notes.py", "print('not a post')\n")
    git(repo, env, "add", "-A")
    cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "postcheck", "--all-files", "--verbose"]
    res = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out  # the hook failed: a post is blocked
    assert "Traceback" not in out
    assert "exit code: 2" in out
    assert "news-1" in out and "news-2" in out  # two posts, not one
    assert "posts/news-2.txt" in out and "the file is empty" in out
    assert "3 posts" in out  # news-1, news-2, trip (with its photo)
    assert "notes.py" not in out.split("postcheck (social media posts)")[-1]

    (repo / "posts" / "news-2.txt").write_text("Sports day is next week.\n")
    git(repo, env, "add", "-A")
    res = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Passed" in res.stdout


# --- the GitHub Action ------------------------------------------------------------------


def test_action_definition_runs_the_script_with_inputs_in_the_environment():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert any("scripts/github-action.sh" in r for r in runs)
    assert all("${{" not in r for r in runs)  # inputs reach the shell as variables only
    check = next(s for s in steps if s.get("id") == "check")
    assert check["env"]["POSTCHECK_ACTION_SARIF"] == "${{ inputs.sarif }}"
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert "inputs.sarif == 'true'" in upload["if"]
    assert (REPO / "scripts" / "github-action.sh").is_file()


def run_action(repo: Path, env: dict[str, str], **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**env, "GITHUB_OUTPUT": str(repo.parent / "github-output"), **extra}
    script = REPO / "scripts" / "github-action.sh"
    return subprocess.run(
        ["bash", str(script)], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )


def test_action_checks_the_posts_changed_since_the_base(quiet_school, tmp_path):
    env = env_for(tmp_path)
    repo = scratch_repo(quiet_school, env)
    write(repo / "posts" / "old.txt", "")  # blocks, but did not change
    git(repo, env, "add", "-A")
    git(repo, env, "commit", "-q", "-m", "old post")
    base = git(repo, env, "rev-parse", "HEAD")
    write(repo / "posts" / "news-1.txt", "The fair is on Friday.\n")
    write(repo / "posts" / "official" / "news-2.txt", "The fair is on Saturday.\n")
    write(repo / "README.txt.bak", "not a post\n")
    git(repo, env, "add", "-A")
    git(repo, env, "commit", "-q", "-m", "new posts")

    res = run_action(repo, env, POSTCHECK_ACTION_BASE=base, POSTCHECK_ACTION_SARIF="true")
    assert res.returncode == 1, res.stdout + res.stderr  # warn: an official post without approval
    assert "checking 2 file(s) changed since" in res.stdout
    annotations = [line for line in res.stdout.splitlines() if line.startswith("::warning file=")]
    assert len(annotations) == 1
    expected = "::warning file=posts/official/news-2.txt,line=1,title=official-authorisation"
    assert annotations[0].startswith(expected)
    assert "old.txt" not in res.stdout
    assert "postcheck: PASS posts/news-1 (personal channel" in res.stdout  # two posts from two folders
    assert "sarif=postcheck.sarif" in (repo.parent / "github-output").read_text()
    sarif = json.loads((repo / "postcheck.sarif").read_text())
    results = sarif["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"posts/official/news-2.txt"}

    # no base commit (the first push): every post in the paths is checked
    res = run_action(repo, env, POSTCHECK_ACTION_PATHS="posts", POSTCHECK_ACTION_FAIL_ON="block")
    assert res.returncode == 2 and "in the repository" in res.stdout
    assert "::error file=posts/old.txt" in res.stdout


def test_action_with_nothing_to_check(quiet_school, tmp_path):
    env = env_for(tmp_path)
    repo = scratch_repo(quiet_school, env)
    base = git(repo, env, "rev-parse", "HEAD")
    write(repo / "src" / "site.css", "body {}\n")
    git(repo, env, "add", "-A")
    git(repo, env, "commit", "-q", "-m", "style")
    res = run_action(repo, env, POSTCHECK_ACTION_BASE=base)
    assert res.returncode == 0 and "no drafts or photos changed since" in res.stdout
