"""Privacy and start-up promises: no network, light --help."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("spacy", "dlib", "cv2", "face_recognition", "onnxruntime", "onnx", "rapidocr_onnxruntime", "torch")


def test_help_does_not_import_heavy_libraries():
    code = textwrap.dedent(
        """
        import sys
        import typer
        from postcheck.cli import app
        try:  # the command itself: main() would end the process before the print below
            typer.main.get_command(app).main(prog_name="postcheck", args=["--help"])
        except SystemExit:
            pass
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
        print("HEAVY:", heavy)
        """
    ).replace("HEAVY)", repr(HEAVY) + ")")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY: []" in out


def test_onnxruntime_keeps_no_telemetry_device_id_or_event_queue(tmp_path):
    """onnxruntime writes a device id and queues usage events under the user's cache
    folder as soon as it is imported, unless telemetry is off; postcheck turns it off."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    env.pop("ORT_DISABLE_TELEMETRY", None)
    code = (
        "import numpy, postcheck.faces.resnet as r; r.describe_chips(numpy.zeros((1, 150, 150, 3), 'uint8'))"
    )
    env["POSTCHECK_CACHE_DIR"] = str(tmp_path / "cache")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    assert (tmp_path / "cache" / "models").is_dir()  # onnxruntime did run
    assert not [str(p) for p in home.rglob("*")]


def test_a_full_check_makes_no_network_connection(tmp_path):
    """Runs a check of the example school with an audit hook that fails on any socket use."""
    example = REPO / "examples" / "oakfield"
    target = example / "posts" if (example / "posts").is_dir() else None
    draft = tmp_path / "draft.txt"
    draft.write_text("Well done to Amelia Smith, call 07700 900123 or email mum@example.com!\n")
    inputs = [str(target)] if target else [str(draft)]
    config = ["--config", str(example / "postcheck.toml")] if target else []
    code = textwrap.dedent(
        f"""
        import sys
        def hook(event, args):
            if event in ("socket.connect", "socket.getaddrinfo", "socket.sendto", "urllib.Request"):
                raise SystemExit("NETWORK:" + event + repr(args))
        sys.addaudithook(hook)
        from postcheck.cli import main
        sys.argv = ["postcheck", *{inputs!r}, *{config!r}, "--format", "json"]
        main()
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert "NETWORK:" not in proc.stderr + proc.stdout
    assert proc.returncode in (0, 1, 2), proc.stderr
