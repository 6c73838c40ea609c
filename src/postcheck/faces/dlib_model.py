"""face_recognition's face model, called through dlib directly.

postcheck uses the model of the face_recognition library (face_recognition
1.3.0, ``face_encodings(image, known_face_locations, num_jitters=1,
model="small")``): dlib's 5-point landmark predictor places the face, dlib cuts
a 150 x 150 chip around it with 0.25 padding, and dlib's ResNet turns the chip
into 128 numbers. The weights are the files of the ``face_recognition_models``
package. Calling dlib directly rather than through face_recognition lets
postcheck install from prebuilt dlib wheels (``dlib-bin``): the package
``face_recognition`` declares a dependency on ``dlib``, which pip always
compiles from source.

This module holds what runs in dlib: the model files, the HOG and CNN
detectors, the landmark predictor and dlib's own descriptor
(:func:`face_encodings`), each called with face_recognition's arguments.
:mod:`postcheck.faces.resnet` computes the pipeline's encodings from the same
landmarks and chips with the ResNet on onnxruntime, and falls back to
:func:`face_encodings` when it cannot. ``tests/test_dlib_model.py`` checks both
against the boxes and encodings face_recognition 1.3.0 itself computed on the
shared photos.

Only the files that are used are loaded, each on first use and once per process:

* ``shape_predictor_5_face_landmarks.dat``: every encoding;
* ``dlib_face_recognition_resnet_model_v1.dat``: every encoding (read by
  :mod:`postcheck.faces.resnet`, or loaded by dlib here);
* ``mmod_human_face_detector.dat``: only for ``[faces] detector = "cnn"``
  (``hog`` is built into dlib; the default, ``centerface``, is not dlib's).

``shape_predictor_68_face_landmarks.dat`` (99 MB, face_recognition's "large"
landmarks, which face_recognition loads on import) is never loaded: encodings
use the 5-point predictor.

Each file is checked against its SHA-256 before dlib loads it
(:mod:`postcheck.bundled`). The package ``face_recognition_models`` is located,
never imported: its ``__init__`` needs ``pkg_resources`` (setuptools), which a
Python 3.12+ environment may not have. dlib itself is imported inside the
functions, so ``postcheck --help`` and ``--version`` never load it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from postcheck.errors import Unavailable

Box = tuple[int, int, int, int]  # top, right, bottom, left

MODELS_PACKAGE = "face_recognition_models"
LANDMARKS_5 = "shape_predictor_5_face_landmarks.dat"
RESNET = "dlib_face_recognition_resnet_model_v1.dat"
CNN_DETECTOR = "mmod_human_face_detector.dat"

# face_recognition calls compute_face_descriptor(image, landmarks, num_jitters)
# with num_jitters=1 (the face sampled once, no random jitter) and dlib's default
# padding, 0.25, around the 150 x 150 chip that dlib cuts for its ResNet (the
# chip size is fixed inside dlib). Both are passed explicitly here.
CHIP_PADDING = 0.25
NUM_JITTERS = 1

FEATURE = "faces in photos"

_lock = threading.Lock()
_loaded: dict[str, Any] = {}


def model_path(name: str) -> Path:
    """The path of one of face_recognition_models' files, checked against its SHA-256
    (:func:`postcheck.bundled.face_model`: a missing or damaged file is :class:`Unavailable`)."""
    from postcheck.bundled import face_model

    return face_model(name)


def dlib_module() -> Any:
    """dlib, imported once; :class:`Unavailable` when it is not installed."""
    try:
        import dlib
    except ImportError as exc:
        raise Unavailable(FEATURE, "install dlib (pip install dlib-bin)") from exc
    return dlib


def _model(key: str) -> Any:
    """A dlib model object, loaded on first use and kept for the process."""
    with _lock:
        obj = _loaded.get(key)
        if obj is None:
            dlib = dlib_module()
            if key == "hog":
                obj = dlib.get_frontal_face_detector()
            elif key == "cnn":
                obj = dlib.cnn_face_detection_model_v1(str(model_path(CNN_DETECTOR)))
            elif key == "landmarks":
                obj = dlib.shape_predictor(str(model_path(LANDMARKS_5)))
            elif key == "encoder":
                obj = dlib.face_recognition_model_v1(str(model_path(RESNET)))
            else:
                raise ValueError(f"unknown dlib model {key!r}")
            _loaded[key] = obj
        return obj


def landmark_predictor() -> Any:
    """dlib's 5-point landmark predictor, loaded once."""
    return _model("landmarks")


def resnet_model() -> Any:
    """dlib's face recognition ResNet (``dlib.face_recognition_model_v1``), loaded once."""
    return _model("encoder")


def face_locations(rgb: Any, upsample: int = 0, model: str = "hog") -> list[Box]:
    """dlib's HOG or CNN detector on ``rgb`` (H×W×3 uint8), upsampled ``upsample`` times.

    Boxes are ``(top, right, bottom, left)`` clipped to the image, as
    face_recognition's ``face_locations`` returns them.
    """
    if model not in ("hog", "cnn"):
        raise ValueError(f"unknown dlib detector {model!r}; expected hog or cnn")
    found = _model(model)(rgb, upsample)
    rects = [d.rect for d in found] if model == "cnn" else list(found)
    h, w = rgb.shape[:2]
    return [(max(r.top(), 0), min(r.right(), w), min(r.bottom(), h), max(r.left(), 0)) for r in rects]


def face_encodings(rgb: Any, boxes: list[Box], num_jitters: int = NUM_JITTERS) -> Any:
    """An (n, 128) float64 array: the descriptor of the face in each box, in order."""
    import numpy as np

    if not boxes:
        return np.zeros((0, 128), dtype=np.float64)
    dlib = dlib_module()
    landmarks = _model("landmarks")
    encoder = _model("encoder")
    out = np.empty((len(boxes), 128), dtype=np.float64)
    for i, (top, right, bottom, left) in enumerate(boxes):
        rect = dlib.rectangle(int(left), int(top), int(right), int(bottom))
        shape = landmarks(rgb, rect)
        out[i] = np.asarray(encoder.compute_face_descriptor(rgb, shape, num_jitters, CHIP_PADDING))
    return out


def describe() -> str:
    """Two lines naming the face model and the installed dlib (read from package metadata:
    dlib is not imported)."""
    from importlib import metadata

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    dlib_dist = next((f"{d} {v}" for d in ("dlib-bin", "dlib") if (v := version(d))), "not installed")
    models = version(MODELS_PACKAGE)
    models_text = f"{MODELS_PACKAGE} {models}" if models else f"{MODELS_PACKAGE} not installed"
    runtime = version("onnxruntime")
    return (
        "face model: face_recognition's (dlib's 5-point landmarks and ResNet 128-d descriptor) "
        f"from {models_text}\ndlib: {dlib_dist}"
        + (f"; the ResNet runs on onnxruntime {runtime}" if runtime else "")
    )
