"""Face encodings: dlib's 5-point landmarks and face chips, then dlib's ResNet
run by onnxruntime.

This computes the same 128-number descriptor as face_recognition's
``face_encodings(image, known_face_locations, num_jitters=1, model="small")``:

1. dlib's 5-point landmark model (``shape_predictor_5_face_landmarks.dat``
   from ``face_recognition_models``) on each box, given to dlib as
   ``dlib.rectangle(left, top, right, bottom)`` as face_recognition does;
2. ``dlib.get_face_chips(image, landmarks, size=150, padding=0.25)``: the
   aligned 150x150 chips dlib's own ``compute_face_descriptor`` extracts;
3. the network ``dlib_face_recognition_resnet_model_v1.dat`` (CC0), converted
   once to ONNX by :mod:`postcheck.faces.convert_dlib` and cached, run by
   onnxruntime on all the chips of a photo in one batch. No jitter (dlib jitters
   only when asked for more than one).

The converted model is cached as
``<user cache>/models/face-resnet-v<converter>-<sha256 of the .dat>.onnx``
(``$POSTCHECK_CACHE_DIR/models`` when that is set), in a 0700 folder as a 0600
file. It is converted again when it is missing, unreadable, or made from a
different source file or converter; nothing is ever downloaded. Both dlib files
are checked against their SHA-256 (:mod:`postcheck.bundled`) before use: a
missing or damaged one is a ``check-error``. When the cache
folder cannot be written the model is converted in memory for the process.

When the model cannot be converted (the ``onnx`` package is missing, or the
``.dat`` file is not the network the converter knows) dlib computes the
descriptors itself: the same numbers, about 13 times slower.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

Box = tuple[int, int, int, int]  # top, right, bottom, left

CHIP_SIZE = 150
CHIP_PADDING = 0.25
MODEL_PREFIX = "face-resnet-"
# All the faces of a photo go through the network in one run, up to this many at a
# time: a run's memory grows by about 1.5 MB a face (40 faces: 100 MB, 80: 120 MB
# more than the model's 75 MB), and larger runs are no faster.
MAX_BATCH = 64

_lock = threading.Lock()
_loaded: dict[str, Any] = {}


# --- model files ------------------------------------------------------------------------


def source_model() -> Path:
    """dlib's ``dlib_face_recognition_resnet_model_v1.dat``, checked against its SHA-256."""
    from postcheck.bundled import face_model

    return face_model("dlib_face_recognition_resnet_model_v1.dat")


def landmark_model() -> Path:
    """dlib's ``shape_predictor_5_face_landmarks.dat``, checked against its SHA-256."""
    from postcheck.bundled import face_model

    return face_model("shape_predictor_5_face_landmarks.dat")


def models_dir() -> Path:
    from postcheck.faces.cache import cache_root

    return cache_root() / "models"


def cached_model_path(source_sha256: str, root: Path | None = None) -> Path:
    from postcheck.faces.convert_dlib import CONVERTER_VERSION

    return (root or models_dir()) / f"{MODEL_PREFIX}v{CONVERTER_VERSION}-{source_sha256}.onnx"


def _save(path: Path, model: bytes) -> None:
    """Write the converted model (0600, folder 0700) and delete older conversions."""
    from postcheck.faces.private import write_private

    write_private(path, lambda fh: fh.write(model))
    for old in path.parent.glob(f"{MODEL_PREFIX}*.onnx"):
        if old != path:
            old.unlink(missing_ok=True)


def _session(model: bytes, threads: int) -> Any:
    """The session every other model has (:func:`postcheck.vision.runtime.session`):
    buffers from the process's shared arena, errors only on the terminal."""
    import onnxruntime  # noqa: F401 - without it, dlib computes the descriptors itself

    from postcheck.vision import runtime

    return runtime.session(model, "faces in photos", threads)


def _matches(session: Any, source_sha256: str) -> bool:
    from postcheck.faces.convert_dlib import CONVERTER_VERSION

    meta = session.get_modelmeta().custom_metadata_map
    return meta.get("source_sha256") == source_sha256 and meta.get("converter_version") == str(
        CONVERTER_VERSION
    )


