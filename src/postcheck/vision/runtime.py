"""What every photo model shares: onnxruntime sessions made the same way, model
files checked before they are loaded, threads per worker, and memory given back.

* **Threads.** ``--jobs N`` runs N worker processes; each model then runs with
  ``cores // N`` intra-op threads (at least one), so the workers do not fight
  over the cores with the models' own threads: the runner gives each worker its
  share in ``POSTCHECK_WORKER_THREADS`` (:func:`set_workers` says the same
  in-process).
* **Model files.** :func:`verified_model` reads a model file and checks its
  SHA-256 before anything parses it; a missing or damaged file is an
  :class:`~postcheck.errors.Unavailable` (the check reports "not checked" and the
  post cannot pass). Nothing is ever downloaded.
* **Telemetry.** ``postcheck/__init__.py`` sets ``ORT_DISABLE_TELEMETRY=1``
  before onnxruntime can be imported: with onnxruntime 1.32 on Linux, that
  variable is the only off switch (without it, an import writes a device id and an
  event queue under ``~/.cache/Microsoft`` and looks up Microsoft's telemetry
  host; ``disable_telemetry_events()`` alone stops neither). :func:`session` also
  calls ``disable_telemetry_events()``, which stops the Event Tracing for Windows
  events of the Windows builds. tests/test_no_network.py proves, under strace,
  that a check opens no Internet connection.
* **Memory.** Every session of the process takes its working buffers from one
  shared onnxruntime arena (:func:`_shared_arena`), whose first region of
  :data:`ARENA_FIRST_REGION` holds the largest run of any model at the sizes
  postcheck uses: a model's buffers are reused by the next model, and a run does
  not go through the C heap tensor by tensor. Tensor by tensor, the heap
  fragmented (in a 12 MP class photo, about 250 MB free but unusable at the
  peak); with the shared arena a batch worker peaks at about 600 MB instead of
  730-830 MB and spends about 10 % less CPU. Only pages the arena has touched
  are resident; it keeps its first region for the next photo and hands back any
  region a larger photo made it add, at the end of each run. A session also drops the
  copy of its model file that onnxruntime's Python class keeps (:func:`session`).
  In batch workers, :func:`trim_memory` hands the rest of the freed heap (decoded
  pictures) back to the operating system between posts (glibc ``malloc_trim``),
  so that two workers do not both hold their peak. :func:`tune_malloc` keeps
  glibc from giving every large buffer its own ``mmap`` (each of which the
  kernel must fault in page by page, every time): they come from the heap and
  are reused from photo to photo.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from postcheck.errors import Unavailable

_workers = 1
_telemetry_off = False
_lock = threading.Lock()


def set_workers(n: int) -> None:
    """Tell the models how many worker processes share the machine's cores."""
    global _workers
    _workers = max(1, int(n))


