"""Finding a known logo in a photo: SIFT features, Lowe's ratio test, a
RANSAC homography, then geometric sanity checks on where the logo would be.

Why this method: a logo in a school photo is a planar pattern seen at an
unknown scale (5-60 % of the photo's width), rotation and viewing angle, under
any light and after JPEG compression. SIFT descriptors are invariant to scale,
rotation and affine lighting changes, and a homography fitted with RANSAC is
exactly the model of a flat logo seen by a camera; requiring many consistent
inliers and a plausible quadrilateral keeps false alarms rare. The logo's
features are computed from a small pyramid of the logo (so a logo far away,
only a hundred pixels wide, is matched by features of a small copy), and from
its mirror image (selfie cameras mirror). See ``eval/eval_images.py`` for the
measured recall and false-positive rate.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORK_SIDE = 1280  # photos are searched at most this large (longest side): see docs/images.md
LOGO_SIDES = (480, 240, 120)  # the logo's pyramid
PHOTO_FEATURES = 8000
RATIO = 0.8
MIN_INLIERS = 12
MIN_LOGO_FEATURES = 60  # fewer than this: too plain to detect reliably


@dataclass(frozen=True)
class LogoModel:
    path: str
    size: tuple[int, int]  # width, height of the reference (largest) level
    points: Any  # Nx2 float32, in reference coordinates
    descriptors: Any  # NxD float32
    mirrored: bool = False


@dataclass(frozen=True)
class LogoMatch:
    logo: str
    box: tuple[int, int, int, int]  # top, right, bottom, left in the photo's pixels
    inliers: int
    mirrored: bool


def _sift() -> Any:
    import cv2

    return cv2.SIFT_create(nfeatures=PHOTO_FEATURES, contrastThreshold=0.03)


def _gray_logo(path: Path) -> Any:
    import numpy as np
    from PIL import Image

    with Image.open(path) as im:
        im.load()
        rgba = im.convert("RGBA")
    # transparent parts become mid-grey: neither a white nor a dark banner
    base = Image.new("RGBA", rgba.size, (128, 128, 128, 255))
    base.alpha_composite(rgba)
    return np.asarray(base.convert("L"))


def _model(gray: Any, path: str, mirrored: bool) -> LogoModel:
    import cv2
    import numpy as np

    h, w = gray.shape
    ref = LOGO_SIDES[0] / max(h, w)
    sift = cv2.SIFT_create(contrastThreshold=0.02)
    pts, descs = [], []
    for side in LOGO_SIDES:
        f = side / max(h, w)
        img = cv2.resize(gray, (max(8, round(w * f)), max(8, round(h * f))), interpolation=cv2.INTER_AREA)
        img = cv2.copyMakeBorder(img, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=128)
        kps, d = sift.detectAndCompute(img, None)
        if d is None:
            continue
        for kp, row in zip(kps, d, strict=True):
            x, y = kp.pt[0] - 16, kp.pt[1] - 16
            pts.append((x / f * ref, y / f * ref))
            descs.append(row)
    size = (round(w * ref), round(h * ref))
    if not pts:
        return LogoModel(path, size, np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32), mirrored)
    return LogoModel(path, size, np.float32(pts), np.float32(descs), mirrored)


@functools.lru_cache(maxsize=32)
def _load_models(path: str, mtime: float, nbytes: int) -> tuple[LogoModel, LogoModel]:
    gray = _gray_logo(Path(path))
    return _model(gray, path, False), _model(gray[:, ::-1].copy(), path, True)


def logo_models(path: Path) -> tuple[LogoModel, LogoModel]:
    """The logo's features (and its mirror image's), computed once per process."""
    st = path.stat()
    return _load_models(str(path), st.st_mtime, st.st_size)


@dataclass(frozen=True)
class PhotoFeatures:
    points: Any
    descriptors: Any
    scale: float  # photo pixels per working pixel
    size: tuple[int, int]


def photo_features(image: Any, full_size: tuple[int, int] | None = None) -> PhotoFeatures:
    """SIFT features of a PIL RGB photo, searched at most ``WORK_SIDE`` pixels long.

    ``full_size``: ``image`` is a reduced copy of a photo of that size, and the
    features' positions are in the full photo's pixels."""
    import cv2
    import numpy as np

    w, h = image.size
    W, H = full_size or (w, h)
    f = min(1.0, WORK_SIDE / max(w, h))
    small = image if f == 1.0 else image.resize((round(w * f), round(h * f)), reducing_gap=2.0)
    gray = cv2.cvtColor(np.asarray(small), cv2.COLOR_RGB2GRAY)
    kps, d = _sift().detectAndCompute(gray, None)
    pts = np.float32([k.pt for k in kps]) if kps else np.zeros((0, 2), np.float32)
    return PhotoFeatures(pts, d, W / small.size[0], (W, H))


def _plausible(quad: Any, work_size: tuple[float, float]) -> bool:
    """A flat logo seen by a camera: a convex quadrilateral of sensible size and shape."""
    import cv2
    import numpy as np

    q = quad.reshape(4, 2).astype(np.float64)
    if not cv2.isContourConvex(q.astype(np.float32)):
        return False
    area = cv2.contourArea(q.astype(np.float32))
    W, H = work_size
    if area < 24 * 24 or area > 1.5 * W * H:
        return False
    sides = [np.linalg.norm(q[(i + 1) % 4] - q[i]) for i in range(4)]
    if min(sides) < 8:
        return False
    # opposite sides: perspective shortens one, but not by more than 3x
    if (
        max(sides[0], sides[2]) / min(sides[0], sides[2]) > 3
        or max(sides[1], sides[3]) / min(sides[1], sides[3]) > 3
    ):
        return False
    # corner angles between 35 and 145 degrees
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        v1, v2 = a - b, c - b
        cos = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        if abs(cos) > 0.82:
            return False
    return True


def match_logo(model: LogoModel, photo: PhotoFeatures) -> LogoMatch | None:
    import cv2
    import numpy as np

    if photo.descriptors is None or len(model.points) < 4 or len(photo.points) < 4:
        return None
    matcher = cv2.BFMatcher(cv2.NORM_L2)
    pairs = matcher.knnMatch(model.descriptors, photo.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < MIN_INLIERS:
        return None
    src = np.float32([model.points[m.queryIdx] for m in good])
    dst = np.float32([photo.points[m.trainIdx] for m in good])
    H, mask = cv2.findHomography(src, dst, cv2.RANSAC, 6.0, maxIters=4000, confidence=0.995)
    if H is None or mask is None:
        return None
    inl = mask.ravel().astype(bool)
    n = int(inl.sum())
    if n < MIN_INLIERS:
        return None
    # each inlier must be a different photo point (many-to-one matches are not evidence)
    if len({m.trainIdx for m, ok in zip(good, inl, strict=True) if ok}) < MIN_INLIERS:
        return None
    w, h = model.size
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2)
    quad = cv2.perspectiveTransform(corners, H)
    work = (photo.size[0] / photo.scale, photo.size[1] / photo.scale)
    if not _plausible(quad, work):
        return None
    # inliers spread over the logo, not bunched on one corner of it
    sp = src[inl]
    spread = (np.ptp(sp[:, 0]) * np.ptp(sp[:, 1])) / float(w * h)
    if spread < 0.12:
        return None
    q = quad.reshape(4, 2) * photo.scale
    W, Hh = photo.size
    x0, y0 = max(0, int(q[:, 0].min())), max(0, int(q[:, 1].min()))
    x1, y1 = min(W, int(q[:, 0].max())), min(Hh, int(q[:, 1].max()))
    return LogoMatch(model.path, (y0, x1, y1, x0), n, model.mirrored)


def find_logo(path: Path, photo: PhotoFeatures) -> LogoMatch | None:
    """The best match of the logo at ``path`` (or its mirror image) in the photo."""
    best = None
    for model in logo_models(path):
        m = match_logo(model, photo)
        if m is not None and (best is None or m.inliers > best.inliers):
            best = m
    return best


def logo_problem(path: Path) -> str | None:
    """Why the logo at ``path`` cannot be searched for reliably, or None.

    A logo must be readable, have enough distinctive features, and be found by
    a self-test: placed small (12 % of a 1200-pixel photo), rotated 20 degrees and seen
    at an angle in a busy synthetic photo.
    """
    from postcheck.vision.synth import Placement, composite, texture

    try:
        models = logo_models(path)
    except FileNotFoundError:
        return f"{path}: logo file not found"
    except OSError as exc:
        return f"{path}: logo cannot be read ({exc.__class__.__name__})"
    except Exception as exc:
        return f"{path}: logo cannot be read ({exc})"
    n = len(models[0].points)
    if n < MIN_LOGO_FEATURES:
        return (
            f"{path}: logo is too plain to detect reliably "
            f"({n} distinctive features; needs {MIN_LOGO_FEATURES})"
        )
    from PIL import Image

    with Image.open(path) as im:
        logo = im.convert("RGBA")
    failures = 0
    for i, p in enumerate(
        (
            Placement(0.12, 20, 0.2, 0.4, 0.5, quality=80),
            Placement(0.25, -25, 0.3, 0.6, 0.4, gain=0.7, bias=20, quality=75),
        )
    ):
        photo, _ = composite(texture((1200, 900), seed=i), logo, p)
        if find_logo(path, photo_features(photo)) is None:
            failures += 1
    if failures:
        return f"{path}: logo is too plain to detect reliably (missed in {failures} of 2 self-tests)"
    return None