def load_session(threads: int = 1, source: Path | None = None, root: Path | None = None) -> Any:
    """An onnxruntime session of the converted model, converting (and caching) it if needed.

    Raises :class:`~postcheck.faces.dlib_dnn.ModelFormatError` or ImportError
    when the model cannot be converted."""
    data = (source or source_model()).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    path = cached_model_path(sha, root)
    try:
        session = _session(path.read_bytes(), threads)
        if _matches(session, sha):
            return session
    except Exception:  # missing, unreadable or damaged: convert again
        pass
    from postcheck.faces.convert_dlib import convert

    model = convert(data, sha)
    try:
        _save(path, model)
    except OSError:  # a read-only cache folder: use the model from memory
        pass
    return _session(model, threads)


# --- encoding ------------------------------------------------------------------------------


def _dlib() -> Any:
    from postcheck.faces.dlib_model import dlib_module

    return dlib_module()


def _get(key: str, make: Any) -> Any:
    with _lock:
        value = _loaded.get(key)
        if value is None:
            value = _loaded[key] = make()
        return value


def _encoder(threads: int) -> Any:
    """The onnxruntime session, or dlib's own model when the network cannot be converted."""

    def make() -> Any:
        from postcheck.faces.dlib_dnn import ModelFormatError

        try:
            return load_session(threads)
        except (ImportError, ModelFormatError):
            from postcheck.faces.dlib_model import resnet_model

            return resnet_model()

    return _get(f"encoder-{threads}", make)


def face_chips(rgb: Any, locations: list[Box]) -> Any:
    """(n, 150, 150, 3) uint8: dlib's aligned chip of each (top, right, bottom, left) box."""
    import numpy as np

    if not locations:
        return np.zeros((0, CHIP_SIZE, CHIP_SIZE, 3), dtype=np.uint8)
    from postcheck.faces.dlib_model import landmark_predictor

    dlib = _dlib()
    predictor = landmark_predictor()
    img = np.ascontiguousarray(rgb, dtype=np.uint8)
    shapes = dlib.full_object_detections()
    for top, right, bottom, left in locations:
        shapes.append(predictor(img, dlib.rectangle(left, top, right, bottom)))
    chips = dlib.get_face_chips(img, shapes, size=CHIP_SIZE, padding=CHIP_PADDING)
    return np.stack([np.asarray(c, dtype=np.uint8) for c in chips])


def describe_chips(chips: Any, threads: int = 1) -> Any:
    """(n, 128) float64: the descriptor of each 150x150 chip, up to :data:`MAX_BATCH` chips a run."""
    import numpy as np

    chips = np.ascontiguousarray(chips, dtype=np.uint8).reshape(-1, CHIP_SIZE, CHIP_SIZE, 3)
    if len(chips) == 0:
        return np.zeros((0, 128), dtype=np.float64)
    encoder = _encoder(threads)
    if hasattr(encoder, "compute_face_descriptor"):  # dlib's own model
        out = encoder.compute_face_descriptor(list(chips))
    else:
        out = np.concatenate(
            [
                encoder.run(None, {"chips": chips[i : i + MAX_BATCH]})[0]
                for i in range(0, len(chips), MAX_BATCH)
            ]
        )
    return np.asarray(out, dtype=np.float64).reshape(len(chips), 128)


def face_encodings(rgb: Any, locations: list[Box], threads: int = 1) -> Any:
    """(n, 128) float64: one descriptor per (top, right, bottom, left) box, in order."""
    return describe_chips(face_chips(rgb, locations), threads)


def dlib_face_encodings(rgb: Any, locations: list[Box]) -> Any:
    """The same descriptors computed by dlib itself (the reference the tests compare with)."""
    import numpy as np

    from postcheck.faces.dlib_model import face_encodings

    return face_encodings(np.ascontiguousarray(rgb, dtype=np.uint8), locations)
