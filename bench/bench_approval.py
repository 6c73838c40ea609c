"""What approval workflows cost: the audit record, a receipt, and `verify`.

Times, in fresh subprocesses, the CPU time (user + system) of checking one of
the example school's drafts:

* with ``[audit] enabled = false`` (the baseline);
* with the audit trail on (one SQLite transaction, fsync'd);
* with the audit trail on and ``--receipt`` (an Ed25519 signature);

and of ``postcheck verify`` on that receipt. Runs are interleaved and the
median of ``--runs`` (default 7) is reported, as ratios to the baseline: wall
time on a shared machine is noisy, CPU time side by side is not.

Usage: ``python bench/bench_approval.py [--runs N]``
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "oakfield"
DRAFT = EXAMPLE / "posts" / "my-class.txt"


def cpu(args: list[str], env: dict[str, str], ok: tuple[int, ...] = (0, 1, 2)) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "postcheck", *args], env=env, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        tail = proc.stderr.decode()[-400:]
        raise SystemExit(f"postcheck {' '.join(args)} exited {proc.returncode}: {tail}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_DATA_HOME": str(root / "data"),
            "POSTCHECK_CACHE_DIR": str(root / "cache"),
        }
        school = root / "school"
        shutil.copytree(EXAMPLE, school, ignore=shutil.ignore_patterns("posts"))
        on = school / "postcheck.toml"
        off = school / "no-audit.toml"
        off.write_text(on.read_text() + "\n[audit]\nenabled = false\n")
        draft = root / DRAFT.name
        shutil.copyfile(DRAFT, draft)
        cpu(["key", "init"], env)
        receipt = root / "r.json"
        base = [str(draft), "--format", "json"]
        times: dict[str, list[float]] = {"audit off": [], "audit on": [], "audit + receipt": [], "verify": []}
        for _ in range(args.runs):
            times["audit off"].append(cpu([*base, "--config", str(off)], env))
            times["audit on"].append(cpu([*base, "--config", str(on)], env))
            times["audit + receipt"].append(
                cpu([*base, "--config", str(on), "--receipt", str(receipt), "--force"], env)
            )
            times["verify"].append(cpu(["verify", str(receipt), str(draft)], env, ok=(0, 3, 4)))
    medians = {k: statistics.median(v) for k, v in times.items()}
    baseline = medians["audit off"]
    print(f"CPU time of one draft check (median of {args.runs}, fresh processes):")
    for name, value in medians.items():
        print(f"  {name:16} {value * 1000:7.0f} ms   {value / baseline:5.2f}x the check without audit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
