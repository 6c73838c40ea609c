"""What an installation gives a user on any system: the wheel carries the example
school and `python -m postcheck demo` checks it from there; `postcheck --version`
names the face model and the dlib in use without loading dlib."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "oakfield"


def test_version_names_the_face_model_without_loading_dlib() -> None:
    # -X importtime lists every module as it is imported, on stderr
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "postcheck", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "postcheck.cli" in imported  # the listing works
    assert not {m for m in imported if m.split(".")[0] in ("dlib", "_dlib_pybind11", "numpy", "cv2")}
    out = proc.stdout
    assert "face model: face_recognition's" in out
    assert f"face_recognition_models {metadata.version('face_recognition_models')}" in out
    assert f"dlib: dlib-bin {metadata.version('dlib-bin')}" in out


def _post_names() -> set[str]:
    """The example batch's posts: subfolders, and loose files grouped by name."""
    posts = EXAMPLE / "posts"
    return {p.name if p.is_dir() else p.stem for p in posts.iterdir() if not p.name.startswith(".")}


@pytest.mark.slow
def test_demo_runs_from_an_installed_wheel(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist)]
    proc = subprocess.run([*build, str(REPO)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = dist.glob("postcheck-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in EXAMPLE.rglob("*"):
        if path.is_file():
            member = f"postcheck/examples/oakfield/{path.relative_to(EXAMPLE).as_posix()}"
            assert member in names, f"{member} is not in {wheel.name}"

    site = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(site)]
    proc = subprocess.run([*install, str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr

    # Not in a checkout: the demo must find the example school inside the installed package.
    work = tmp_path / "work"
    work.mkdir()
    env = {
        "PYTHONPATH": str(site),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "POSTCHECK_CACHE_DIR": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }
    demo = [sys.executable, "-m", "postcheck", "demo", "--format", "json", "--output", "report.json"]
    proc = subprocess.run(demo, capture_output=True, text=True, cwd=work, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr  # it ran, though the example batch blocks
    assert str(site / "postcheck" / "examples" / "oakfield") in proc.stderr
    report = json.loads((work / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "block"
    verdicts = {post["name"]: post["verdict"] for post in report["posts"]}
    assert set(verdicts) == _post_names()
    assert {"pass", "warn", "block"} <= set(verdicts.values())


def test_face_data_is_written_without_os_fchmod(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no os.fchmod before Python 3.13: the private cache must still be
    written, lock file included."""
    from postcheck.faces import private

    monkeypatch.delattr(os, "fchmod")
    target = tmp_path / "faces" / "P001.npy"
    private.write_private(target, lambda fh: fh.write(b"encodings"))
    assert target.read_bytes() == b"encodings"
    assert not list(target.parent.glob(private.TMP_PREFIX + "*"))
    store = private.FaceStore(tmp_path / "store")
    with store.locked():
        pass
    assert (tmp_path / "store" / private.LOCK).is_file()
