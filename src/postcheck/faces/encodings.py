"""Face encodings (dlib's 128-d descriptor, computed by
:mod:`postcheck.faces.resnet`) and the reference-photo quality gate.

An encoding is biometric data: it is returned as a numpy array, cached only by
:mod:`postcheck.faces.cache` (mode 0600) and never printed or logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from postcheck.faces.detector import Box, detect, encoding_box

# The quality gate for reference photos (DESIGN §3).
MIN_REFERENCE_FACE_PX = 80
# Variance of the Laplacian of the face, measured on a grey crop scaled to
# BLUR_CROP_PX wide so the figure does not depend on the photo's resolution.
# Measured on the shared test photos: the nine sharp reference photos score
# 152-890; the same photos after a light Gaussian blur (sigma = 1 % of the face's
# width) score 8-21, and a 104 px face so blurred 46. A soft, upscaled portrait
# (misc/alex-lacamoire.png) scores 24: it also matches its own person only at
# 0.53, which is why it must not be a reference photo.
BLUR_CROP_PX = 160
BLUR_THRESHOLD = 60.0
# A second face is counted on a reference photo only when it is at least this
# fraction of the largest face's width (a tiny face on a poster behind the pupil
# is still a second face above 25 %).
SECOND_FACE_RATIO = 0.25
REFERENCE_WORK_PX = 1600


def encode(rgb: Any, boxes: list[Box], detector: str = "centerface") -> Any:
    """An (n, 128) float64 array: one encoding per box, in the order given."""
    import numpy as np

    if not boxes:
        return np.zeros((0, 128), dtype=np.float64)
    from postcheck.faces.resnet import face_encodings

    h, w = rgb.shape[:2]
    locations = [encoding_box(b, w, h, detector) for b in boxes]
    return face_encodings(rgb, locations)


def sharpness(rgb: Any, box: Box) -> float:
    """Variance of the Laplacian of the face crop (grey, scaled to BLUR_CROP_PX wide)."""
    import cv2

    t, r, b, le = box
    crop = rgb[max(0, t) : b, max(0, le) : r]
    if crop.size == 0:
        return 0.0
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    height = max(1, round(grey.shape[0] * BLUR_CROP_PX / max(1, grey.shape[1])))
    grey = cv2.resize(grey, (BLUR_CROP_PX, height), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


@dataclass(frozen=True)
class Reference:
    """The outcome of the quality gate for one reference photo."""

    ok: bool
    reason: str  # why it was rejected ("" when ok)
    encoding: Any = None  # (128,) float64 when ok; never printed


def reference_encoding(rgb: Any, detector: str = "centerface") -> Reference:
    """Apply the quality gate to a reference photo and encode its one face."""
    import cv2

    h, w = rgb.shape[:2]
    # Look at a phone photo at most REFERENCE_WORK_PX on its longer side, for
    # faces down to 20 px there, so that a second, smaller face is still seen.
    f = min(1.0, REFERENCE_WORK_PX / max(h, w))
    work = rgb if f == 1.0 else cv2.resize(rgb, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    found = detect(work, detector, min_face_px=20)
    boxes = [(round(t / f), round(r / f), round(b / f), round(le / f)) for t, r, b, le in found]
    if not boxes:
        return Reference(False, "no face found")
    widths = [r - le for _t, r, _b, le in boxes]
    largest = max(widths)
    faces = [b for b, bw in zip(boxes, widths, strict=True) if bw >= largest * SECOND_FACE_RATIO]
    if len(faces) > 1:
        return Reference(False, f"{len(faces)} faces found; a reference photo must show one person")
    box = faces[0]
    width = box[1] - box[3]
    if width < MIN_REFERENCE_FACE_PX:
        return Reference(False, f"the face is {width} px wide; at least {MIN_REFERENCE_FACE_PX} px is needed")
    sharp = sharpness(rgb, box)
    if sharp < BLUR_THRESHOLD:
        return Reference(
            False, f"the face is blurred (sharpness {sharp:.0f}, at least {BLUR_THRESHOLD:.0f} is needed)"
        )
    enc = encode(rgb, [box], detector)
    return Reference(True, "", enc[0])
