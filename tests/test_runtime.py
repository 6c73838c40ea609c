"""The photo models' shared runtime: threads per worker, telemetry off, verified model files."""

from __future__ import annotations

from pathlib import Path

import pytest

from postcheck.vision import runtime


def test_threads_are_the_cores_shared_between_workers(monkeypatch):
    monkeypatch.setattr(runtime, "cores", lambda: 4)
    monkeypatch.setattr(runtime, "_workers", 1)
    assert runtime.threads() == 4
    runtime.set_workers(2)
    assert runtime.threads() == 2
    runtime.set_workers(8)
    assert runtime.threads() == 1  # never zero


def test_telemetry_is_switched_off_before_the_first_session(monkeypatch):
    import onnxruntime as ort

    from postcheck.faces import centerface

    calls: list[str] = []
    real_session = runtime._session_class(ort)
    monkeypatch.setattr(ort, "disable_telemetry_events", lambda: calls.append("telemetry off"))
    monkeypatch.setattr(
        runtime, "_Session", lambda *a, **kw: calls.append("session") or real_session(*a, **kw)
    )
    monkeypatch.setattr(runtime, "_telemetry_off", False)
    model = runtime.verified_model(centerface.MODEL_PATH, centerface.MODEL_SHA256, "faces in photos")
    sess = runtime.session(model, "faces in photos")
    assert calls == ["telemetry off", "session"]
    assert sess.get_session_options().intra_op_num_threads == runtime.threads()
    assert sess.get_session_options().get_session_config_entry("session.use_env_allocators") == "1"


def test_every_session_shares_one_arena_registered_once(monkeypatch):
    """The arena is registered once per process, however many sessions are made and
    from however many threads, and a session made on it runs."""
    import threading

    import numpy as np
    import onnxruntime as ort

    from postcheck.faces import centerface

    registered = []
    real = ort.create_and_register_allocator
    monkeypatch.setattr(runtime, "_arena", None)
    monkeypatch.setattr(ort, "create_and_register_allocator", lambda *a: registered.append(a[1]) or real(*a))
    model = runtime.verified_model(centerface.MODEL_PATH, centerface.MODEL_SHA256, "faces in photos")
    made = []
    workers = [threading.Thread(target=lambda: made.append(runtime.session(model, "x"))) for _ in range(4)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert len(made) == 4 and len(registered) == 1
    heatmap = made[0].run(None, {"input.1": np.full((1, 3, 64, 64), 128, np.uint8)})[0]
    assert heatmap.shape == (1, 1, 16, 16) and float(heatmap.max()) < centerface.THRESHOLD  # grey: no face


def test_a_session_does_not_keep_a_second_copy_of_its_model(monkeypatch):
    """onnxruntime's Python class keeps the bytes a session was made from (to make
    it again with other providers); postcheck's sessions drop them."""
    from postcheck.faces import centerface

    model = runtime.verified_model(centerface.MODEL_PATH, centerface.MODEL_SHA256, "faces in photos")
    sess = runtime.session(model, "faces in photos")
    assert getattr(sess, "_model_bytes", None) is None
    assert sess.get_inputs()[0].name == "input.1"


@pytest.mark.parametrize("damage", ["missing", "truncated"])
def test_a_damaged_face_detector_model_means_not_checked(school, tmp_path, monkeypatch, damage):
    """The photo is reported as not checked (the post blocks), with the model named."""
    from PIL import Image

    from postcheck import runner
    from postcheck.config import load_config
    from postcheck.faces import centerface
    from postcheck.model import InputFile, Post, Severity
    from postcheck.policy import load_policy
    from postcheck.register import load_register

    model = tmp_path / centerface.MODEL_PATH.name
    if damage == "truncated":
        model.write_bytes(centerface.MODEL_PATH.read_bytes()[:50_000])
    monkeypatch.setattr(centerface, "MODEL_PATH", model)
    monkeypatch.setattr(centerface, "_session", None)
    photo = tmp_path / "IMG_0001.jpg"
    Image.new("RGB", (640, 480), (120, 130, 140)).save(photo)
    config = load_config(school.config)
    sess = runner.Session(config, load_policy(config.policy, config.base), "official", load_register(config))
    res = runner.check_post(Post("p", (InputFile(photo.name, "image", path=photo),)), sess)
    note = next(n for n in res.notes if n.startswith("not checked: faces in photos"))
    assert Path(model).name in note and ("missing" if damage == "missing" else "damaged") in note
    assert res.verdict == Severity.BLOCK


def test_every_run_hands_back_what_the_arena_added_beyond_its_first_region(monkeypatch):
    """A run without options of its own asks onnxruntime to shrink the arena at its
    end; the caller's own options are passed through untouched."""
    import numpy as np
    import onnxruntime as ort

    from postcheck.faces import centerface

    seen = []
    real = ort.InferenceSession.run
    monkeypatch.setattr(
        ort.InferenceSession, "run", lambda s, o, f, r=None: seen.append(r) or real(s, o, f, r)
    )
    model = runtime.verified_model(centerface.MODEL_PATH, centerface.MODEL_SHA256, "faces in photos")
    sess = runtime.session(model, "faces in photos")
    assert isinstance(sess, ort.InferenceSession)  # RapidOCR accepts nothing else
    pixels = {"input.1": np.zeros((1, 3, 32, 32), np.uint8)}
    sess.run(None, pixels)
    mine = ort.RunOptions()
    sess.run(None, pixels, mine)
    assert seen[0].get_run_config_entry("memory.enable_memory_arena_shrinkage") == "cpu:0"
    assert seen[1] is mine


def test_without_a_shared_arena_sessions_still_run(monkeypatch):
    """An onnxruntime that cannot register the arena gives sessions with their own."""
    import numpy as np
    import onnxruntime as ort

    from postcheck.faces import centerface

    def refuse(*args: object) -> None:
        raise RuntimeError("not in this build")

    monkeypatch.setattr(runtime, "_arena", None)
    monkeypatch.setattr(ort, "create_and_register_allocator", refuse)
    model = runtime.verified_model(centerface.MODEL_PATH, centerface.MODEL_SHA256, "faces in photos")
    sess = runtime.session(model, "faces in photos")
    with pytest.raises(RuntimeError, match="does not have configuration"):
        sess.get_session_options().get_session_config_entry("session.use_env_allocators")
    heatmap = sess.run(None, {"input.1": np.full((1, 3, 64, 64), 128, np.uint8)})[0]
    assert heatmap.shape == (1, 1, 16, 16)
