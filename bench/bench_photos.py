"""Photos at speed, side by side: postcheck and face_recognition's CLI on the same photos.

    python bench/bench_photos.py [--photos 20] [--batch 200] [--skip-cli]

In one invocation, in a temporary folder (nothing is written into the project):

1. ``--photos`` synthetic 12 MP class photos (4032x3024 JPEG, 40 faces of
   45-200 px pasted from the shared test photos; every other one stored sideways
   with an EXIF orientation, as phones do; bench/bench_faces.py's generator),
   and a phone-photo post: a draft and a 12 MP photo with 2 faces;
2. ``postcheck check`` (the real command line, ``--format json``) on the class
   photos: one job on one core without a register, one job on one core with a
   register (every face encoded and matched; the logo search, metadata and OCR
   run too), and ``--jobs 2`` on both cores with the register;
3. face_recognition's own ``face_recognition --cpus 1`` CLI on one core, on the
   same photos and reference photos. face_recognition is not a postcheck
   dependency: it is installed on first use into its own virtual environment,
   ``bench/.fr-venv`` (git-ignored): ``dlib-bin``, ``face_recognition_models``,
   ``numpy``, ``pillow`` and ``Click`` (what its CLI imports), then
   ``face_recognition==1.3.0`` without its dependencies (it names ``dlib``, which
   would compile from source);
4. the phone-photo post end to end (``postcheck check draft.txt photo.jpg``), five times;
5. with ``--batch N``: N class photos with ``--jobs 2`` and ``--jobs 1`` (peak
   memory of the whole process tree, throughput ratio).

Each run prints seconds per photo (wall and CPU of the whole process tree,
start-up included), faces found against the photos' true boxes, peak RSS of the
largest process and of the whole tree. Linux only (reads /proc).
Targets (issue "Photos at speed"): >= 790/800 faces and >= 38 on every photo;
<= 1.5 s a photo on one core; >= 2x the face_recognition CLI; phone post <= 2 s;
--jobs 2 >= 1.6x --jobs 1 and < 1.5 GB for 200 photos.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

import bench_faces  # noqa: E402

FACES = bench_faces.DEFAULT_FACES
FR_VENV = HERE / ".fr-venv"
FACE_RULES = {"face-no-consent", "face-unknown", "pupil-photo-personal"}
CREST = ROOT / "tests" / "data" / "images" / "crest.png"
PHONE_RUNS = 5  # the phone post is short: its wall-clock time is a median of several runs


# --- measuring a process tree ---------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float
    peak_total_mb: float  # the whole process tree's RSS at its largest
    peak_process_mb: float  # the largest single process (a worker, or the only process)
    workers: int
    returncode: int
    stdout: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _children(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(cmd: list[str], cores: set[int] | None, env: dict[str, str]) -> Run:
    """Run ``cmd`` (pinned to ``cores``), sampling its process tree's memory."""
    out = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=out,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    if cores:  # set from here: a preexec_fn is not safe beside the sampling thread
        os.sched_setaffinity(proc.pid, cores)
    peaks: dict[int, int] = {}
    total = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pids = _children(proc.pid)
            rss = 0
            for p in pids:
                rss += _status_kb(p, "VmRSS:")
                peaks[p] = max(peaks.get(p, 0), _status_kb(p, "VmHWM:"))
            total[0] = max(total[0], rss)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    workers = max(0, len(peaks) - 1)
    return Run(
        wall,
        usage.ru_utime + usage.ru_stime,
        total[0] / 1024,
        max(peaks.values(), default=0) / 1024,
        workers,
        proc.returncode,
        out.read().decode("utf-8", "replace"),
    )


# --- the photos ------------------------------------------------------------------------------


def class_photos(folder: Path, n: int, seed: int) -> dict[str, list]:
    rng = random.Random(seed)
    crops = bench_faces.face_crops(FACES)
    truths = {}
    for i in range(n):
        rgb, truth = bench_faces.build_photo(crops, rng)
        path = folder / f"class{i:03d}.jpg"
        bench_faces.save_photo(rgb, path, rotate=i % 2 == 1)
        truths[path.name] = truth
    return truths


