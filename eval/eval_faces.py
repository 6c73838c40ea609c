"""Face detection recall on hand-labelled group photos, for each detector.

Reads ``group/training.xml`` (dlib imglab format: ``<box top left width height>``)
from the shared face test data and runs every detector exactly as the photo
check does (``[faces] min_face_px`` = 40 by default). A labelled face counts as
found when a detected box overlaps it with IoU >= 0.3 (CenterFace's boxes run
from the hairline to the chin, dlib's from the brows to the chin, so the boxes
of one face differ in height). Detections that overlap no labelled face are
counted as "extra" (PASCAL's labels are not exhaustive, so some are real faces).

Also reports the match distances that face_recognition gives for the shared
reference photos with boxes from each detector, which shows that encodings
computed on CenterFace's boxes agree with those computed on HOG's.

Usage: python eval/eval_faces.py [--faces DIR] [--min-face-px 40] [--detectors centerface,hog,cnn]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FACES = Path(os.environ.get("POSTCHECK_FACES_DIR", ROOT.parent / "shared" / "testdata" / "faces"))


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """IoU of two (top, right, bottom, left) boxes."""
    t, r = max(a[0], b[0]), min(a[1], b[1])
    bo, le = min(a[2], b[2]), max(a[3], b[3])
    inter = max(0, r - le) * max(0, bo - t)
    area = lambda x: (x[1] - x[3]) * (x[2] - x[0])  # noqa: E731
    union = area(a) + area(b) - inter
    return inter / union if union else 0.0


def labelled(xml: Path) -> dict[str, list[tuple[int, int, int, int]]]:
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    for image in ET.parse(xml).getroot().iter("image"):
        boxes = []
        for b in image.iter("box"):
            t, le = int(b.get("top")), int(b.get("left"))
            w, h = int(b.get("width")), int(b.get("height"))
            boxes.append((t, le + w, t + h, le))
        out[image.get("file")] = boxes
    return out


def recall(faces_dir: Path, detector: str, min_face_px: int) -> tuple[int, int, int, float]:
    import numpy as np

    from postcheck.faces.detector import detect
    from postcheck.images import open_image
    from postcheck.model import InputFile

    truth = labelled(faces_dir / "group" / "training.xml")
    found = total = extra = 0
    seconds = 0.0
    for name, boxes in truth.items():
        path = faces_dir / "group" / name
        rgb = np.asarray(open_image(InputFile(name, "image", path)).image)
        t0 = time.perf_counter()
        dets = detect(rgb, detector, min_face_px)
        seconds += time.perf_counter() - t0
        used: set[int] = set()
        for gt in boxes:
            best = max(range(len(dets)), key=lambda i: iou(gt, dets[i]), default=None)
            if best is not None and iou(gt, dets[best]) >= 0.3 and best not in used:
                used.add(best)
                found += 1
        total += len(boxes)
        extra += len(dets) - len(used)
    return found, total, extra, seconds


def distances(faces_dir: Path, detector: str) -> list[tuple[str, float]]:
    """Distance between each person's two reference photos, and to two_people.jpg's faces."""
    import numpy as np

    from postcheck.faces.detector import detect
    from postcheck.faces.encodings import encode
    from postcheck.images import open_image
    from postcheck.model import InputFile

    def enc(path: Path):
        rgb = np.asarray(open_image(InputFile(path.name, "image", path)).image)
        boxes = detect(rgb, detector, 40)
        if not boxes:
            return None
        big = max(boxes, key=lambda b: b[1] - b[3])
        return encode(rgb, [big], detector)[0]

    out = []
    for person in sorted((faces_dir / "people").iterdir()):
        photos = sorted(person.iterdir())
        if len(photos) >= 2:
            a, b = enc(photos[0]), enc(photos[1])
            if a is not None and b is not None:
                out.append((f"{person.name}: photo 1 vs 2", float(np.linalg.norm(a - b))))
    obama, biden = enc(faces_dir / "people/obama/obama.jpg"), enc(faces_dir / "people/biden/biden.jpg")
    if obama is not None and biden is not None:
        out.append(("obama vs biden (different people)", float(np.linalg.norm(obama - biden))))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--faces", type=Path, default=DEFAULT_FACES)
    ap.add_argument("--min-face-px", type=int, default=40)
    ap.add_argument("--detectors", default="centerface,hog,cnn")
    args = ap.parse_args()
    if not (args.faces / "group" / "training.xml").is_file():
        print(f"face test data not found in {args.faces}; set POSTCHECK_FACES_DIR", file=sys.stderr)
        return 2
    print(f"Detection recall on {args.faces / 'group' / 'training.xml'} (min_face_px {args.min_face_px})")
    print(f"{'detector':<11} {'found':>9} {'recall':>7} {'extra':>6} {'seconds':>8}")
    for det in args.detectors.split(","):
        found, total, extra, secs = recall(args.faces, det, args.min_face_px)
        print(f"{det:<11} {found:>4} / {total:<3} {found / total:>7.0%} {extra:>6} {secs:>8.2f}")
    print("\nMatch distances (face_recognition encodings on each detector's boxes)")
    for det in args.detectors.split(","):
        try:
            rows = distances(args.faces, det)
        except Exception as exc:
            print(f"{det}: not measured ({exc})")
            continue
        for what, d in rows:
            print(f"{det:<11} {what:<36} {d:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
