"""Batch throughput: ``postcheck FOLDER --jobs 2`` against ``--jobs 1``, as a user runs it.

    python bench/bench_batch.py [--posts 20] [--faces 3] [--rounds 1]

Builds, in a temporary folder (nothing is written into the project), a batch of
``--posts`` posts, each a short draft and one 12 MP (4032x3024) JPEG with
``--faces`` faces pasted from the shared test photos (every other photo stored
EXIF-rotated, as phones do), and a school config whose register holds the shared
reference photos (enrolled once, before timing). Then runs the real command line,
``postcheck FOLDER --config ... --format json --jobs N``, with every check on
(faces, OCR, logo, metadata, text), nothing pinned, in the order 1, 2, 2, 1 per
round so that drifting load on the machine falls on both, and prints wall-clock
seconds, CPU seconds of the whole process tree, the load average around each
run, and the ratio of the two job counts' throughput. The ratio only means
something on an otherwise idle machine: with other work running, each process
gets a share of the CPUs, and a second worker mostly takes share from the first.
Start-up and model loading are included: that is what a user waits for.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import bench_faces  # noqa: E402  (the photo builder shared with the face benchmark)

POSTCHECK = [sys.executable, "-m", "postcheck"]


def build_batch(folder: Path, posts: int, faces: int, seed: int) -> None:
    bench_faces.N_FACES = faces  # the builder places N_FACES faces of 45-200 px
    rng = random.Random(seed)
    crops = bench_faces.face_crops(bench_faces.DEFAULT_FACES)
    folder.mkdir(parents=True)
    for i in range(posts):
        rgb, _ = bench_faces.build_photo(crops, rng)
        bench_faces.save_photo(rgb, folder / f"post{i:02d}.jpg", rotate=i % 2 == 1)
        (folder / f"post{i:02d}.txt").write_text(f"Sports day, race {i + 1}: well done everyone!\n")


def school(root: Path) -> Path:
    people = bench_faces.DEFAULT_FACES / "people"
    pupils = root / "pupils.csv"
    with pupils.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["pupil_id", "first_name", "last_name", "photo_consent", "name_consent", "photos"])
        for i, person in enumerate(sorted(people.iterdir()), 1):
            w.writerow([f"P{i:03d}", person.name.title(), "Test", "yes", "no", str(person)])
    config = root / "postcheck.toml"
    config.write_text(f'policy = "enquire"\nchannel = "official"\n\n[register]\npupils = "{pupils}"\n')
    return config


def run(folder: Path, config: Path, jobs: int, env: dict[str, str]) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(
        [*POSTCHECK, str(folder), "--config", str(config), "--format", "json", "--jobs", str(jobs)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode > 2:
        raise SystemExit(f"postcheck failed ({out.returncode}): {out.stderr.strip()}")
    report = json.loads(out.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "posts": len(report["posts"]), "verdict": report["verdict"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument("--faces", type=int, default=3, help="faces per photo (at least 2)")
    ap.add_argument("--rounds", type=int, default=1, help="rounds of 1, 2, 2, 1 jobs")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    if not (bench_faces.DEFAULT_FACES / "people").is_dir():
        print(f"face test data not found in {bench_faces.DEFAULT_FACES}; set POSTCHECK_FACES_DIR")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="postcheck-bench-batch-"))
    try:
        return measure(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure(args: argparse.Namespace, tmp: Path) -> int:
    folder = tmp / "batch"
    build_batch(folder, args.posts, max(2, args.faces), args.seed)
    config = school(tmp)
    env = {**os.environ, "POSTCHECK_CACHE_DIR": str(tmp / "cache"), "NO_COLOR": "1"}
    subprocess.run(
        [*POSTCHECK, "register", "enrol", "--config", str(config)], env=env, check=True, capture_output=True
    )
    print(
        f"{args.posts} posts: a draft and a 12 MP photo with {args.faces} faces each; "
        f"{os.cpu_count()} CPUs; every check on; start-up included"
    )
    runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    for _ in range(args.rounds):
        for jobs in (1, 2, 2, 1):
            load = os.getloadavg()[0]
            r = run(folder, config, jobs, env)
            runs[jobs].append(r)
            print(
                f"  --jobs {jobs}: {r['wall']:6.1f} s wall, {r['cpu']:6.1f} s CPU "
                f"({r['wall'] / r['posts']:.2f} s a post, verdict {r['verdict']}); "
                f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    one = statistics.median(r["wall"] for r in runs[1])
    two = statistics.median(r["wall"] for r in runs[2])
    cpu_one = statistics.median(r["cpu"] for r in runs[1])
    cpu_two = statistics.median(r["cpu"] for r in runs[2])
    print(f"--jobs 2 throughput: {one / two:.2f}x --jobs 1 (target >= 1.6x); CPU {cpu_two / cpu_one:.2f}x")
    if os.getloadavg()[1] > (os.cpu_count() or 1):  # the 5-minute load average
        print("   (other work was running: wall-clock ratios need an otherwise idle machine)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
