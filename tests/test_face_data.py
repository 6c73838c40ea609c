"""Face data on disk, through the commands a user runs: private whatever the
umask, refused when it is not the user's own and private (exit 78, one line),
validated when read (zeros or NaN block the post), and never a file the cache
did not write deleted. Encodings are synthetic (``cache._gate`` is replaced),
so no face library or photo of a face is needed."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from postcheck.cli import app
from postcheck.faces import cache, private


def _encoding(seed: int) -> np.ndarray:
    """A stand-in for a face encoding: 128 numbers with the L2 norm of dlib's (about 1.4)."""
    v = np.random.default_rng(seed).normal(size=128)
    return v / np.linalg.norm(v) * 1.4


@pytest.fixture
def school(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A register of two pupils with one reference photo each, a config, a photo to
    check, and the face cache in ``tmp_path/cache`` (not created yet)."""
    photos = tmp_path / "refs"
    photos.mkdir()
    rows = ["pupil_id,first_name,last_name,photo_consent,photos"]
    for i in range(2):
        (photos / f"p{i}.jpg").write_bytes(f"reference photo {i}".encode())
        rows.append(f"P{i},Ann{i},Example,yes,refs/p{i}.jpg")
    (tmp_path / "pupils.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "postcheck.toml").write_text(
        'policy = "enquire"\nchannel = "official"\n[register]\npupils = "pupils.csv"\n'
        '[rules]\ndisable = ["image-text"]\n'
    )
    Image.new("RGB", (320, 240), (120, 160, 200)).save(tmp_path / "photo.jpg")
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(cache, "_gate", lambda path, det: (True, "", _encoding(int(path.stem[1:]))))
    cache._LOADED.clear()
    return tmp_path


def run(*args: object) -> tuple[int, str, str]:
    cache._LOADED.clear()
    res = CliRunner().invoke(app, [str(a) for a in args])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.stdout, res.stderr


def enrol(school: Path) -> Path:
    code, out, err = run("register", "enrol", "--config", school / "postcheck.toml")
    assert code == 0, out + err
    return school / "cache" / "faces"


def modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.lstat().st_mode) for p in [root, *root.rglob("*")]}


@pytest.fixture
def umask() -> Iterator[object]:
    saved = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(saved)


# --- private whatever the umask -------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077])
def test_enrolment_writes_0600_files_in_0700_folders_whatever_the_umask(school: Path, umask, mask) -> None:
    umask(mask)
    enrol(school)
    found = modes(school / "cache")
    assert {"faces", "faces/enc", "faces/index.json", "faces/set.npy"} <= set(found)
    assert len([k for k in found if k.startswith("faces/enc/")]) == 2
    for name, mode in found.items():
        want = 0o700 if (school / "cache" / name).is_dir() else 0o600
        assert mode == want, (name, oct(mode))


# --- refused when not private ------------------------------------------------------------------


def _one_line_78(code: int, err: str, *words: str) -> None:
    assert code == 78, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize(
    ("target", "mode"), [("index.json", 0o644), ("set.npy", 0o640), ("enc", 0o755), (".", 0o750)]
)
def test_face_data_open_to_others_is_refused_by_every_command(school: Path, target: str, mode: int) -> None:
    faces = enrol(school)
    path = faces / target
    os.chmod(path, mode)
    toml = school / "postcheck.toml"
    for args in (("register", "status"), ("register", "enrol"), ("check", school / "photo.jpg")):
        code, _out, err = run(*args, "--config", toml)
        _one_line_78(code, err, str(path.resolve() if target == "." else path), f"{mode:04o}", "purge")
    assert stat.S_IMODE(path.stat().st_mode) == mode  # refused, not silently "repaired"
    code, _out, err = run("register", "purge")  # purging is the remedy, and works
    assert code == 0, err
    assert not faces.exists()


def test_face_data_of_another_user_is_refused(school: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    faces = enrol(school)
    me = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: me + 4242)  # the files now seem another user's
    code, _out, err = run("register", "status", "--config", school / "postcheck.toml")
    _one_line_78(code, err, "belongs to another user", "POSTCHECK_CACHE_DIR")
    code, _out, err = run("register", "purge")
    _one_line_78(code, err, "belongs to another user")
    assert (faces / "set.npy").is_file()  # nothing deleted


def test_a_symbolic_link_in_the_face_data_is_refused(school: Path) -> None:
    faces = enrol(school)
    elsewhere = school / "elsewhere.npy"
    (faces / "set.npy").rename(elsewhere)
    (faces / "set.npy").symlink_to(elsewhere)
    code, _out, err = run("check", school / "photo.jpg", "--config", school / "postcheck.toml")
    _one_line_78(code, err, "symbolic link")


# --- validated when read ------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["zeros", "nan", "huge", "shape"])
def test_damaged_encodings_block_the_post(school: Path, content: str) -> None:
    """Before, a set of zeros matched nobody: every face "unknown", a warning."""
    faces = enrol(school)
    bad = {
        "zeros": np.zeros((2, 128)),
        "nan": np.full((2, 128), np.nan),
        "huge": np.full((2, 128), 1e6),
        "shape": np.ones((2, 64)) * 0.1,
    }[content]
    with (faces / "set.npy").open("wb") as fh:  # keeps the file's 0600
        np.save(fh, bad)
    code, out, err = run(
        "check", school / "photo.jpg", "--config", school / "postcheck.toml", "--format", "json"
    )
    assert code == 2, out + err
    (post,) = json.loads(out)["posts"]
    assert post["verdict"] == "block"
    errors = [f["message"] for f in post["findings"] if f["rule"] == "check-error"]
    assert len(errors) == 1 and "faces in photos" in errors[0] and "set.npy is damaged" in errors[0], errors


def test_a_damaged_encoding_file_stops_enrolment(school: Path) -> None:
    faces = enrol(school)
    victim = sorted((faces / "enc").glob("*.npy"))[0]
    with victim.open("wb") as fh:
        np.save(fh, np.zeros(128))
    code, _out, err = run("register", "enrol", "--config", school / "postcheck.toml")
    _one_line_78(code, err, victim.name, "damaged", "purge")


# --- never delete what the cache did not write ----------------------------------------------------


def _other_files(faces: Path) -> dict[str, bytes]:
    (faces / "album").mkdir(parents=True, exist_ok=True)
    files = {"holiday.jpg": b"a photo", "notes.txt": b"my notes", "album/beach.jpg": b"another photo"}
    for name, data in files.items():
        (faces / name).write_bytes(data)
    return files


def test_enrol_and_purge_keep_files_the_cache_did_not_write(school: Path) -> None:
    faces = school / "cache" / "faces"
    faces.mkdir(parents=True, mode=0o700)
    os.chmod(faces, 0o700)
    others = _other_files(faces)
    enrol(school)
    toml = school / "postcheck.toml"
    toml.write_text(toml.read_text() + '[faces]\ndetector = "hog"\n')  # clears and enrols again
    enrol(school)
    assert all((faces / n).read_bytes() == d for n, d in others.items())
    code, out, err = run("register", "purge")
    assert code == 0, err
    assert "2 face encoding file(s)" in out and "index" in out
    assert all((faces / n).read_bytes() == d for n, d in others.items())
    left = sorted(str(p.relative_to(faces)) for p in faces.rglob("*"))
    assert left == ["album", "album/beach.jpg", "holiday.jpg", "notes.txt"]


def test_a_folder_of_other_files_open_to_others_is_refused_and_kept(school: Path) -> None:
    faces = school / "cache" / "faces"
    faces.mkdir(parents=True)
    os.chmod(faces, 0o755)
    others = _other_files(faces)
    code, _out, err = run("register", "enrol", "--config", school / "postcheck.toml")
    _one_line_78(code, err, "0755")
    assert all((faces / n).read_bytes() == d for n, d in others.items())


def test_a_file_the_cache_did_not_write_is_never_overwritten(school: Path) -> None:
    faces = school / "cache" / "faces"
    faces.mkdir(parents=True, mode=0o700)
    os.chmod(faces, 0o700)
    (faces / "index.json").write_text("my own index")
    code, _out, err = run("register", "enrol", "--config", school / "postcheck.toml")
    _one_line_78(code, err, "index.json", "not written by postcheck")
    assert (faces / "index.json").read_text() == "my own index"


def test_a_lock_file_the_cache_did_not_write_is_refused(
    school: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock file that no postcheck process lists is not one being created by
    another enrolment: after the short wait for its creator, it is refused."""
    faces = enrol(school)
    (faces / private.LOCK).unlink()
    (faces / private.LOCK).write_text("")
    os.chmod(faces / private.LOCK, 0o600)
    data = json.loads((faces / private.MANIFEST).read_text())
    data["files"].remove(private.LOCK)
    (faces / private.MANIFEST).write_text(json.dumps(data))
    monkeypatch.setattr(private, "LOCK_LISTED_WITHIN", 0.1)
    code, _out, err = run("register", "enrol", "--config", school / "postcheck.toml")
    _one_line_78(code, err, ".lock", "not written by postcheck")


def test_a_manifest_naming_files_outside_the_folder_deletes_nothing_there(school: Path) -> None:
    faces = enrol(school)
    outside = school / "cache" / "precious.txt"
    outside.write_text("keep me")
    manifest = faces / private.MANIFEST
    data = json.loads(manifest.read_text())
    data["files"] += ["../precious.txt", str(outside)]
    with manifest.open("w") as fh:
        json.dump(data, fh)
    code, _out, err = run("register", "purge")
    assert code == 0, err
    assert outside.read_text() == "keep me" and not faces.exists()


def test_a_cache_written_before_the_manifest_is_adopted(school: Path) -> None:
    faces = enrol(school)
    (faces / private.MANIFEST).unlink()
    (faces / "mine.txt").write_text("not face data")
    code, out, err = run("register", "status", "--config", school / "postcheck.toml")
    assert code == 0 and "out of date" not in out, err
    code, out, err = run("register", "purge")
    assert code == 0 and "2 face encoding file(s)" in out, err
    assert sorted(p.name for p in faces.rglob("*")) == ["mine.txt"]


ENROL_SLOWLY = """
import sys, time
import numpy as np
from postcheck.faces import cache

def gate(path, detector):
    time.sleep(0.5)  # both processes are enrolling at the same time
    v = np.random.default_rng(int(path.stem[1:])).normal(size=128)
    return True, "", v / np.linalg.norm(v) * 1.4

cache._gate = gate
from postcheck.cli import main
sys.argv = ["postcheck", "register", "enrol", "--config", sys.argv[1]]
main()
"""


def test_two_processes_enrolling_at_once_share_one_manifest(school: Path) -> None:
    """As two ``--jobs`` workers do when a check finds the cache out of date."""
    import subprocess
    import sys

    env = {**os.environ, "POSTCHECK_CACHE_DIR": str(school / "cache")}
    cmd = [sys.executable, "-c", ENROL_SLOWLY, str(school / "postcheck.toml")]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in "ab"
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    faces = school / "cache" / "faces"
    listed = json.loads((faces / private.MANIFEST).read_text())["files"]
    on_disk = sorted(
        str(p.relative_to(faces)) for p in faces.rglob("*") if p.is_file() and p.name != private.MANIFEST
    )
    assert sorted(listed) == on_disk and len([f for f in listed if f.startswith("enc/")]) == 2
    code, _out, err = run("register", "purge")
    assert code == 0 and not faces.exists(), err
