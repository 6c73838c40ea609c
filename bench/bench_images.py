"""What the image checks other than faces cost on a 12 MP phone photo.

    python bench/bench_images.py [--repeat 3]

Prints, per 4032x3024 JPEG: location + metadata (EXIF, IPTC, XMP), the logo
search (photo features + matching one logo), and OCR (a photo without text:
one text detection; a photo with text: detection and recognition), all on the
shared reduced copy the checks use.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from postcheck.images import open_image  # noqa: E402
from postcheck.model import InputFile  # noqa: E402
from postcheck.vision.logo_match import find_logo, logo_models, photo_features  # noqa: E402
from postcheck.vision.meta import filename_text, read_metadata  # noqa: E402
from postcheck.vision.ocr_engine import engine, read_text  # noqa: E402
from postcheck.vision.synth import texture  # noqa: E402

CREST = ROOT / "tests/data/images/crest.png"


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return 1000 * statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    photo = texture((4032, 3024), seed=1)
    exif = Image.Exif()
    exif[0x010E] = "Sports day"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (53.0, 44.0, 44.52), 3: "W", 4: (0.0, 20.0, 12.12)})
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'
    path = tmp / "sports_day.jpg"
    photo.save(path, quality=90, exif=exif, xmp=xmp)
    loaded = open_image(InputFile(path.name, "image", path=path), full=False)
    print(f"photo: {loaded.size[0]}x{loaded.size[1]} JPEG, {path.stat().st_size // 1024} KB")

    ms = timed(lambda: (read_metadata(loaded), filename_text(path.name)), max(a.repeat, 10))
    print(f"location + metadata:     {ms:8.1f} ms   (target <= 50 ms)")

    logo_models(CREST)  # once per process
    ms_feat = timed(lambda: photo_features(loaded.reduced, loaded.size), a.repeat)
    feats = photo_features(loaded.reduced, loaded.size)
    ms_match = timed(lambda: find_logo(CREST, feats), a.repeat)
    print(f"logo: photo features     {ms_feat:8.1f} ms   (once per photo)")
    print(f"logo: match one logo     {ms_match:8.1f} ms   (per configured logo)")

    t = time.perf_counter()
    engine()
    print(f"OCR: load models         {1000 * (time.perf_counter() - t):8.1f} ms   (once per process)")
    ms = timed(lambda: read_text(loaded.reduced, loaded.size), a.repeat)
    print(f"OCR: photo without text  {ms:8.1f} ms   (one text detection)")
    im = loaded.image.copy()
    d = ImageDraw.Draw(im)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 120)
    d.rectangle([500, 900, 3000, 1500], fill=(240, 240, 230))
    d.text((600, 1000), "HELLO my name is", font=font, fill=(10, 10, 10))
    d.text((600, 1200), "Amelia Smith", font=font, fill=(10, 10, 10))
    small = im.reduce(2)
    ms = timed(lambda: read_text(small, im.size), a.repeat)
    print(f"OCR: photo with text     {ms:8.1f} ms   (detection + recognition)")


if __name__ == "__main__":
    main()
