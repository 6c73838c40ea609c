"""Face encoding benchmark: dlib's own descriptor against the converted model on onnxruntime.

On one core (this process pins itself to the first CPU it may use), with CPU
time, for the same 150x150 face chips (every face CenterFace finds on the shared
test photos, 40 of them; the list is repeated up to ``--faces``):

* dlib's ``compute_face_descriptor`` on the chips (the pip ``dlib-bin`` wheel is
  built without BLAS);
* the converted model on onnxruntime, one intra-op thread, as postcheck runs it
  (``describe_chips``: up to 64 chips a run), and one chip a run;
* 5-point landmarks and chip extraction (dlib), per face;
* converting the model (an empty cache) and loading it from the cache;
* the largest difference between the two descriptors of a chip.

Each figure is the best of ``--repeat`` runs. The model is converted into a
temporary folder; nothing is written into the project or the user's cache.

Usage: python bench/bench_encoder.py [--faces 40] [--repeat 3]
Target (issue 15): <= 20 ms a face on one core.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FACES = Path(os.environ.get("POSTCHECK_FACES_DIR", ROOT.parent / "shared" / "testdata" / "faces"))


def one_core() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def shared_faces(faces_dir: Path) -> list[tuple[Any, list]]:
    """(photo, encoding boxes) for every shared photo with a face."""
    import numpy as np

    from postcheck.faces.detector import detect, encoding_box
    from postcheck.images import open_image
    from postcheck.model import InputFile

    out = []
    for folder in ("people", "misc", "group"):
        for p in sorted((faces_dir / folder).rglob("*")):
            if p.suffix.lower() not in (".jpg", ".jpeg", ".png"):
                continue
            rgb = np.asarray(open_image(InputFile(str(p), "image", p)).image)
            h, w = rgb.shape[:2]
            boxes = [encoding_box(b, w, h, "centerface") for b in detect(rgb, "centerface", 20)]
            if boxes:
                out.append((rgb, boxes))
    return out


def best(fn: Any, repeat: int) -> float:
    """Least CPU seconds of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--faces", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--faces-dir", type=Path, default=DEFAULT_FACES)
    args = ap.parse_args()
    if not (args.faces_dir / "people").is_dir():
        print(f"face test photos not found in {args.faces_dir} (set POSTCHECK_FACES_DIR)")
        return 1
    one_core()
    with tempfile.TemporaryDirectory(prefix="postcheck-bench-") as cache:
        os.environ["POSTCHECK_CACHE_DIR"] = cache
        run(args)
    return 0


def run(args: argparse.Namespace) -> None:
    import dlib
    import numpy as np

    from postcheck.faces import resnet

    photos = shared_faces(args.faces_dir)
    chips = np.concatenate([resnet.face_chips(rgb, boxes) for rgb, boxes in photos])
    chips = np.concatenate([chips] * (args.faces // len(chips) + 1))[: args.faces]
    n = len(chips)
    blas = dlib.DLIB_USE_BLAS
    print(f"{n} face chips; dlib {dlib.__version__} (BLAS: {blas}); one CPU; CPU time, best of {args.repeat}")

    t0 = time.process_time()
    session = resnet.load_session(threads=1)
    convert_s = time.process_time() - t0
    load_s = best(lambda: resnet.load_session(threads=1), args.repeat)
    model = dlib.face_recognition_model_v1(str(resnet.source_model()))
    listed = list(chips)

    resnet.describe_chips(chips[:1])  # the process's session, loaded once
    onnx_batch = best(lambda: resnet.describe_chips(chips), args.repeat)
    onnx_single = best(lambda: [session.run(None, {"chips": c[None]}) for c in chips], args.repeat)
    dlib_s = best(lambda: model.compute_face_descriptor(listed), args.repeat)
    faces = sum(len(b) for _rgb, b in photos)
    chips_s = best(lambda: [resnet.face_chips(rgb, boxes) for rgb, boxes in photos], args.repeat)

    ours = session.run(None, {"chips": chips})[0]
    theirs = np.asarray(model.compute_face_descriptor(listed))
    rows = [
        ("dlib compute_face_descriptor", f"{dlib_s / n * 1000:.1f} ms a face"),
        (f"onnxruntime, up to {resnet.MAX_BATCH} chips a run", f"{onnx_batch / n * 1000:.1f} ms a face"),
        ("onnxruntime, one chip a run", f"{onnx_single / n * 1000:.1f} ms a face"),
        ("  speed-up over dlib", f"{dlib_s / onnx_batch:.1f}x (target: <= 20 ms a face)"),
        ("landmarks + chip (dlib)", f"{chips_s / faces * 1000:.1f} ms a face"),
        ("convert the model (empty cache)", f"{convert_s:.2f} s"),
        ("load it from the cache", f"{load_s:.2f} s"),
    ]
    for label, value in rows:
        print(f"{label:<36} {value}")
    print(f"{'largest difference from dlib':<36} {np.abs(ours - theirs).max():.1e} (bound 1e-3)")


if __name__ == "__main__":
    sys.exit(main())
