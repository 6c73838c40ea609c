"""Reading text in photos with RapidOCR's PP-OCR models (text detection,
orientation and recognition) run by onnxruntime.

Install choice: the ``rapidocr`` package (3.x) depends on
``opencv-python-headless``, the same OpenCV build postcheck uses, whereas
``rapidocr-onnxruntime`` (1.x) depends on ``opencv-python``: installing both
OpenCV distributions makes them overwrite each other's ``cv2`` folder, and the
GUI build that wins needs ``libGL.so.1``, which servers and CI images often
lack. ``onnxruntime`` is a separate dependency because ``rapidocr`` 3 supports
several inference engines.

On a budget (docs/images.md gives the figures):

* **one text detection per photo**, on the shared reduced copy scaled to at most
  :data:`DETECT_SIDE` pixels; a photo without text costs only that;
* **recognition only of boxes shaped like text lines**: text detection finds
  "text" on faces (eyes, mouths, hair), and reading those boxes was most of
  the OCR time on a class photo. A detected box whose long side is less than
  :data:`MIN_LINE_RATIO` times its short side and that lies on a face the face
  check found is not read (a short word such as "Jo" on a badge makes a square
  box too, so squareness alone does not skip a box); the text lines are cut from
  the reduced copy (about 2000 px), not from the detection's smaller image;
* **models loaded once per process**, from the files inside the ``rapidocr``
  wheel, each checked against the SHA-256 below before onnxruntime parses it,
  into postcheck's own sessions (:mod:`postcheck.vision.runtime`: one
  intra-op thread per worker, buffers from the shared arena, telemetry off). RapidOCR's own
  loader is not used: it downloads a model file that is missing or whose hash
  differs. Here a missing or damaged file is :class:`~postcheck.errors.Unavailable`
  ("not checked", the post cannot pass), and nothing is ever downloaded.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postcheck.errors import Unavailable

WHAT = "text in images"
# Text detection works on the photo scaled to at most this many pixels on its
# longer side (chosen by eval/eval_images.py's letter-height sweep: docs/images.md).
DETECT_SIDE = 1280
# Boxes less elongated than this (long side / short side) are not read.
MIN_LINE_RATIO = 1.5
MIN_SCORE = 0.5
# The PP-OCR models rapidocr 3.10 ships, and their SHA-256.
MODELS = {
    "Det": ("PP-OCRv6_det_small.onnx", "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f"),
    "Cls": (
        "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
        "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c",
    ),
    "Rec": ("PP-OCRv6_rec_small.onnx", "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884"),
}
INSTALL = "install the OCR engine with: pip install rapidocr onnxruntime"

_lock = threading.Lock()
_engine: Any = None


@dataclass(frozen=True)
class TextLine:
    text: str
    box: tuple[int, int, int, int]  # top, right, bottom, left in the photo's pixels
    score: float


class _Cfg(dict):
    """A section of RapidOCR's config as a plain dict with attribute access (it
    holds postcheck's own onnxruntime session, which an OmegaConf node cannot)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@dataclass
class _Engine:
    det: Any
    cls: Any
    rec: Any


def engine() -> _Engine:
    """Detector, orientation classifier and recogniser, loaded once per process."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = _load()
        return _engine


def is_loaded() -> bool:
    return _engine is not None


def _import_rapidocr() -> Any:
    """Import the parts of rapidocr used here. Two of its modules each parse the
    same 85 KB model list (default_models.yaml) at import, through OmegaConf, which
    costs about 0.13 s of CPU each time. The list only serves to look up download
    addresses and language routes, and postcheck passes its own verified model
    sessions and never downloads, so it is parsed once, by libyaml, into plain
    dictionaries (their ``get`` and ``[]`` are all the import-time code uses)."""
    try:
        from omegaconf import OmegaConf
    except ImportError as exc:
        raise Unavailable(WHAT, INSTALL) from exc
    real = OmegaConf.load
    parsed: dict[str, Any] = {}

    def load_once(path: Any) -> Any:
        key = str(Path(path).resolve()) if isinstance(path, (str, Path)) else None
        if key is None:
            return real(path)
        if key not in parsed:
            parsed[key] = _model_list(key) if Path(key).name == MODEL_LIST else real(path)
        return parsed[key]

    OmegaConf.load = load_once  # type: ignore[method-assign]
    try:
        import rapidocr
        from rapidocr.ch_ppocr_cls import TextClassifier
        from rapidocr.ch_ppocr_det import TextDetector
        from rapidocr.ch_ppocr_rec import TextRecognizer
        from rapidocr.utils.parse_parameters import ParseParams
    except ImportError as exc:
        raise Unavailable(WHAT, INSTALL) from exc
    finally:
        OmegaConf.load = real  # type: ignore[method-assign]
    return rapidocr, ParseParams, TextDetector, TextClassifier, TextRecognizer


MODEL_LIST = "default_models.yaml"


def _model_list(path: str) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=loader)  # a safe loader: plain data only
    return data if isinstance(data, dict) else {}


def _load() -> _Engine:
    import logging

    from omegaconf import OmegaConf

    from postcheck.vision import runtime

    rapidocr, ParseParams, TextDetector, TextClassifier, TextRecognizer = _import_rapidocr()
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    root = Path(rapidocr.__file__).parent
    models = model_dir() or root / "models"
    cfg = ParseParams.load(root / "config.yaml")
    _no_downloads()
    sections = {}
    for name, (filename, sha256) in MODELS.items():
        section = _Cfg(OmegaConf.to_container(cfg[name]))
        section.update(
            engine_cfg=_Cfg(OmegaConf.to_container(cfg.EngineConfig.onnxruntime)),
            model_root_dir=None,
            model_path=None,
            font_path=None,
            session=runtime.session(runtime.verified_model(models / filename, sha256, WHAT), WHAT),
        )
        sections[name] = section
    sections["Det"].update(limit_type="max", limit_side_len=DETECT_SIDE)
    meta = sections["Rec"]["session"].get_modelmeta().custom_metadata_map
    if "character" not in meta:  # RapidOCR would fetch a character list from the internet
        raise Unavailable(WHAT, f"the recognition model {MODELS['Rec'][0]} has no character list")
    rec = TextRecognizer(sections["Rec"])
    return _Engine(TextDetector(sections["Det"]), TextClassifier(sections["Cls"]), rec)


def _no_downloads() -> None:
    """Make RapidOCR's downloader refuse, for this process: every model postcheck
    uses is local and verified, and a code path that would fetch something must
    fail, never reach the network."""
    from rapidocr.utils.download_file import DownloadFile

    def refuse(cls: Any, params: Any) -> None:
        raise Unavailable(WHAT, f"RapidOCR tried to download {getattr(params, 'file_url', 'a file')}")

    DownloadFile.run = classmethod(refuse)  # type: ignore[method-assign,assignment]


def model_dir() -> Path | None:
    """Where the model files are read from: None for the ``rapidocr`` wheel's own folder."""
    return None


