"""`make bench`: start-up time of `postcheck --help`, then every bench_*.py here.

Each benchmark prints its own figures; this script runs them in turn with the
project's interpreter and reports the start-up time against the DESIGN §6
target (well under half a second).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def startup(runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "postcheck", "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    t = startup()
    print(f"postcheck --help start-up: {t * 1000:.0f} ms (median of 7; target < 500 ms)")
    failed = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n== {script.name} ==", flush=True)
        failed += subprocess.run([sys.executable, str(script)]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
