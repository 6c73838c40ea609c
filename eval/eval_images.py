"""Evaluate logo detection and OCR name reading.

    python eval/eval_images.py [--faces DIR] [--positives 60] [--negatives 60] [--ocr 30]

Logo: the Oakfield crest (tests/data/images/crest.png) is composited into the
shared test photos (read from ../shared/testdata/faces, never copied),
enlarged to phone size (4032 px), at random scale (5-60 % of the width),
rotation (+-30 degrees), perspective, lighting and JPEG quality (fixed seed).
Negatives: the same photos without it, and with a different school's badge.
OCR, two measures:

1. rendered certificates, badges and signs naming a pupil (3024x2268, varied
   fonts, sizes and angles) read with ``read_text``; a name counts as read when
   OCR returns it (case-insensitive, at most one character wrong);
2. the letter-height sweep (``--ocr-sides``): 12 MP JPEG photos of a name
   badge, a certificate, a banner or a whiteboard (eval/ocr_scenes.py) at each
   letter height of ``--heights``, checked the way ``postcheck check`` does
   (decoded to the shared reduced copy, one text detection at each side length
   of ``--ocr-sides``): recall per letter height and side, whether the line's
   box covers the name in the full-resolution, EXIF-rotated photo, the
   long/short side ratio of the boxes holding names and of the boxes found on
   faces (synthetic class photos, with --faces), and CPU per photo.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "eval"))

from postcheck.vision.logo_match import find_logo, photo_features  # noqa: E402
from postcheck.vision.ocr_engine import read_text  # noqa: E402
from postcheck.vision.synth import composite, random_placement, texture  # noqa: E402

CREST = ROOT / "tests/data/images/crest.png"
OTHER = ROOT / "tests/data/images/other-logo.png"
FONTS = "/usr/share/fonts/truetype/dejavu"
NAMES = ["Amelia Smith", "Oliver Brown", "Zoe Okafor", "Harry Patel-Jones", "Leo Carter", "Millie Smith"]


def phone_size(im: Image.Image) -> Image.Image:
    f = 4032 / max(im.size)
    return im.convert("RGB").resize((round(im.width * f), round(im.height * f)), Image.LANCZOS)


def eval_logos(faces: Path | None, n_pos: int, n_neg: int, rng: random.Random) -> None:
    photos = (
        sorted(p for p in faces.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png")) if faces else []
    )
    if not photos:
        print(f"logo: shared photos not found ({faces}); using synthetic backgrounds")
    crest = Image.open(CREST).convert("RGBA")
    other = Image.open(OTHER).convert("RGBA")

    def background(i: int) -> Image.Image:
        return phone_size(Image.open(photos[i % len(photos)])) if photos else texture((4032, 3024), seed=i)

    hits = 0
    misses = []
    t_search = 0.0
    for i in range(n_pos):
        p = random_placement(rng)
        im, _ = composite(background(i), crest, p)
        t = time.perf_counter()
        found = find_logo(CREST, photo_features(im))
        t_search += time.perf_counter() - t
        if found:
            hits += 1
        else:
            misses.append(f"{p.width_frac:.2f}w {p.angle:+.0f}deg tilt {p.tilt:.2f}")
    false = 0
    for i in range(n_neg):
        im = background(i)
        if i % 2:
            im, _ = composite(im, other, random_placement(rng))
        if find_logo(CREST, photo_features(im)):
            false += 1
    print(f"logo recall: {hits}/{n_pos} = {100 * hits / n_pos:.1f} % (target >= 95 %)")
    print(f"logo false positives: {false}/{n_neg} = {100 * false / n_neg:.1f} % (target <= 2 %)")
    print(f"logo search: {1000 * t_search / n_pos:.0f} ms per 12 MP photo (features + match)")
    for m in misses:
        print(f"  missed: {m}")


def _close(a: str, b: str) -> bool:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a.casefold(), b.casefold()) <= 1


def eval_ocr(n: int, rng: random.Random) -> None:
    fonts = [f for f in sorted(Path(FONTS).glob("*.ttf"))] if Path(FONTS).is_dir() else []
    templates = [
        ["Certificate of Achievement", "awarded to {name}", "for outstanding effort"],
        ["HELLO my name is", "{name}"],
        ["Star of the Week", "{name}", "Year 5"],
        ["Maths exercise book", "Name: {name}"],
    ]
    read = 0
    times = []
    for i in range(n):
        name = NAMES[i % len(NAMES)]
        lines = [t.format(name=name) for t in templates[i % len(templates)]]
        size = rng.choice([40, 60, 90, 130])
        font = (
            ImageFont.truetype(str(fonts[i % len(fonts)]), size)
            if fonts
            else ImageFont.load_default(size=size)
        )
        bg = tuple(rng.randint(190, 255) for _ in range(3))
        im = Image.new("RGB", (3024, 2268), bg)
        d = ImageDraw.Draw(im)
        y = rng.randint(300, 700)
        for line in lines:
            d.text(
                (rng.randint(200, 600), y), line, font=font, fill=tuple(rng.randint(0, 80) for _ in range(3))
            )
            y += int(size * 1.6)
        im = im.rotate(rng.uniform(-20, 20), fillcolor=bg, resample=Image.BICUBIC)
        t = time.perf_counter()
        got = read_text(im)
        times.append(time.perf_counter() - t)
        words = " ".join(ln.text for ln in got)
        ok = any(
            _close(" ".join(words.split()[k : k + len(name.split())]), name)
            for k in range(len(words.split()))
        )
        read += ok
        if not ok:
            fname = fonts[i % len(fonts)].name if fonts else "default"
            print(f"  not read: {name!r} ({fname} {size}px): {words!r}")
    print(f"OCR name recall: {read}/{n} = {100 * read / n:.1f} % (target >= 90 %)")
    print(f"OCR with text: {1000 * sum(times) / len(times):.0f} ms per photo (mean)")


def _covers(found: tuple, truth: tuple) -> float:
    """The share of the ``truth`` box inside the ``found`` box."""
    t = max(found[0], truth[0])
    r = min(found[1], truth[1])
    b = min(found[2], truth[2])
    le = max(found[3], truth[3])
    inter = max(0, r - le) * max(0, b - t)
    return inter / max(1, (truth[1] - truth[3]) * (truth[2] - truth[0]))


def _name_read(lines: list, name: str) -> bool:
    """Whether OCR returned the name (at most one character wrong)."""
    words = " ".join(ln.text for ln in lines).split()
    n = len(name.split())
    return any(_close(" ".join(words[k : k + n]), name) for k in range(len(words)))


def eval_ocr_heights(faces: Path | None, sides: list[int], heights: list[int], per: int, rng) -> None:
    import tempfile

    import numpy as np
    from ocr_scenes import KINDS, scene

    from postcheck.images import open_image
    from postcheck.model import InputFile
    from postcheck.vision import ocr_engine

    photos = sorted(p for p in faces.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg")) if faces else []
    tmp = Path(tempfile.mkdtemp(prefix="postcheck-ocr-eval-"))
    cells = [(px, kind) for px in heights for kind in KINDS for _ in range(per)]
    scenes = [scene(tmp, kind, px, i, photos, rng) for i, (px, kind) in enumerate(cells)]
    print(f"\nOCR letter-height sweep: {len(scenes)} photos of 4032x3024 ({per} per kind and height)")
    eng = ocr_engine.engine()
    ratios: list[float] = []
    results: dict[int, dict[int, list[bool]]] = {}
    boxes_ok: dict[int, list[bool]] = {}
    cpu: dict[int, float] = {}
    for side in sides:
        eng.det.limit_side_len = side
        results[side] = {px: [] for px in heights}
        boxes_ok[side] = []
        c0 = time.process_time()
        for sc in scenes:
            loaded = open_image(InputFile(sc.path.name, "image", sc.path), full=False)
            lines = ocr_engine.read_text(loaded.reduced, loaded.size)
            ok = _name_read(lines, sc.name)
            results[side][sc.letter_px].append(ok)
            if ok:
                first = sc.name.split()[0].casefold()
                cover = max(
                    (_covers(ln.box, sc.box) for ln in lines if first in ln.text.casefold()), default=0
                )
                boxes_ok[side].append(cover >= 0.7)
            if side == sides[-1]:
                bgr = np.ascontiguousarray(np.asarray(loaded.reduced)[:, :, ::-1])
                sx, sy = loaded.reduced_scale
                for q in ocr_engine.detect_boxes(bgr):
                    qb = (min(q[:, 1]) * sy, max(q[:, 0]) * sx, max(q[:, 1]) * sy, min(q[:, 0]) * sx)
                    if _covers(qb, sc.box) > 0.3 or _covers(sc.box, qb) > 0.5:
                        ratios.append(ocr_engine.line_ratio(q))
        cpu[side] = (time.process_time() - c0) / len(scenes)
        print(f"  detect at {side} px: {sum(map(sum, results[side].values()))} names read", flush=True)
    print("letter height (px) " + "".join(f"{px:>7}" for px in heights) + "   boxes ok   CPU/photo")
    for side in sides:
        row = "".join(f"{sum(results[side][px])}/{len(results[side][px]):<4}".rjust(7) for px in heights)
        ok = boxes_ok[side]
        print(f"detect at {side:>4} px  {row}   {sum(ok)}/{len(ok):<7} {cpu[side]:.2f} s")
    eng.det.limit_side_len = ocr_engine.DETECT_SIDE
    if ratios:
        print(
            f"long/short ratio of boxes on names: min {min(ratios):.2f}, 5th percentile "
            f"{float(np.percentile(ratios, 5)):.2f}, median {float(np.median(ratios)):.2f}"
        )
    if faces is not None:
        _face_ratios(faces, rng)


def _face_ratios(faces: Path, rng) -> None:
    """Long/short ratio of the text boxes detected on faces in synthetic 12 MP class photos."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "bench"))
    import bench_faces

    from postcheck.vision import ocr_engine

    crops = bench_faces.face_crops(faces)
    on_faces: list[float] = []
    others = 0
    for _ in range(4):
        rgb, truth = bench_faces.build_photo(crops, rng)
        small = np.ascontiguousarray(rgb[::2, ::2, ::-1])
        for q in ocr_engine.detect_boxes(small):
            qb = (min(q[:, 1]) * 2, max(q[:, 0]) * 2, max(q[:, 1]) * 2, min(q[:, 0]) * 2)
            if any(_covers(_grow(t), qb) >= 0.5 for t in truth):
                on_faces.append(ocr_engine.line_ratio(q))
            else:
                others += 1
    if on_faces:
        print(
            f"text boxes on faces (4 class photos, 160 faces): {len(on_faces)}, long/short ratio "
            f"max {max(on_faces):.2f}, 95th percentile {float(np.percentile(on_faces, 95)):.2f}, "
            f"below {ocr_engine.MIN_LINE_RATIO}: {sum(r < ocr_engine.MIN_LINE_RATIO for r in on_faces)}; "
            f"boxes elsewhere: {others}"
        )
    else:
        print(f"text boxes on faces (4 class photos): none; boxes elsewhere: {others}")


