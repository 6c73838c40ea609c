"""The CenterFace face detector, quantised to 8-bit integers and run by onnxruntime.

``models/centerface-int8.onnx`` is made from the bundled ``centerface.onnx``
(MIT licence, LICENSE.centerface) by ``eval/make_centerface_int8.py``: the input
size made variable, onnxruntime's static quantisation, then the input declared as
8-bit pixels (its quantisation had a scale of 1: the same numbers from a quarter of
the memory). On one core it
takes about half the CPU time of the float model under OpenCV's DNN module and
finds as many faces (docs/faces.md). Its SHA-256 is checked before it is loaded.

The photo is scaled so that the smallest face looked for is about
:data:`MIN_PX` pixels wide, padded to a multiple of 32 (the network's stride
grid), and the heat map decoded into boxes with non-maximum suppression.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any

Box = tuple[int, int, int, int]  # top, right, bottom, left

MODEL_PATH = Path(__file__).parent / "models" / "centerface-int8.onnx"
MODEL_SHA256 = "562cd6999771635ccd100f5f0c9abf0922fec527be4344b0f620a28bbe144e34"
WHAT = "faces in photos"
# What the face cache records as this model (faces/detector.py): the model whose
# numbers the encodings depend on. This file takes 8-bit pixels where the file it
# was made from (SHA-256 a41dda3992d9...) took float pixels that it quantised with
# a scale of 1; both give the same numbers, bit for bit
# (tests/test_centerface_model.py), so encodings made with either stay valid.
OUTPUT_ID = "a41dda3992d9"

# CenterFace's output stride is 4 px; faces of ~20 px in the network's input are
# still found reliably (eval/eval_faces.py), so a photo is scaled by
# MIN_PX / min_face_px (never enlarged).
MIN_PX = 20
THRESHOLD = 0.5  # heat-map score for a face centre
NMS_IOU = 0.3

_lock = threading.Lock()
_session: Any = None


def session() -> Any:
    """The onnxruntime session, made once per process from the verified model file."""
    global _session
    with _lock:
        if _session is None:
            from postcheck.vision import runtime

            _session = runtime.session(runtime.verified_model(MODEL_PATH, MODEL_SHA256, WHAT), WHAT)
        return _session


def scale_for(min_face_px: float) -> float:
    """The fraction of the photo's size CenterFace looks at for faces from ``min_face_px``."""
    return min(1.0, MIN_PX / float(min_face_px))


def detect(rgb: Any, min_face_px: float = 40, threshold: float = THRESHOLD) -> list[Box]:
    """Faces at least about ``min_face_px`` wide in ``rgb`` (H×W×3 uint8), as
    (top, right, bottom, left) boxes in ``rgb``'s pixels, top to bottom."""
    import cv2
    import numpy as np

    sess = session()
    h, w = rgb.shape[:2]
    scale = scale_for(min_face_px)
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    small = rgb if (sw, sh) == (w, h) else cv2.resize(rgb, (sw, sh), interpolation=cv2.INTER_AREA)
    w_in, h_in = max(32, math.ceil(sw / 32) * 32), max(32, math.ceil(sh / 32) * 32)
    blob = np.zeros((1, 3, h_in, w_in), np.uint8)
    blob[0, :, :sh, :sw] = np.moveaxis(small, 2, 0)
    heatmap, scales, offsets, _landmarks = sess.run(None, {"input.1": blob})
    return _boxes(heatmap, scales, offsets, (sw, sh), (w, h), threshold)


def _boxes(
    heatmap: Any, scales: Any, offsets: Any, net: tuple[int, int], photo: tuple[int, int], threshold: float
) -> list[Box]:
    import cv2
    import numpy as np

    heat = heatmap[0, 0]
    ys, xs = np.nonzero(heat > threshold)
    if len(ys) == 0:
        return []
    sw, sh = net
    w, h = photo
    score = heat[ys, xs]
    bh = np.exp(scales[0, 0, ys, xs]) * 4
    bw = np.exp(scales[0, 1, ys, xs]) * 4
    cy = (ys + offsets[0, 0, ys, xs] + 0.5) * 4
    cx = (xs + offsets[0, 1, ys, xs] + 0.5) * 4
    x1 = np.clip(cx - bw / 2, 0, sw)
    y1 = np.clip(cy - bh / 2, 0, sh)
    x2 = np.clip(x1 + bw, 0, sw)
    y2 = np.clip(y1 + bh, 0, sh)
    rects = [
        [float(a), float(b), float(c - a), float(d - b)] for a, b, c, d in zip(x1, y1, x2, y2, strict=True)
    ]
    keep = cv2.dnn.NMSBoxes(rects, score.astype(float).tolist(), threshold, NMS_IOU)
    keep = np.asarray(keep, dtype=int).reshape(-1)
    sx, sy = w / sw, h / sh
    boxes: list[Box] = []
    for i in keep:
        box = (round(y1[i] * sy), round(x2[i] * sx), round(y2[i] * sy), round(x1[i] * sx))
        boxes.append((max(0, box[0]), min(w, box[1]), min(h, box[2]), max(0, box[3])))
    boxes.sort(key=lambda b: (b[0], b[3]))
    return boxes
