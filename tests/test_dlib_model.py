"""postcheck's own calls into dlib give what face_recognition 1.3.0 gives.

tests/data/face_reference/reference.json holds, for the shared face photos, the
boxes and encodings that face_recognition 1.3.0 computed (the command that made
them is at the top of make_reference.py next to it). dlib's own descriptor
(postcheck.faces.dlib_model) must be bit-identical to them on the dlib release
they were made with, and within DLIB_TOLERANCE on any other dlib build; the
pipeline's encodings (the same ResNet on onnxruntime, postcheck.faces.resnet)
within ONNX_TOLERANCE. Skipped, with the reason, only when the shared photos are
absent: dlib and face_recognition_models are dependencies, so without them these
tests fail.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from conftest import FACES_DIR

if not (FACES_DIR / "people").is_dir():
    pytest.skip(
        f"face test photos not found in {FACES_DIR} (set POSTCHECK_FACES_DIR)", allow_module_level=True
    )

import numpy as np
from PIL import Image

from postcheck.faces import dlib_model
from postcheck.faces.encodings import encode

pytestmark = [pytest.mark.faces]

REFERENCE = Path(__file__).parent / "data" / "face_reference" / "reference.json"
DATA = json.loads(REFERENCE.read_text(encoding="utf-8"))
PHOTOS: dict[str, dict] = DATA["photos"]
# Largest difference allowed, per number, for dlib's own descriptor when dlib is
# not the release the reference was made with, and for the onnxruntime encodings
# (the bound tests/test_faces_resnet.py holds them to against dlib). A 128-d
# encoding's numbers are about 0.01-0.2; match distances are compared with 0.5.
DLIB_TOLERANCE = 1e-6
ONNX_TOLERANCE = 1e-3
# The HOG boxes are compared on the photos up to this size: upsampling the three
# 2-3 MP photos would triple the test's time and adds no other code path.
HOG_MAX_PIXELS = 1_500_000


def _rgb(rel: str) -> np.ndarray:
    """The photo as face_recognition's load_image_file reads it (RGB, no EXIF rotation)."""
    with Image.open(FACES_DIR / rel) as im:
        return np.array(im.convert("RGB"))


def _same_dlib_as_reference() -> bool:
    try:
        return metadata.version("dlib-bin") == DATA["made_with"]["dlib-bin"]
    except metadata.PackageNotFoundError:
        return False


def test_reference_covers_every_shared_photo() -> None:
    on_disk = {
        p.relative_to(FACES_DIR).as_posix()
        for pattern in ("people/*/*", "misc/*")
        for p in FACES_DIR.glob(pattern)
    }
    assert set(PHOTOS) == on_disk, "the shared photos changed: run make_reference.py again"
    assert DATA["made_with"]["face_recognition"] == "1.3.0"
    assert sum(len(e["encodings"]) for e in PHOTOS.values()) == 21  # two faces in two_people.jpg


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The converted ONNX model is cached under POSTCHECK_CACHE_DIR: keep it out of the user's cache."""
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(tmp_path / "cache"))


def _compare(encoder, tolerance: float, bit_identical: bool) -> float:
    worst = 0.0
    for rel, entry in PHOTOS.items():
        rgb = _rgb(rel)
        assert list(rgb.shape) == entry["shape"], rel
        boxes = [tuple(b) for b in entry["hog_upsample_1"]]
        ours = encoder(rgb, boxes)
        theirs = np.array(entry["encodings"], dtype=np.float64).reshape(len(boxes), 128)
        if bit_identical:
            assert np.array_equal(ours, theirs), f"{rel}: not bit-identical to face_recognition 1.3.0"
        diff = float(np.abs(ours - theirs).max())
        assert diff <= tolerance, f"{rel}: encodings differ by up to {diff:g}"
        worst = max(worst, diff)
    return worst


@pytest.mark.slow
def test_dlib_encodings_equal_face_recognition_1_3_0() -> None:
    worst = _compare(dlib_model.face_encodings, DLIB_TOLERANCE, _same_dlib_as_reference())
    print(f"dlib: largest difference from face_recognition 1.3.0: {worst:g}")