def _grow(box: tuple) -> tuple:
    t, r, b, le = box
    dx, dy = (r - le) * 0.3, (b - t) * 0.3
    return (t - dy, r + dx, b + dy, le - dx)


def main() -> None:
    ap = argparse.ArgumentParser()
    default = Path(os.environ.get("POSTCHECK_FACES_DIR", ROOT.parent / "shared/testdata/faces"))
    ap.add_argument("--faces", type=Path, default=default)
    ap.add_argument("--positives", type=int, default=60)
    ap.add_argument("--negatives", type=int, default=60)
    ap.add_argument("--ocr", type=int, default=30)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--ocr-sides", default="960,1280,1600,2016", help="text-detection sides to sweep")
    ap.add_argument("--heights", default="25,35,45,60,90,130,200", help="letter heights (px at 12 MP)")
    ap.add_argument("--per", type=int, default=2, help="photos per kind and letter height")
    ap.add_argument("--only-ocr", action="store_true", help="skip the logo evaluation")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    faces = a.faces if a.faces.is_dir() else None
    if not a.only_ocr:
        eval_logos(faces, a.positives, a.negatives, rng)
    if a.ocr:
        eval_ocr(a.ocr, rng)
    sides = [int(x) for x in a.ocr_sides.split(",") if x]
    if sides:
        heights = [int(x) for x in a.heights.split(",") if x]
        eval_ocr_heights(faces, sides, heights, a.per, random.Random(a.seed))


if __name__ == "__main__":
    main()
