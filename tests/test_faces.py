"""Face matching, the encoding cache's privacy and the register commands' errors
(no face photos or dlib needed: encodings here are synthetic)."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from postcheck.cli_register import register_app
from postcheck.faces import cache
from postcheck.faces.matching import AMBIGUITY_MARGIN, Enrolled, match_faces

TOL, BAND = 0.5, 0.08


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(root))
    cache._LOADED.clear()
    return root


def _encoding(seed: int = 0) -> np.ndarray:
    """A stand-in for a face encoding: 128 numbers with the L2 norm of dlib's (about 1.4)."""
    return _unit(np.random.default_rng(seed)) * 1.4


def _unit(rng: np.random.Generator) -> np.ndarray:
    v = rng.normal(size=128)
    return v / np.linalg.norm(v)


def _at(base: np.ndarray, distance: float, rng: np.random.Generator) -> np.ndarray:
    """A point exactly ``distance`` from ``base``."""
    return base + distance * _unit(rng)


@pytest.fixture
def people() -> tuple[Enrolled, dict[str, np.ndarray], np.random.Generator]:
    rng = np.random.default_rng(3)
    centres = {pid: _unit(rng) * 0.9 for pid in ("P001", "P002", "P003")}
    rows, owners = [], []
    for pid, c in centres.items():
        rows.append(c)
        owners.append(pid)
    rows.append(_at(centres["P001"], 0.2, rng))  # a second reference photo of P001
    owners.append("P001")
    return Enrolled(np.array(rows), tuple(owners)), centres, rng


def test_match_within_tolerance_names_the_person(people) -> None:
    enrolled, centres, rng = people
    face = _at(centres["P002"], 0.35, rng)
    (m,) = match_faces(face[None, :], enrolled, TOL, BAND)
    assert m.status == "match" and m.person == "P002"
    assert m.distance == pytest.approx(0.35, abs=1e-3)


def test_best_of_several_reference_photos_counts(people) -> None:
    enrolled, _centres, rng = people
    second = enrolled.encodings[3]
    face = _at(second, 0.1, rng)
    (m,) = match_faces(face[None, :], enrolled, TOL, BAND)
    assert m.status == "match" and m.person == "P001"
    assert m.distance == pytest.approx(0.1, abs=1e-3)


def test_review_band_names_candidate(people) -> None:
    enrolled, centres, rng = people
    face = _at(centres["P003"], TOL + BAND / 2, rng)
    (m,) = match_faces(face[None, :], enrolled, TOL, BAND)
    assert m.status == "review" and m.person is None
    assert m.candidates[0][0] == "P003"


def test_beyond_band_is_unknown(people) -> None:
    enrolled, _centres, _rng = people
    face = np.full(128, 5.0)  # far from everyone
    (m,) = match_faces(face[None, :], enrolled, TOL, BAND)
    assert m.status == "unknown" and m.person is None and m.candidates == ()


def test_two_people_nearly_equally_close_go_to_review() -> None:
    a = np.zeros(128)
    b = np.zeros(128)
    b[0] = 0.6  # the two enrolled people are 0.6 apart
    enrolled = Enrolled(np.stack([a, b]), ("P001", "P002"))
    face = np.zeros(128)
    face[0] = 0.3 - AMBIGUITY_MARGIN / 4  # 0.29 from P001, 0.31 from P002
    face[1] = 0.2
    (m,) = match_faces(face[None, :], enrolled, TOL, BAND)
    assert m.status == "review"
    assert {pid for pid, _d in m.candidates} == {"P001", "P002"}
    # a clear winner is a match
    face[0] = 0.05
    (m,) = match_faces(face[None, :], enrolled, TOL, BAND)
    assert m.status == "match" and m.person == "P001"


def test_many_faces_at_once_and_no_register() -> None:
    rng = np.random.default_rng(0)
    enc = rng.normal(0, 0.09, (2000, 128))
    owners = tuple(f"P{i // 2:04d}" for i in range(2000))
    faces = enc[[10, 501, 1999]] + 0.001
    matches = match_faces(faces, Enrolled(enc, owners), TOL, BAND)
    assert [m.person for m in matches] == ["P0005", "P0250", "P0999"]
    assert all(m.status == "unknown" for m in match_faces(faces, None, TOL, BAND))
    assert match_faces(np.zeros((0, 128)), Enrolled(enc, owners), TOL, BAND) == []


