"""No network, proved: a batch ``check`` and a ``fix`` that use text, faces, OCR
and logos run for more than 15 s under strace without opening an Internet
socket; ONNX Runtime's telemetry is off; a missing or damaged model is a
check-error (or, for ``register enrol``, exit 78), never a download."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import FACES_DIR

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "oakfield"
STRACE = shutil.which("strace")
MIN_SECONDS = 16  # ONNX Runtime's telemetry first looked up its host after about 9 s
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _strace_or_skip() -> str:
    if STRACE:
        return STRACE
    if IN_CI:
        pytest.fail("CI: strace is missing (.ci/run installs Debian's strace)")
    pytest.skip("strace is not installed (apt-get install -y strace); the no-network proof needs it")


def test_strace_is_required_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """The strace test may skip on a developer's machine, never in CI."""
    monkeypatch.setenv("CI", "true")
    global IN_CI
    saved, IN_CI = IN_CI, True
    try:
        if STRACE:
            assert _strace_or_skip() == STRACE
        else:
            with pytest.raises(pytest.fail.Exception):
                _strace_or_skip()
    finally:
        IN_CI = saved


# --- the school: the example school, plus face photos when the shared data is here ---------

FACE_PUPILS = [  # id, first, last, photo consent, never_publish, reference photos
    ("P901", "Joe", "Biden", "no", "", "biden"),
    ("P902", "Barack", "Obama", "yes", "", "obama"),
    ("P903", "Kit", "Harington", "yes", "yes", "kit_harington"),
]


# The example posts with photos (a logo, GPS, text to read), and a draft in each format.
EXAMPLE_POSTS = (
    "star-of-the-week",
    "sports-day-shoutout",
    "residential-trip",
    "lost-property",
    "reading-week",
)


