"""Make docs/report.png: the example school's batch report, rendered by a real browser.

Runs ``postcheck examples/oakfield/posts --format html`` with the example
school's own configuration and images, then takes a screenshot of the page
with Debian's headless ``chromium`` (no network: the page is self-contained).

Usage (from the repository root)::

    .venv/bin/python docs/make_screenshot.py            # writes docs/report.png
    .venv/bin/python docs/make_screenshot.py --keep-html report.html
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "oakfield"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("make_screenshot: chromium not found (Debian: apt-get install -y chromium)")


def render_report(html: Path) -> int:
    """Run postcheck on the example batch; its exit code is the batch's verdict."""
    cmd = [
        sys.executable,
        "-m",
        "postcheck",
        str(EXAMPLE / "posts"),
        "--config",
        str(EXAMPLE / "postcheck.toml"),
        "--format",
        "html",
        "--output",
        str(html),
        "--force",
        "--quiet",
    ]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if run.returncode not in (0, 1, 2) or not html.is_file():
        sys.exit(f"make_screenshot: postcheck failed ({run.returncode}):\n{run.stderr}")
    return run.returncode


def screenshot(html: Path, png: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory(prefix="postcheck-shot-") as profile:
        cmd = [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            html.as_uri(),
        ]
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    if not png.is_file():
        sys.exit(f"make_screenshot: chromium wrote no screenshot:\n{run.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1600)
    parser.add_argument("--keep-html", type=Path, help="also keep the HTML report here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="postcheck-report-") as tmp:
        html = Path(tmp) / "report.html"
        code = render_report(html)
        shot = Path(tmp) / "shot.png"
        screenshot(html, shot, args.width, args.height)
        from PIL import Image

        with Image.open(shot) as im:
            im.convert("RGB").save(args.out, optimize=True)
        if args.keep_html:
            shutil.copyfile(html, args.keep_html)
    print(f"{args.out}: {args.width}x{args.height} (batch verdict exit code {code})")


if __name__ == "__main__":
    main()