def cores() -> int:
    """CPU cores this process may use (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def threads() -> int:
    """Intra-op threads for one model in this process: cores ÷ workers, at least 1
    (a ``--jobs`` worker is given its share in ``POSTCHECK_WORKER_THREADS``)."""
    share = os.environ.get("POSTCHECK_WORKER_THREADS", "")
    if share.isdigit() and int(share) > 0:
        return int(share)
    return max(1, cores() // _workers)


def verified_model(path: Path, sha256: str, what: str) -> bytes:
    """The bytes of the model file ``path``, checked against ``sha256``.

    Raises :class:`Unavailable` (``what`` is "faces in photos", "text in
    images", ...) when the file is missing or its hash differs."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Unavailable(
            what, f"the model file {path.name} is missing or unreadable ({path}); reinstall postcheck"
        ) from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Unavailable(what, f"the model file {path.name} is damaged ({path}); reinstall postcheck")
    return data


def disable_telemetry() -> None:
    """Switch onnxruntime's telemetry events off for this process (once)."""
    global _telemetry_off
    if _telemetry_off:
        return
    import onnxruntime as ort

    off = getattr(ort, "disable_telemetry_events", None)
    if off is not None:
        off()
    _telemetry_off = True


def session(model: bytes, what: str, n_threads: int | None = None) -> Any:
    """An onnxruntime CPU session for ``model`` (bytes already verified), with
    :func:`threads` intra-op threads (or ``n_threads``), no inter-op parallelism,
    its buffers from the process's shared arena and no spinning threads."""
    try:
        import onnxruntime as ort
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise Unavailable(what, "install onnxruntime (pip install onnxruntime)") from exc
    with _lock:
        disable_telemetry()
        shared = _shared_arena(ort)
        cls = _session_class(ort)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = n_threads or threads()
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if shared:
        opts.add_session_config_entry("session.use_env_allocators", "1")
    # a memory pattern plans one block per input size: larger than the arena's reuse
    opts.enable_mem_pattern = False
    opts.log_severity_level = 3  # errors only
    # idle intra-op threads sleep instead of spinning, which would take CPU from
    # the other worker
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    made = cls(model, sess_options=opts, providers=["CPUExecutionProvider"])
    # The Python class keeps the model's bytes to build the session again if its
    # providers are changed, which postcheck never does: a second copy of every
    # model (about 55 MB a process), dropped.
    if isinstance(getattr(made, "_model_bytes", None), bytes):
        made._model_bytes = None
    return made


_Session: Any = None


def _session_class(ort: Any) -> Any:
    """``onnxruntime.InferenceSession`` whose runs end by handing back the regions
    the shared arena added beyond its first (``memory.enable_memory_arena_shrinkage``);
    called under ``_lock``. A 48 MP photo grows the arena to about 1 GB: without
    this a batch worker kept that for the rest of the batch (the next 12 MP photos
    peaked at 1,084 MB instead of 568). The first region stays."""
    global _Session
    if _Session is None:

        class Session(ort.InferenceSession):  # type: ignore[misc,name-defined]
            def run(self, output_names: Any, input_feed: Any, run_options: Any = None) -> Any:
                if run_options is None:
                    run_options = ort.RunOptions()
                    run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
                return super().run(output_names, input_feed, run_options)

        _Session = Session
    return _Session


# The first region of the shared arena: the largest single run of a model at the
# sizes postcheck uses (text detection at 1280 px, about 185 MB; CenterFace on a
# 12 MP photo at half size, about 150 MB) fits in it, so the arena needs no second
# region for ordinary photos. Pages are resident only once a run has used them.
ARENA_FIRST_REGION = 256 << 20
_arena: bool | None = None  # registered; None: not tried yet


def _shared_arena(ort: Any) -> bool:
    """Register, once per process, the arena every session takes its buffers from
    (``session.use_env_allocators``); called under ``_lock``. False when this
    onnxruntime cannot: each session then has its own arena, as by default."""
    global _arena
    if _arena is None:
        try:
            cfg = ort.OrtArenaCfg(0, 0, ARENA_FIRST_REGION, -1)  # no limit; regions double after the first
            cpu = ort.OrtMemoryInfo(
                "Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT
            )
            ort.create_and_register_allocator(cpu, cfg)
            _arena = True
        except Exception:  # an onnxruntime build without it: more memory, same results
            _arena = False
    return _arena


_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_tuned = False


def _libc() -> Any:
    import sys

    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 - glibc only (musl has none)
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def tune_malloc() -> None:
    """Large buffers from the heap instead of one ``mmap`` each, and no automatic
    trimming (batch workers call :func:`trim_memory` after each post). glibc only; once."""
    global _tuned
    if _tuned:
        return
    _tuned = True
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, 512 * 1024 * 1024)
        libc.mallopt(_M_TRIM_THRESHOLD, 2**30)


# A single process returns freed memory only above this: below it, keeping the
# heap saves the page faults of the next photo (about 0.16 s of system CPU for a
# 12 MP photo) at no cost to anyone else.
KEEP_BELOW = 1 << 30


def trim_memory(above: int = 0) -> None:
    """Return freed heap memory to the operating system when the process holds more
    than ``above`` bytes (glibc only; elsewhere nothing)."""
    libc = _libc()
    if libc is not None and (above <= 0 or _resident() > above):
        libc.malloc_trim(0)


def _resident() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 1 << 62  # unknown: trim
