"""dlib's model files (``face_recognition_models``), checked before they are used.

postcheck never downloads a model. Every model file it uses ships inside an
installed package and is checked against a pinned SHA-256 before it is loaded; a
missing or damaged file makes the check that needs it a ``check-error`` (the post
is blocked, the message names the file and says to reinstall; ``register enrol``
exits 78), never a download. The onnxruntime models (OCR, CenterFace) are checked by
:func:`postcheck.vision.runtime.verified_model`, the offensive-language classifier
by :mod:`postcheck.text.classifier`; this module checks the dlib files, which dlib
loads from a path, each before it is loaded (:mod:`postcheck.faces.dlib_model`):
the landmark and recognition models for every encoding, the CNN detector's only
with ``detector = "cnn"``. The 68-point landmark model is never loaded.

ONNX Runtime's telemetry is switched off in :mod:`postcheck`'s ``__init__``,
before anything can import ``onnxruntime``.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from postcheck.errors import Unavailable
from postcheck.fingerprints import sha256_file

FACES = "faces in photos"

# face_recognition_models 0.3.0 (the files are unchanged since 0.1.0).
FACE_MODELS = {
    "shape_predictor_5_face_landmarks.dat": (
        "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888"
    ),
    "dlib_face_recognition_resnet_model_v1.dat": (
        "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"
    ),
    "shape_predictor_68_face_landmarks.dat": (
        "fbdc2cb80eb9aa7a758672cbfdda32ba6300efe9b6e6c7a299ff7e736b11b92f"
    ),
    "mmod_human_face_detector.dat": "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6",
}


def verify(path: Path, sha256: str, what: str, package: str) -> Path:
    """``path`` when its content has the expected SHA-256; otherwise
    :class:`Unavailable` (a ``check-error`` for ``what``) naming the file."""
    try:
        digest = sha256_file(path)
    except FileNotFoundError:
        raise Unavailable(what, f"the model file {path} is missing; reinstall {package}") from None
    except OSError as exc:
        raise Unavailable(
            what, f"the model file {path} cannot be read ({exc.strerror}); reinstall {package}"
        ) from None
    if digest != sha256:
        raise Unavailable(what, f"the model file {path} is damaged (wrong SHA-256); reinstall {package}")
    return path


def package_dir(package: str, what: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise Unavailable(what, f"install {package} (pip install {package})")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def face_model(name: str) -> Path:
    """The verified path of one of ``face_recognition_models``' files (checked once
    per process)."""
    path = package_dir("face_recognition_models", FACES) / "models" / name
    return verify(path, FACE_MODELS[name], FACES, "face_recognition_models")
