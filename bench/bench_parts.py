"""What checking every part of a picture costs, as ratios measured side by side.

    python bench/bench_parts.py [--repeat 3] [--faces DIR]

Runs every image check (faces against an empty register, location, metadata,
OCR) through the runner, in CPU seconds, on:

* a phone photo (two_people.jpg from the shared face photos, else a drawn one)
  without and with a camera-style EXIF thumbnail (what the thumbnail decision
  adds to every phone photo);
* the same photo as a 10-frame animated WebP, all frames different, and as one
  whose frames repeat (repeated frames are checked once).

Prints each figure and its ratio to the single photo.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from PIL import Image, ImageEnhance  # noqa: E402

from postcheck.config import parse_config  # noqa: E402
from postcheck.model import InputFile, Post  # noqa: E402
from postcheck.policy import load_policy  # noqa: E402
from postcheck.register import load_register  # noqa: E402
from postcheck.runner import Session, check_post  # noqa: E402
from postcheck.vision.synth import texture  # noqa: E402


def cpu(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        runs.append(time.process_time() - t)
    return statistics.median(runs)


def with_thumbnail(photo: Image.Image) -> bytes:
    import piexif

    small = photo.copy()
    small.thumbnail((160, 160))
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=75)
    exif = piexif.dump({"0th": {}, "Exif": {}, "GPS": {}, "1st": {}, "thumbnail": buf.getvalue()})
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def main() -> int:
    default = Path(os.environ.get("POSTCHECK_FACES_DIR", ROOT.parent / "shared" / "testdata" / "faces"))
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--faces", type=Path, default=default)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    source = a.faces / "misc" / "two_people.jpg"
    photo = Image.open(source).convert("RGB") if source.is_file() else texture((1126, 661), seed=1)
    files = {}
    files["photo"] = tmp / "photo.jpg"
    photo.save(files["photo"], "JPEG", quality=90)
    files["photo + EXIF thumbnail"] = tmp / "thumb.jpg"
    files["photo + EXIF thumbnail"].write_bytes(with_thumbnail(photo))
    frames = [ImageEnhance.Brightness(photo).enhance(0.8 + 0.04 * i) for i in range(10)]
    files["10 frames, all different"] = tmp / "anim.webp"
    frames[0].save(files["10 frames, all different"], save_all=True, append_images=frames[1:], quality=90)
    files["10 frames, 2 different"] = tmp / "repeat.webp"
    two = [frames[i % 2] for i in range(10)]
    two[0].save(files["10 frames, 2 different"], save_all=True, append_images=two[1:], lossless=True)

    config = parse_config({"policy": "generic"}, tmp / "postcheck.toml")
    session = Session(config, load_policy("generic"), "official", load_register(config))
    check_post(Post("warm-up", (InputFile("photo.jpg", "image", files["photo"]),)), session)  # load models
    print(f"photo: {photo.size[0]}x{photo.size[1]}; CPU seconds, median of {a.repeat}")
    base = None
    for label, path in files.items():
        post = Post(label, (InputFile(path.name, "image", path),))
        seconds = cpu(lambda post=post: check_post(post, session), a.repeat)
        base = base or seconds
        print(f"  {label:28} {seconds:7.2f} s   x{seconds / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
