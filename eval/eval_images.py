"""Evaluate logo detection and OCR name reading.

    python eval/eval_images.py [--faces DIR] [--positives 60] [--negatives 60] [--ocr 30]

Logo: the Oakfield crest (tests/data/images/crest.png) is composited into the
shared test photos (read from ../shared/testdata/faces, never copied),
enlarged to phone size (4032 px), at random scale (5-60 % of the width),
rotation (+-30 degrees), perspective, lighting and JPEG quality (fixed seed).
Negatives: the same photos without it, and with a different school's badge.
OCR: rendered certificates, badges and signs naming a pupil, in varied fonts,
sizes and angles; a name counts as read when OCR returns it (case-insensitive,
at most one character wrong).
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


def main() -> None:
    ap = argparse.ArgumentParser()
    default = Path(os.environ.get("POSTCHECK_FACES_DIR", ROOT.parent / "shared/testdata/faces"))
    ap.add_argument("--faces", type=Path, default=default)
    ap.add_argument("--positives", type=int, default=60)
    ap.add_argument("--negatives", type=int, default=60)
    ap.add_argument("--ocr", type=int, default=30)
    ap.add_argument("--seed", type=int, default=2024)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    eval_logos(a.faces if a.faces.is_dir() else None, a.positives, a.negatives, rng)
    eval_ocr(a.ocr, rng)


if __name__ == "__main__":
    main()