def phone_post(folder: Path) -> list[Path]:
    """A draft and a 12 MP phone photo of two people, stored sideways (EXIF 6)."""
    import cv2
    import numpy as np

    rng = random.Random(3)
    crops = bench_faces.face_crops(FACES)
    img = bench_faces.background(rng)
    for k, x in enumerate((800, 2400)):
        src, (t, r, b, le) = crops[k * 3 % len(crops)]
        face = src[max(0, t - 150) : b + 150, max(0, le - 150) : r + 150]
        scale = 700 / face.shape[1]
        face = cv2.resize(face, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        h, w = face.shape[:2]
        img[900 : 900 + h, x : x + w] = face[: min(h, img.shape[0] - 900)]
    photo = folder / "sports_day.jpg"
    bench_faces.save_photo(np.ascontiguousarray(img), photo, rotate=True)
    draft = folder / "sports_day.txt"
    draft.write_text(
        "What a brilliant sports day! Thank you to every family who came to cheer, "
        "and well done to Year 5 for the relay.\n",
        encoding="utf-8",
    )
    return [draft, photo]


def school(tmp: Path, register: bool) -> Path:
    """A postcheck.toml (and register) for the runs; every register pupil has no photo
    consent, so every recognised face is reported with its box."""
    lines = ['policy = "enquire"', 'channel = "official"', "", "[trust]", 'name = "Bench Trust"']
    lines.append(f'logos = ["{CREST}"]')
    if register:
        pupils = tmp / "pupils.csv"
        with pupils.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["pupil_id", "first_name", "last_name", "photo_consent", "name_consent", "photos"])
            for i, person in enumerate(sorted((FACES / "people").iterdir()), 1):
                w.writerow([f"P{i:03d}", person.name.title(), "Bench", "no", "no", str(person)])
        lines += ["", "[register]", f'pupils = "{pupils}"']
    path = tmp / ("postcheck-register.toml" if register else "postcheck.toml")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def found_faces(report: dict, truths: dict[str, list]) -> list[int]:
    boxes: dict[str, list] = {}
    for post in report["posts"]:
        for f in post["findings"] + post["waived"]:
            if f["rule"] in FACE_RULES and f["box"]:
                boxes.setdefault(Path(f["input"]).name, []).append(tuple(f["box"]))
    return [bench_faces.count_found([tuple(b) for b in truths[n]], boxes.get(n, [])) for n in sorted(truths)]


# --- runs -----------------------------------------------------------------------------------


def postcheck(args: list[str], config: Path, out: Path, cores: set[int] | None, env: dict) -> Run:
    cmd = [sys.executable, "-m", "postcheck", "check", *args, "--config", str(config)]
    cmd += ["--format", "json", "--output", str(out), "--force", "--quiet"]
    return measure(cmd, cores, env)