# --- the cache ---------------------------------------------------------------------------


def _register(tmp_path: Path, n: int) -> tuple[object, Path]:
    from postcheck.config import parse_config
    from postcheck.register import load_register

    photos = tmp_path / "photos"
    photos.mkdir(exist_ok=True)
    csv_path = tmp_path / "pupils.csv"
    with csv_path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["pupil_id", "first_name", "last_name", "photo_consent", "photos"])
        for i in range(n):
            (photos / f"P{i}.jpg").write_bytes(f"photo {i}".encode())
            w.writerow([f"P{i}", "First", "Last", "yes", f"photos/P{i}.jpg"])
    config = parse_config({"register": {"pupils": str(csv_path)}}, tmp_path / "postcheck.toml")
    return load_register(config), photos


def test_cache_files_are_private_and_never_pickled(tmp_path: Path, monkeypatch, private_cache: Path) -> None:
    register, photos = _register(tmp_path, 3)
    calls: list[Path] = []

    def fake_gate(path: Path, detector: str):
        calls.append(path)
        return True, "", _encoding(len(calls))

    monkeypatch.setattr(cache, "_gate", fake_gate)
    result = cache.enrol(register, "centerface")
    assert result.encoded == 3 and len(result.enrolled) == 3
    root = private_cache / "faces"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    for f in root.rglob("*.npy"):
        np.load(f, allow_pickle=False)  # plain arrays only
    # the index holds paths, sizes, times, hashes and verdicts: no encodings
    index = json.loads((root / "index.json").read_text())
    assert set(index) == {"version", "detector", "photos", "results", "set"}
    assert all(set(v) == {"sha256", "size", "mtime_ns"} for v in index["photos"].values())
    assert all(set(v) == {"ok", "reason"} for v in index["results"].values())

    # unchanged photos are never encoded again
    calls.clear()
    again = cache.enrol(register, "centerface")
    assert calls == [] and again.reused == 3 and again.encoded == 0
    assert cache.load(register, "centerface") is not None

    # a changed photo is noticed and encoded afresh; the others are not
    (photos / "P1.jpg").write_bytes(b"a different photo")
    assert cache.load(register, "centerface") is None  # stale
    third = cache.enrol(register, "centerface")
    assert calls == [(photos / "P1.jpg").resolve()] and third.encoded == 1 and third.reused == 2
    assert third.removed == 1  # the old photo's encoding is deleted
    assert len(list((root / "enc").glob("*.npy"))) == 3


def test_removed_photo_deletes_its_encoding(tmp_path: Path, monkeypatch, private_cache: Path) -> None:
    register, photos = _register(tmp_path, 2)
    monkeypatch.setattr(cache, "_gate", lambda path, det: (True, "", _encoding()))
    cache.enrol(register, "centerface")
    (photos / "P0.jpg").unlink()
    status = cache.describe(register, "centerface")
    assert status["stale"] and "P0" in status["problems"]
    result = cache.enrol(register, "centerface")
    assert result.removed == 1
    assert set(result.enrolled.owners) == {"P1"}
    assert len(list((private_cache / "faces" / "enc").glob("*.npy"))) == 1


def test_rejected_photos_are_remembered_with_reason(tmp_path: Path, monkeypatch) -> None:
    register, _photos = _register(tmp_path, 2)
    monkeypatch.setattr(
        cache,
        "_gate",
        lambda path, det: (False, "no face found", None) if "P0" in path.name else (True, "", _encoding()),
    )
    result = cache.enrol(register, "centerface")
    assert [(pid, reason) for pid, _p, reason in result.rejected] == [("P0", "no face found")]
    assert result.usable == {"P1": 1}
    info = cache.describe(register, "centerface")
    assert not info["stale"] and info["usable"] == {"P1": 1}
    assert info["rejected"][0][0] == "P0"