def line_ratio(quad: Any) -> float:
    """Long side / short side of a detected box (four corners)."""
    import numpy as np

    q = np.asarray(quad, dtype=np.float64)
    width = max(np.linalg.norm(q[0] - q[1]), np.linalg.norm(q[2] - q[3]))
    height = max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2]))
    return float(max(width, height) / max(1.0, min(width, height)))


def detect_boxes(bgr: Any) -> list[Any]:
    """Text boxes (4x2 corner arrays, in ``bgr``'s pixels) found by one detection pass."""
    res = engine().det(bgr)
    return [] if res.boxes is None else list(res.boxes)


def read_text(
    image: Any,
    full_size: tuple[int, int] | None = None,
    faces: list[tuple[int, int, int, int]] | tuple = (),
) -> list[TextLine]:
    """The lines of text in a PIL RGB photo, in reading order.

    ``full_size``: ``image`` is a reduced copy of a photo of that size; the
    boxes (and ``faces``) are then in the full photo's pixels. ``faces``: face
    boxes (top, right, bottom, left); squarish text boxes on them are not read."""
    import numpy as np

    bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    h, w = bgr.shape[:2]
    W, H = full_size or (w, h)
    sx, sy = W / w, H / h
    on_image = [(t / sy, r / sx, b / sy, le / sx) for t, r, b, le in faces]
    found = _read(bgr, on_image)
    lines = []
    for quad, text, score in found:
        xs = [p[0] * sx for p in quad]
        ys = [p[1] * sy for p in quad]
        box = (max(0, int(min(ys))), min(W, int(max(xs) + 1)), min(H, int(max(ys) + 1)), max(0, int(min(xs))))
        lines.append(TextLine(text, box, score))
    lines.sort(key=lambda ln: (ln.box[0] // max(1, round(20 * sy)), ln.box[3]))
    return lines


def on_a_face(quad: Any, faces: list[tuple[float, float, float, float]]) -> bool:
    """Whether at least half of the box ``quad`` lies inside one of ``faces``
    (top, right, bottom, left, same pixels), each grown by 30 % (hair, chin)."""
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    area = max(1.0, (right - left) * (bottom - top))
    for t, r, b, le in faces:
        dx, dy = (r - le) * 0.3, (b - t) * 0.3
        iw = min(right, r + dx) - max(left, le - dx)
        ih = min(bottom, b + dy) - max(top, t - dy)
        if iw > 0 and ih > 0 and iw * ih >= 0.5 * area:
            return True
    return False


def _read(bgr: Any, faces: list[tuple[float, float, float, float]]) -> list[tuple[Any, str, float]]:
    import numpy as np

    if min(bgr.shape[:2]) < 8:  # nothing legible
        return []
    boxes = [q for q in detect_boxes(bgr) if line_ratio(q) >= MIN_LINE_RATIO or not on_a_face(q, faces)]
    if not boxes:
        return []
    from rapidocr.ch_ppocr_rec import TextRecInput
    from rapidocr.utils.process_img import get_rotate_crop_image

    eng = engine()
    crops = [get_rotate_crop_image(bgr, np.array(q, dtype=np.float32)) for q in boxes]
    upright = eng.cls(crops).img_list
    rec = eng.rec(TextRecInput(img=upright))
    out = []
    for quad, text, score in zip(boxes, rec.txts, rec.scores, strict=True):
        if text and text.strip() and score >= MIN_SCORE:
            out.append((quad, text.strip(), float(score)))
    return out
