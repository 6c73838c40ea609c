"""Placing a logo into a photo as a camera would see it: scaled, rotated,
seen at an angle, under different light, then JPEG-compressed. Used by the
logo self-test (:func:`postcheck.vision.logo_match.logo_problems`), the tests
and the evaluation."""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Placement:
    width_frac: float  # logo width / photo width
    angle: float  # degrees, in-plane rotation
    tilt: float  # 0..0.4: how strongly one side recedes (perspective)
    cx: float  # centre, as fractions of the photo
    cy: float
    gain: float = 1.0  # lighting
    bias: float = 0.0
    quality: int = 85  # JPEG quality after compositing


def random_placement(rng: random.Random) -> Placement:
    return Placement(
        width_frac=rng.uniform(0.05, 0.6),
        angle=rng.uniform(-30, 30),
        tilt=rng.uniform(0.0, 0.35),
        cx=rng.uniform(0.25, 0.75),
        cy=rng.uniform(0.25, 0.75),
        gain=rng.uniform(0.6, 1.25),
        bias=rng.uniform(-30, 30),
        quality=rng.randint(60, 92),
    )


def composite(photo: Any, logo: Any, p: Placement) -> tuple[Any, tuple[int, int, int, int]]:
    """``photo`` (PIL RGB) with ``logo`` (PIL RGBA) placed per ``p``; returns the
    new photo (after a JPEG round trip) and the logo's box (top, right, bottom, left)."""
    import cv2
    import numpy as np
    from PIL import Image

    W, H = photo.size
    lw = max(8, int(W * p.width_frac))
    lh = max(8, int(lw * logo.height / logo.width))
    if lh > H * 0.9:
        lh = int(H * 0.9)
        lw = int(lh * logo.width / logo.height)
    src = np.float32([[0, 0], [logo.width, 0], [logo.width, logo.height], [0, logo.height]])
    # perspective: the right side recedes by `tilt`
    t = p.tilt
    quad = np.float32(
        [
            [-lw / 2, -lh / 2],
            [lw / 2, -lh / 2 * (1 - t)],
            [lw / 2 * (1 - t / 2), lh / 2 * (1 - t)],
            [-lw / 2, lh / 2],
        ]
    )
    a = math.radians(p.angle)
    rot = np.float32([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    quad = quad @ rot.T
    cx = min(max(p.cx * W, -quad[:, 0].min()), W - quad[:, 0].max())
    cy = min(max(p.cy * H, -quad[:, 1].min()), H - quad[:, 1].max())
    quad += np.float32([cx, cy])
    M = cv2.getPerspectiveTransform(src, quad)
    rgba = np.asarray(logo.convert("RGBA"), dtype=np.float32)
    warped = cv2.warpPerspective(
        rgba, M, (W, H), flags=cv2.INTER_AREA if lw < logo.width else cv2.INTER_LINEAR
    )
    alpha = warped[:, :, 3:4] / 255.0
    colour = np.clip(warped[:, :, :3] * p.gain + p.bias, 0, 255)
    base = np.asarray(photo.convert("RGB"), dtype=np.float32)
    out = base * (1 - alpha) + colour * alpha
    im = Image.fromarray(out.astype(np.uint8))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=p.quality)
    buf.seek(0)
    im = Image.open(buf).convert("RGB")
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    return im, (int(y0), int(x1), int(y1), int(x0))


def texture(size: tuple[int, int], seed: int = 0) -> Any:
    """A busy, photo-like background (smoothed noise with edges), for self-tests."""
    import cv2
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    W, H = size
    small = rng.integers(0, 255, (H // 16 + 1, W // 16 + 1, 3), dtype=np.uint8)
    big = cv2.resize(small, (W, H), interpolation=cv2.INTER_CUBIC)
    noise = rng.normal(0, 12, (H, W, 3))
    return Image.fromarray(np.clip(big + noise, 0, 255).astype(np.uint8))