def test_purge_deletes_everything_and_says_what(tmp_path: Path, monkeypatch, private_cache: Path) -> None:
    register, _photos = _register(tmp_path, 2)
    monkeypatch.setattr(cache, "_gate", lambda path, det: (True, "", _encoding()))
    cache.enrol(register, "centerface")
    res = CliRunner().invoke(register_app, ["purge"])
    assert res.exit_code == 0, res.output
    assert "2 face encoding file(s)" in res.stdout and "index" in res.stdout
    assert not (private_cache / "faces").exists()
    res = CliRunner().invoke(register_app, ["purge"])
    assert res.exit_code == 0 and "No face data" in res.stdout


def test_register_load_of_unchanged_cache_is_fast(tmp_path: Path, monkeypatch) -> None:
    """1,000 pupils: the unchanged cache is checked and loaded without re-encoding."""
    register, _photos = _register(tmp_path, 1000)
    monkeypatch.setattr(cache, "_gate", lambda path, det: (True, "", _encoding()))
    cache.enrol(register, "centerface")
    monkeypatch.setattr(cache, "_gate", lambda path, det: pytest.fail("re-encoded an unchanged photo"))
    enrolled = cache.enrolled_for(register, "centerface")
    assert len(enrolled) == 1000


# --- the commands' errors -------------------------------------------------------------------


def test_enrol_with_bad_config_is_one_line_and_exit_78(tmp_path: Path) -> None:
    bad = tmp_path / "postcheck.toml"
    bad.write_text("[faces]\ntolerance = 'high'\n")
    res = CliRunner().invoke(register_app, ["enrol", "--config", str(bad)])
    assert res.exit_code == 78
    assert "faces.tolerance" in res.stderr and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_status_without_register_says_how_to_set_one_up(tmp_path: Path) -> None:
    cfg = tmp_path / "postcheck.toml"
    cfg.write_text('policy = "enquire"\n')
    res = CliRunner().invoke(register_app, ["status", "--config", str(cfg)])
    assert res.exit_code == 78
    assert "no consent register configured" in res.stderr and "[register]" in res.stderr


def test_help_texts_have_examples() -> None:
    for cmd in ("enrol", "status", "purge"):
        res = CliRunner().invoke(register_app, [cmd, "--help"])
        assert res.exit_code == 0
        assert f"postcheck register {cmd}" in res.stdout


def test_register_commands_are_mounted_on_the_main_cli(cli) -> None:
    res = cli("register", "--help")
    assert res.exit_code == 0
    for cmd in ("enrol", "status", "purge"):
        assert cmd in res.stdout
    res = cli("register", "purge")
    assert res.exit_code == 0 and "No face data" in res.stdout


def test_help_does_not_import_face_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from typer.testing import CliRunner; from postcheck.cli import app; "
        "CliRunner().invoke(app, ['register', '--help']); "
        "print(sorted(m for m in ('dlib', 'face_recognition', 'cv2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_changing_the_detector_enrols_again(tmp_path: Path, monkeypatch) -> None:
    register, _photos = _register(tmp_path, 2)
    monkeypatch.setattr(cache, "_gate", lambda path, det: (True, "", _encoding()))
    cache.enrol(register, "centerface")
    assert cache.load(register, "centerface") is not None
    assert cache.load(register, "hog") is None  # encodings depend on the detector's boxes
    result = cache.enrol(register, "hog")
    assert result.encoded == 2 and result.reused == 0
    assert cache.load(register, "hog") is not None


def test_register_without_reference_photos_needs_no_face_data(tmp_path: Path, private_cache: Path) -> None:
    from postcheck.config import parse_config
    from postcheck.register import load_register

    csv_path = tmp_path / "pupils.csv"
    csv_path.write_text("pupil_id,first_name,last_name,photo_consent\nP1,Amy,Lee,yes\n")
    register = load_register(parse_config({"register": {"pupils": str(csv_path)}}, tmp_path / "x.toml"))
    info = cache.describe(register, "centerface")
    assert not info["stale"] and info["problems"] == {"P1": "no reference photo in the register"}
    enrolled = cache.enrolled_for(register, "centerface")
    assert len(enrolled) == 0
    assert not private_cache.exists()  # nothing written