def fr_cli() -> Path:
    """face_recognition's CLI in its own environment, installed on first use."""
    exe = FR_VENV / "bin" / "face_recognition"
    if exe.exists():
        return exe
    print(f"installing face_recognition 1.3.0 into {FR_VENV} (first run only)...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(FR_VENV)], check=True)
    pip = [str(FR_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "dlib-bin", "face_recognition_models", "numpy", "pillow", "Click"], check=True)
    subprocess.run([*pip, "--no-deps", "face_recognition==1.3.0"], check=True)
    return exe


def row(label: str, run: Run, n: int, faces: list[int] | None = None) -> None:
    found = ""
    if faces:
        found = f"  faces {sum(faces)}/{40 * len(faces)} (min {min(faces)})"
    print(
        f"{label:<40} {run.wall / n:6.2f} s wall {run.cpu / n:6.2f} s CPU /photo  "
        f"peak {run.peak_process_mb:5.0f} MB/process {run.peak_total_mb:5.0f} MB total{found}"
        + (f"  [exit {run.returncode}]" if run.returncode > 2 else "")
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=20)
    ap.add_argument("--batch", type=int, default=0, help="also a batch of this many photos, 1 and 2 jobs")
    ap.add_argument("--skip-cli", action="store_true", help="skip face_recognition's CLI")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if not hasattr(os, "sched_setaffinity") or not Path("/proc/self/status").exists():
        print("this benchmark needs Linux (/proc, CPU affinity)", file=sys.stderr)
        return 2
    if not (FACES / "people").is_dir():
        print(f"face test data not found in {FACES}; set POSTCHECK_FACES_DIR", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="postcheck-bench-photos-"))
    try:
        return run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path) -> int:
    env = os.environ.copy()
    env["POSTCHECK_CACHE_DIR"] = str(tmp / "cache")
    env.pop("OMP_NUM_THREADS", None)
    cpus = sorted(os.sched_getaffinity(0))
    one, two = {cpus[0]}, set(cpus[:2])
    photos = tmp / "photos"
    photos.mkdir()
    truths = class_photos(photos, args.photos, args.seed)
    n = args.photos
    plain, with_register = school(tmp, False), school(tmp, True)
    subprocess.run(
        [sys.executable, "-m", "postcheck", "register", "enrol", "--config", str(with_register)],
        env=env,
        check=True,
        capture_output=True,
    )
    print(
        f"{n} class photos of 4032x3024, 40 faces each (every other one EXIF-rotated); CPU {len(cpus)} cores"
    )
    report = tmp / "report.json"
    runs: dict[str, Run] = {}
    for label, config, jobs, cores in (
        ("postcheck, 1 job, 1 core, no register", plain, 1, one),
        ("postcheck, 1 job, 1 core, register", with_register, 1, one),
        ("postcheck, 2 jobs, 2 cores, register", with_register, 2, two),
    ):
        r = postcheck([str(photos), "--jobs", str(jobs)], config, report, cores, env)
        faces = found_faces(json.loads(report.read_text()), truths)
        runs[label] = r
        row(label, r, n, faces)
    if not args.skip_cli:
        known = tmp / "known"
        known.mkdir()
        for person in sorted((FACES / "people").iterdir()):
            first = sorted(person.iterdir())[0]
            shutil.copy(first, known / f"{person.name}{first.suffix}")
        r = measure([str(fr_cli()), "--cpus", "1", str(known), str(photos)], one, env)
        counts = [
            sum(1 for ln in r.stdout.splitlines() if Path(ln.rsplit(",", 1)[0]).name == name)
            for name in sorted(truths)
        ]
        upright, turned = counts[0::2], counts[1::2]
        row("face_recognition --cpus 1, 1 core", r, n)
        print(
            f"{'':<40} faces reported {sum(counts)}/{40 * n}: upright photos mean "
            f"{statistics.mean(upright):.1f}, EXIF-rotated mean {statistics.mean(turned or [0]):.1f} of 40"
        )
        mine = runs["postcheck, 1 job, 1 core, register"]
        print(
            f"postcheck (register, 1 core) is {r.cpu / mine.cpu:.2f}x the face_recognition CLI (CPU), "
            f"{r.wall / mine.wall:.2f}x (wall)"
        )
    a, b = runs["postcheck, 1 job, 1 core, register"], runs["postcheck, 2 jobs, 2 cores, register"]
    print(f"--jobs 2 / --jobs 1 throughput: {a.wall / b.wall:.2f}x")

    post = tmp / "phone"
    post.mkdir()
    files = phone_post(post)
    phone = [postcheck([str(p) for p in files], with_register, report, None, env) for _ in range(PHONE_RUNS)]
    faces = json.loads(report.read_text())["posts"][0]["inputs"][1].get("faces")
    walls, cpu_times = sorted(r.wall for r in phone), sorted(r.cpu for r in phone)
    print(
        f"phone post (draft + 12 MP photo, {faces} faces), end to end, median of {PHONE_RUNS} runs: "
        f"{statistics.median(walls):.2f} s wall ({walls[0]:.2f}-{walls[-1]:.2f}), "
        f"{statistics.median(cpu_times):.2f} s CPU, peak {max(r.peak_total_mb for r in phone):.0f} MB"
    )

    if args.batch:
        batch = tmp / "batch"
        batch.mkdir()
        names = sorted(truths)
        for i in range(args.batch):
            os.link(photos / names[i % len(names)], batch / f"b{i:04d}.jpg")
        print(f"\nbatch of {args.batch} class photos, register")
        got = {}
        for jobs in (2, 1):
            r = postcheck([str(batch), "--jobs", str(jobs)], with_register, report, set(cpus[:jobs]), env)
            got[jobs] = r
            row(f"postcheck, {jobs} job(s)", r, args.batch)
        print(
            f"--jobs 2 / --jobs 1 throughput: {got[1].wall / got[2].wall:.2f}x; peak of the whole tree "
            f"with 2 jobs {got[2].peak_total_mb:.0f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