@pytest.mark.slow
def test_pipeline_encodings_equal_face_recognition_1_3_0() -> None:
    # the pipeline's call; boxes from the hog detector are encoded as they are
    worst = _compare(lambda rgb, boxes: encode(rgb, boxes, detector="hog"), ONNX_TOLERANCE, False)
    print(f"onnxruntime: largest difference from face_recognition 1.3.0: {worst:g}")


@pytest.mark.slow
def test_hog_boxes_equal_face_recognition_1_3_0() -> None:
    photos = {rel: e for rel, e in PHOTOS.items() if e["shape"][0] * e["shape"][1] <= HOG_MAX_PIXELS}
    assert len(photos) >= 15
    for rel, entry in photos.items():
        found = dlib_model.face_locations(_rgb(rel), 1, "hog")
        assert [list(b) for b in found] == entry["hog_upsample_1"], rel


@pytest.mark.slow
def test_cnn_boxes_equal_face_recognition_1_3_0() -> None:
    small = {rel: e["cnn_upsample_0"] for rel, e in PHOTOS.items() if "cnn_upsample_0" in e}
    assert len(small) >= 3
    for rel, expected in small.items():
        found = dlib_model.face_locations(_rgb(rel), 0, "cnn")
        assert [list(b) for b in found] == expected, rel


# --- through the command line ---------------------------------------------------------------


def _school(folder: Path) -> Path:
    """A register with one pupil, Obama's reference photos, and no photo consent."""
    folder.mkdir(parents=True)
    with (folder / "pupils.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["pupil_id", "first_name", "last_name", "photo_consent", "photos"])
        w.writerow(["P001", "Barack", "Obama", "no", str(FACES_DIR / "people" / "obama")])
    (folder / "staff.csv").write_text("staff_id,first_name,last_name\n", encoding="utf-8")
    config = folder / "postcheck.toml"
    config.write_text(
        'policy = "enquire"\n[register]\npupils = "pupils.csv"\nstaff = "staff.csv"\n'
        '[rules]\ndisable = ["image-text"]\n',
        encoding="utf-8",
    )
    return config


@pytest.mark.slow
def test_check_finds_the_pupil_and_loads_only_the_models_it_uses(tmp_path: Path) -> None:
    """`postcheck check` on a photo of a pupil without photo consent: face-no-consent,
    and the only model files dlib loads or Python opens are the 5-point predictor
    and the ResNet (never the 68-point predictor, nor the CNN detector when the
    detector is not cnn)."""
    config = _school(tmp_path / "school")
    photo = FACES_DIR / "misc" / "obama-480p.jpg"
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        import dlib
        def loaded(name):  # printed at once: postcheck ends its process with os._exit
            print("LOADED:", name, file=sys.stderr, flush=True)
        for name in ("shape_predictor", "face_recognition_model_v1", "cnn_face_detection_model_v1"):
            real = getattr(dlib, name)
            def wrap(path, _real=real):
                loaded(Path(path).name)
                return _real(path)
            setattr(dlib, name, wrap)
        def opened(event, args):
            if event == "open" and str(args[0]).endswith(".dat"):
                loaded(Path(str(args[0])).name)
        sys.addaudithook(opened)
        from postcheck.cli import main
        sys.argv = ["postcheck", "check", {str(photo)!r}, "--config", {str(config)!r},
                    "--channel", "official", "--format", "json"]
        main()
        """
    )
    env = {"POSTCHECK_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600
    )
    report = json.loads(proc.stdout)
    findings = [f for post in report["posts"] for f in post["findings"]]
    assert [(f["rule"], f["person"]) for f in findings if f["rule"] == "face-no-consent"] == [
        ("face-no-consent", "P001")
    ], proc.stdout
    assert report["verdict"] == "block" and proc.returncode == 2, proc.stderr
    loaded = {line.split()[1] for line in proc.stderr.splitlines() if line.startswith("LOADED: ")}
    assert loaded == {dlib_model.RESNET, dlib_model.LANDMARKS_5}, proc.stderr
