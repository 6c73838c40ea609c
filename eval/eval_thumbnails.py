"""Measure when a thumbnail is covered by its photo's checks (postcheck.parts).

    python eval/eval_thumbnails.py [--faces DIR]

A thumbnail that is the photo scaled down is covered by the photo's own checks;
any other is checked as a photo of its own. The decision: the largest mean
grey-level difference over 8 x 8 blocks (postcheck.parts.thumbnail_difference)
is at most COPY_MAX_DIFFERENCE, and the thumbnail shows no face (from 40 px)
that the photo does not show as the same face: found at the same place, with a
face encoding within the match tolerance (postcheck.parts.faces_not_in).
This prints, for each stage:

* real camera thumbnails: every JPEG in the shared photos (read from
  ../shared/testdata/faces, never copied) whose EXIF holds one;
* thumbnails made the way cameras make them (160 px, JPEG quality 75) from
  every shared photo and the example school's photos;
* stale thumbnails: the same, after the photo was changed (cropped by a tenth on
  each side; the first face found covered solid, pixelated in 12 blocks, or
  blurred).

Copies should stay under the limit and stale thumbnails above it.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from PIL import ExifTags, Image, ImageDraw, ImageFilter, ImageOps  # noqa: E402

from postcheck.parts import COPY_MAX_DIFFERENCE, faces_not_in, thumbnail_difference  # noqa: E402

MIN_FACE_PX = 40  # the [faces] min_face_px default
TOLERANCE = 0.5  # the [faces] tolerance default


def faces(photo: Image.Image) -> list:
    import numpy as np

    from postcheck.faces.detector import detect

    return detect(np.asarray(photo), "centerface", MIN_FACE_PX)


def covered(thumb: Image.Image, photo: Image.Image) -> tuple[bool, bool]:
    """(a copy by pixels, covered in the end: a copy with no face the photo lacks)."""
    copy = thumbnail_difference(thumb, photo) <= COPY_MAX_DIFFERENCE
    if not copy:
        return False, False
    return True, not faces_not_in(thumb, photo, faces(photo), "centerface", MIN_FACE_PX, TOLERANCE)


def camera_thumbnail(photo: Image.Image) -> Image.Image:
    small = photo.copy()
    small.thumbnail((160, 160))
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=75)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def exif_thumbnail(path: Path) -> Image.Image | None:
    with Image.open(path) as im:
        raw = im.info.get("exif")
    if not raw:
        return None
    exif = Image.Exif()
    exif.load(raw)
    ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
    if 0x0201 not in ifd1:
        return None
    start = 6 if raw.startswith(b"Exif\x00\x00") else 0
    blob = raw[start + ifd1[0x0201] : start + ifd1[0x0201] + ifd1[0x0202]]
    return Image.open(io.BytesIO(blob)).convert("RGB")


def edits(photo: Image.Image) -> tuple[dict[str, Image.Image], float]:
    """The photo changed after its thumbnail was made, and the width the changed
    face has in a 160-pixel thumbnail (0 when no face was found)."""
    w, h = photo.size
    out = {"crop": photo.crop((w // 10, h // 10, w - w // 10, h - h // 10)).resize(photo.size)}
    boxes = faces(photo)
    width = 0.0
    if boxes:
        t, r, b, left = boxes[0]
        solid = photo.copy()
        ImageDraw.Draw(solid).rectangle((left, t, r, b), fill=(96, 96, 96))
        out["face covered"] = solid
        face = photo.crop((left, t, r, b))
        pixel = photo.copy()
        blocks = face.resize((max(1, (r - left) // 12), max(1, (b - t) // 12)))
        pixel.paste(blocks.resize(face.size, Image.Resampling.NEAREST), (left, t))
        out["face pixelated"] = pixel
        blur = photo.copy()
        blur.paste(face.filter(ImageFilter.GaussianBlur((r - left) / 8)), (left, t))
        out["face blurred"] = blur
        width = (r - left) * 160 / max(w, h)
    return out, width


def main(argv: list[str] | None = None) -> int:
    default = Path(os.environ.get("POSTCHECK_FACES_DIR", ROOT.parent / "shared" / "testdata" / "faces"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--faces", type=Path, default=default)
    args = ap.parse_args(argv)
    if not args.faces.is_dir():
        print(f"shared face photos not found in {args.faces}", file=sys.stderr)
        return 66
    photos = sorted(p for p in args.faces.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg"))
    photos += sorted((ROOT / "examples").rglob("*.jpg"))
    print(f"limit: {COPY_MAX_DIFFERENCE:g} grey levels; faces from {MIN_FACE_PX} px\n")
    print("real camera thumbnails: difference, covered")
    for path in photos:
        thumb = exif_thumbnail(path)
        if thumb is not None:
            photo = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
            print(f"  {path.name:28} {thumbnail_difference(thumb, photo):6.1f}  {covered(thumb, photo)[1]}")
    copies: list[tuple[float, bool]] = []
    stale: dict[str, list[tuple[bool, bool, float]]] = {}
    for path in photos:
        photo = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
        thumb = camera_thumbnail(photo)
        copies.append((thumbnail_difference(thumb, photo), covered(thumb, photo)[1]))
        changed_photos, width = edits(photo)
        for what, changed in changed_photos.items():
            stale.setdefault(what, []).append((*covered(thumb, changed), width))
    print(
        f"\nthumbnails made at 160 px from {len(copies)} photos: difference at most "
        f"{max(d for d, _ in copies):.1f}; covered {sum(c for _, c in copies)}/{len(copies)}"
    )
    print("\nstale thumbnails: taken for a copy by the pixels; covered in the end, split into")
    print(f"faces under {MIN_FACE_PX} px in the thumbnail (not looked for) and larger faces that the")
    print("changed photo still shows as the same face (its face check sees that person)")
    for what, values in stale.items():
        by_pixels = sum(c for c, _f, _w in values)
        small = sum(f and w < MIN_FACE_PX for _c, f, w in values)
        same = sum(f and w >= MIN_FACE_PX for _c, f, w in values)
        print(f"  {what:16} {by_pixels:2}/{len(values)} by pixels; covered: {small} small, {same} same face")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