def _school(tmp: Path) -> tuple[Path, Path, bool]:
    """Part of the example school; with the shared face photos, three pupils with
    reference photos and three posts with their faces. Returns the config, the
    batch folder and whether faces are recognised (not only detected)."""
    school = tmp / "school"
    shutil.copytree(EXAMPLE, school, ignore=shutil.ignore_patterns("expected.toml", "*.py", "README.md"))
    for post in (school / "posts").iterdir():
        if post.stem not in EXAMPLE_POSTS:
            shutil.rmtree(post) if post.is_dir() else post.unlink()
    faces = (FACES_DIR / "people").is_dir()
    if faces:
        with (school / "register" / "pupils.csv").open("a", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            for pid, first, last, photo, never, folder in FACE_PUPILS:
                w.writerow(
                    [
                        pid,
                        first,
                        last,
                        "",
                        5,
                        photo,
                        "yes",
                        "2099-07-31",
                        never,
                        FACES_DIR / "people" / folder,
                    ]
                )
        for post, src in (
            ("sports-day", FACES_DIR / "misc" / "two_people.jpg"),
            ("drama", FACES_DIR / "people" / "kit_harington" / "john2.jpeg"),
            ("trip", FACES_DIR / "group" / "2008_001322.jpg"),
        ):
            (school / "posts" / post).mkdir()
            shutil.copy(src, school / "posts" / post / src.name)
            (school / "posts" / post / "caption.txt").write_text("What a day! #proud\n", encoding="utf-8")
    return school / "postcheck.toml", school / "posts", faces


DRIVER = textwrap.dedent(
    """
    import json, socket, sys, time
    import typer
    from postcheck.cli import app

    config, batch, work, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    command = typer.main.get_command(app)

    def run(*args):
        return command.main(list(args), prog_name="postcheck", standalone_mode=False)

    # a local socket pair: proves that the trace sees this process's sockets
    a, b = socket.socketpair()
    a.close(), b.close()
    start, rounds, codes = time.monotonic(), 0, []
    while not rounds or time.monotonic() - start < seconds:
        report = f"{work}/report-{rounds}.json"
        codes.append(run("check", batch, "--config", config, "--format", "json", "--output", report,
                         "--quiet", "--jobs", "2"))
        codes.append(run("fix", batch, "--config", config, "--out", f"{work}/fixed-{rounds}", "--quiet"))
        rounds += 1
    print(json.dumps({"rounds": rounds, "seconds": time.monotonic() - start, "codes": codes}))
    """
)

_SOCKET = re.compile(r"^socket\((AF_\w+),.*= (\d+)$")
_BIND = re.compile(
    r"^bind\((\d+), \{sa_family=(AF_INET6?),.*?(inet_addr\(\"([^\"]+)\"\)|inet_pton\(AF_INET6, \"([^\"]+)\")"
)
_SEND = re.compile(r"^(connect|sendto|sendmsg|sendmmsg)\(\d+, .*sa_family=(AF_INET6?)\b")
_LOOPBACK = re.compile(r"^(127\.|::1$|::ffff:127\.)")


def internet_sockets(trace: Path) -> tuple[list[str], int]:
    """Every Internet (AF_INET/AF_INET6) socket in a ``strace -ff`` trace that is
    connected, sent on, or not bound to the loopback address, and the number of
    socket() calls seen.

    The only Internet socket tolerated is one bound to the loopback address and
    never connected: urllib3 (imported by spaCy's and RapidOCR's download modules,
    never called) binds a socket to ::1 when it is imported, to learn whether the
    machine has IPv6; nothing leaves the machine.
    """
    bad: list[str] = []
    seen = 0
    for path in sorted(trace.parent.glob(trace.name + ".*")):
        open_inet: dict[str, tuple[str, bool]] = {}  # fd -> (line, bound to loopback)
        for line in path.read_text(errors="replace").splitlines():
            where = f"{path.name}: {line}"
            if (m := _SOCKET.match(line)) is not None:
                seen += 1
                fd = m.group(2)
                old = open_inet.pop(fd, None)
                if old is not None and not old[1]:
                    bad.append(old[0])
                if m.group(1) in ("AF_INET", "AF_INET6"):
                    open_inet[fd] = (where, False)
            elif (m := _BIND.match(line)) is not None:
                fd, addr = m.group(1), m.group(4) or m.group(5)
                if fd in open_inet and _LOOPBACK.match(addr):
                    open_inet[fd] = (open_inet[fd][0], True)
            elif _SEND.match(line):
                bad.append(where)
        bad += [entry for entry, loopback in open_inet.values() if not loopback]
    return bad, seen


def test_trace_reader_finds_internet_sockets(tmp_path: Path) -> None:
    """The reader used below, on lines strace wrote for the telemetry lookup that
    ONNX Runtime made before it was switched off, and for urllib3's IPv6 probe."""
    (tmp_path / "t.101").write_text(
        "socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3\n"
        "bind(3, {sa_family=AF_INET6, sin6_port=htons(0), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0\n'
        "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 8\n"
    )
    assert internet_sockets(tmp_path / "t") == ([], 2)
    (tmp_path / "t.102").write_text(
        "socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 8\n"
        "socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 9\n"
        'connect(9, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0\n'
    )
    bad, seen = internet_sockets(tmp_path / "t")
    assert seen == 4 and len(bad) == 3  # the connect, and two sockets not bound to loopback


@pytest.mark.slow
def test_batch_check_and_fix_open_no_internet_socket(tmp_path: Path) -> None:
    """``check --jobs 2`` and ``fix`` of the example school's batch (drafts in every
    format, photos with a logo, GPS and text for OCR) and, with the shared face
    photos, photos of pupils enrolled from reference photos, repeated for more
    than 15 s under ``strace -f``: no Internet socket in any process."""
    strace = _strace_or_skip()
    config, batch, faces = _school(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    trace = tmp_path / "trace" / "net"
    trace.parent.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}  # postcheck sets it itself
    env.update(POSTCHECK_CACHE_DIR=str(tmp_path / "cache"), HOME=str(tmp_path / "home"), NO_COLOR="1")
    cmd = [
        strace,
        "-f",
        "-ff",
        "-qq",
        "-e",
        "trace=socket,connect,bind,sendto,sendmsg,sendmmsg",
        "-o",
        str(trace),
    ]
    cmd += [sys.executable, "-c", DRIVER, str(config), str(batch), str(work), str(MIN_SECONDS)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["seconds"] >= MIN_SECONDS and set(result["codes"]) <= {0, 1, 2}, result

    # the work was done: every kind of check ran on the first round
    report = json.loads((work / "report-0.json").read_text(encoding="utf-8"))
    findings = [f for p in report["posts"] for f in p["findings"]]
    rules = {f["rule"] for f in findings}
    assert "check-error" not in rules, [f["message"] for f in findings if f["rule"] == "check-error"]
    assert {"logo", "pupil-full-name"} <= rules
    assert any(f["source"] == "OCR" for f in findings)  # text read in a photo
    if faces:
        assert {("face-no-consent", "P901"), ("face-no-consent", "P903")} <= {
            (f["rule"], f["person"]) for f in findings
        }
        assert "face-unknown" in rules
    assert any((work / "fixed-0").rglob("*.jpg"))

    bad, seen = internet_sockets(trace)
    assert seen >= 1, "strace recorded no socket() call: the trace did not work"
    assert not bad, "\n".join(bad[:20])
    # ONNX Runtime's telemetry keeps a device id and an event database in the home folder
    assert not (tmp_path / "home" / ".cache" / "Microsoft").exists()


# --- ONNX Runtime's telemetry ---------------------------------------------------------------


def test_postcheck_turns_onnxruntime_telemetry_off_whatever_the_shell_says() -> None:
    code = "import os, postcheck; print(os.environ['ORT_DISABLE_TELEMETRY'])"
    env = {**os.environ, "ORT_DISABLE_TELEMETRY": "0"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "1"


# --- models are verified, never downloaded ---------------------------------------------------

NO_NETWORK_CLI = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    def hook(event, args):
        if event in ("socket.connect", "socket.getaddrinfo", "socket.sendto", "urllib.Request"):
            raise SystemExit("NETWORK:" + event + repr(args))

    sys.addaudithook(hook)
    import postcheck.bundled as bundled

    package, models = sys.argv[1], Path(sys.argv[2])
    if package == "rapidocr":
        import postcheck.vision.ocr_engine as ocr_engine

        ocr_engine.model_dir = lambda: models
    else:
        real = bundled.package_dir
        bundled.package_dir = lambda name, what: models.parent if name == package else real(name, what)
    from postcheck.cli import main

    sys.argv = ["postcheck", *sys.argv[3:]]
    main()
    """
)


def _run_with_models(package: str, models: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``postcheck ARGS`` with ``package``'s model folder replaced by ``models``
    and any network use fatal."""
    env = {**os.environ, "POSTCHECK_CACHE_DIR": str(cwd / "cache"), "NO_COLOR": "1"}
    cmd = [sys.executable, "-c", NO_NETWORK_CLI, package, str(models), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["missing", "damaged"])
def test_a_bad_ocr_model_is_a_check_error_never_a_download(tmp_path: Path, damage: str) -> None:
    models = tmp_path / "rapidocr" / "models"
    models.mkdir(parents=True)
    if damage == "damaged":
        (models / "PP-OCRv6_det_small.onnx").write_bytes(b"\0" * 4096)
    photo = EXAMPLE / "posts" / "star-of-the-week.jpg"
    proc = _run_with_models(
        "rapidocr",
        models,
        str(photo),
        "--config",
        str(EXAMPLE / "postcheck.toml"),
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert "NETWORK:" not in proc.stdout + proc.stderr
    assert proc.returncode == 2, proc.stderr
    (post,) = json.loads(proc.stdout)["posts"]
    errors = [f["message"] for f in post["findings"] if f["rule"] == "check-error"]
    assert len(errors) == 1 and "text in images" in errors[0] and "PP-OCRv6_det_small.onnx" in errors[0]
    assert damage in errors[0] and "reinstall" in errors[0]


def _face_models_with(tmp_path: Path, damaged: str = "", missing: str = "") -> Path:
    """A copy of face_recognition_models' folder (links to the real files) with one
    file damaged or missing."""
    from postcheck.bundled import FACE_MODELS, package_dir

    real = package_dir("face_recognition_models", "faces in photos") / "models"
    models = tmp_path / "face_recognition_models" / "models"
    models.mkdir(parents=True)
    for name in FACE_MODELS:
        if name == damaged:
            (models / name).write_bytes(b"\0" * 4096)
        elif name != missing:
            (models / name).symlink_to(real / name)
    return models


def _check_with_face_models(tmp_path: Path, models: Path, detector: str) -> list[str]:
    """The check-error messages of the example photo checked with ``detector``."""
    config = tmp_path / "postcheck.toml"
    config.write_text(
        f'policy = "enquire"\n[faces]\ndetector = "{detector}"\n[rules]\ndisable = ["image-text"]\n'
    )
    photo = EXAMPLE / "posts" / "star-of-the-week.jpg"
    proc = _run_with_models(
        "face_recognition_models",
        models,
        str(photo),
        "--config",
        str(config),
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert "NETWORK:" not in proc.stdout + proc.stderr
    assert proc.returncode in (0, 1, 2), proc.stderr
    (post,) = json.loads(proc.stdout)["posts"]
    return [f["message"] for f in post["findings"] if f["rule"] == "check-error"]


@pytest.mark.slow
def test_a_bad_face_model_is_a_check_error_never_a_download(tmp_path: Path) -> None:
    models = _face_models_with(tmp_path, damaged="mmod_human_face_detector.dat")
    errors = _check_with_face_models(tmp_path, models, "cnn")
    assert len(errors) == 1 and "faces in photos" in errors[0]
    assert "mmod_human_face_detector.dat is damaged" in errors[0]


def test_the_unused_68_point_model_is_never_loaded(tmp_path: Path) -> None:
    """face_recognition loads its 68-point landmark model on import; postcheck never
    does, so damaging it changes nothing."""
    models = _face_models_with(tmp_path, damaged="shape_predictor_68_face_landmarks.dat")
    assert _check_with_face_models(tmp_path, models, "hog") == []


@pytest.mark.faces
@pytest.mark.slow
def test_a_damaged_face_encoder_model_is_a_check_error(tmp_path: Path) -> None:
    """The default path (CenterFace, then dlib's landmarks and ResNet): a photo of a
    face against a register with a reference photo, the landmark model damaged."""
    if not (FACES_DIR / "people").is_dir():
        pytest.skip(f"shared face photos not found at {FACES_DIR} (set POSTCHECK_FACES_DIR)")
    models = tmp_path / "face_recognition_models" / "models"
    models.mkdir(parents=True)
    (models / "shape_predictor_5_face_landmarks.dat").write_bytes(b"\0" * 4096)
    refs = FACES_DIR / "people" / "obama"
    (tmp_path / "pupils.csv").write_text(
        f"pupil_id,first_name,last_name,photo_consent,photos\nP001,Ann,Example,yes,{refs}\n"
    )
    config = tmp_path / "postcheck.toml"
    config.write_text(
        'policy = "enquire"\n[register]\npupils = "pupils.csv"\n[rules]\ndisable = ["image-text"]\n'
    )
    photo = FACES_DIR / "misc" / "obama-480p.jpg"
    proc = _run_with_models(
        "face_recognition_models",
        models,
        str(photo),
        "--config",
        str(config),
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert "NETWORK:" not in proc.stdout + proc.stderr
    assert proc.returncode == 2, proc.stderr
    (post,) = json.loads(proc.stdout)["posts"]
    errors = [f["message"] for f in post["findings"] if f["rule"] == "check-error"]
    assert len(errors) == 1 and "faces in photos" in errors[0]
    assert "shape_predictor_5_face_landmarks.dat is damaged" in errors[0]


def test_register_enrol_with_a_missing_face_model_exits_78(tmp_path: Path) -> None:
    models = _face_models_with(tmp_path, missing="mmod_human_face_detector.dat")
    photo = EXAMPLE / "posts" / "star-of-the-week.jpg"
    (tmp_path / "pupils.csv").write_text(
        f"pupil_id,first_name,last_name,photo_consent,photos\nP001,Ann,Example,yes,{photo}\n"
    )
    config = tmp_path / "postcheck.toml"
    config.write_text('policy = "enquire"\n[faces]\ndetector = "cnn"\n[register]\npupils = "pupils.csv"\n')
    proc = _run_with_models(
        "face_recognition_models", models, "register", "enrol", "--config", str(config), cwd=tmp_path
    )
    assert "NETWORK:" not in proc.stdout + proc.stderr
    assert proc.returncode == 78, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "mmod_human_face_detector.dat is missing" in lines[0]
    assert "Traceback" not in proc.stderr
