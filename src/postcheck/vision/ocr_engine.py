"""Reading text in photos with RapidOCR (PP-OCR detection, orientation and
recognition models run by onnxruntime; the models ship inside the ``rapidocr``
wheel, so nothing is downloaded).

Install choice: the ``rapidocr`` package (3.x) depends on
``opencv-python-headless``, the same OpenCV build postcheck uses, whereas
``rapidocr-onnxruntime`` (1.x) depends on ``opencv-python``: installing both
OpenCV distributions makes them overwrite each other's ``cv2`` folder, and the
GUI build that wins needs ``libGL.so.1``, which servers and CI images often
lack. ``onnxruntime`` is a separate dependency because ``rapidocr`` 3 supports
several inference engines.

Two passes keep photos without text cheap: text *detection* alone on a small
copy of the photo (at most ``DETECT_SIDE`` pixels long); only when it finds
text does the full pipeline (detect, orient, recognise) run, at up to
``READ_SIDE`` pixels.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from typing import Any

DETECT_SIDE = 960
READ_SIDE = 2000
MIN_SCORE = 0.5

_LOCK = threading.Lock()


@dataclass(frozen=True)
class TextLine:
    text: str
    box: tuple[int, int, int, int]  # top, right, bottom, left in the photo's pixels
    score: float


class OcrUnavailable(Exception):
    pass


@functools.lru_cache(maxsize=1)
def engine() -> Any:
    """The OCR engine, loaded once per process."""
    try:
        import onnxruntime  # noqa: F401
        from rapidocr import RapidOCR
    except ImportError as exc:
        raise OcrUnavailable(str(exc)) from exc
    import logging

    params: dict[str, Any] = {"Global.log_level": "error", "Global.max_side_len": READ_SIDE}
    threads = os.environ.get("POSTCHECK_WORKER_THREADS", "")
    if threads.isdigit() and int(threads) > 0:  # a --jobs worker's share of the CPUs
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = int(threads)
    eng = RapidOCR(params=params)
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return eng


def _bgr(image: Any, side: int) -> tuple[Any, float]:
    import numpy as np

    W, H = image.size
    f = min(1.0, side / max(W, H))
    small = image if f == 1.0 else image.resize((round(W * f), round(H * f)), reducing_gap=2.0)
    return np.ascontiguousarray(np.asarray(small)[:, :, ::-1]), f


def has_text(image: Any) -> bool:
    """The cheap pass: does text detection find anything in a small copy?"""
    img, _ = _bgr(image, DETECT_SIDE)
    with _LOCK:
        res = engine()(img, use_det=True, use_cls=False, use_rec=False)
    boxes = getattr(res, "boxes", None)
    return boxes is not None and len(boxes) > 0


def read_text(image: Any, always: bool = False) -> list[TextLine]:
    """The lines of text in a PIL RGB photo, in reading order."""
    if not always and not has_text(image):
        return []
    img, f = _bgr(image, READ_SIDE)
    with _LOCK:
        res = engine()(img, use_det=True, use_cls=True, use_rec=True)
    boxes = getattr(res, "boxes", None)
    txts = getattr(res, "txts", None)
    scores = getattr(res, "scores", None)
    if boxes is None or txts is None:
        return []
    lines = []
    W, H = image.size
    for quad, text, score in zip(boxes, txts, scores or [1.0] * len(txts), strict=False):
        if not text or not text.strip() or score < MIN_SCORE:
            continue
        xs = [p[0] / f for p in quad]
        ys = [p[1] / f for p in quad]
        box = (max(0, int(min(ys))), min(W, int(max(xs) + 1)), min(H, int(max(ys) + 1)), max(0, int(min(xs))))
        lines.append(TextLine(text.strip(), box, float(score)))
    lines.sort(key=lambda ln: (ln.box[0] // 20, ln.box[3]))
    return lines
