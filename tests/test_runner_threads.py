"""A post's photos are checked in a second thread beside its drafts (runner._check_inputs):
the report is the one the inputs give when checked one after the other, and the text
pipeline they share is built once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PIL import Image

from postcheck import nlp, runner, warmup
from postcheck.config import load_config
from postcheck.model import InputFile, Post, PostResult
from postcheck.policy import load_policy
from postcheck.register import load_register
from postcheck.text.analysis import TextIndex

DRAFT = "Well done to Amelia Smith for her reading award!\n"


def session(school) -> runner.Session:
    config = load_config(school.config)
    return runner.Session(config, load_policy(config.policy, config.base), "personal", load_register(config))


def photo(path: Path) -> Path:
    Image.new("RGB", (96, 64), (200, 120, 40)).save(path)
    return path


def inputs(tmp_path: Path) -> tuple[InputFile, InputFile]:
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    # the file name names a pupil: the photo's own finding
    picture = photo(tmp_path / "oliver_brown_sports_day.png")
    return InputFile("draft.txt", "text", path=draft), InputFile(picture.name, "image", path=picture)


def shape(result: PostResult) -> tuple:
    findings = sorted((f.rule, f.variant, f.input, f.evidence, f.source) for f in result.findings)
    return result.verdict, findings, [s.path for s in result.inputs], sorted(result.notes)


def test_a_draft_and_a_photo_report_what_each_reports_alone(school, tmp_path, monkeypatch):
    draft, picture = inputs(tmp_path)
    threads: list[str] = []
    check_picture = runner._check_picture

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return check_picture(*args, **kwargs)

    monkeypatch.setattr(runner, "_check_picture", recorded)
    both = runner.check_post(Post("post", (draft, picture)), session(school))
    assert threads and threads[0].startswith("postcheck-photos")

    alone = [runner.check_post(Post("post", (x,)), session(school)) for x in (draft, picture)]
    rules = {(f.rule, f.input) for f in both.findings}
    # the draft names Amelia Smith; the photo's file name names Oliver Brown
    assert ("pupil-full-name", "draft.txt") in rules
    assert ("pupil-full-name", picture.display) in rules
    assert sorted(shape(both)[1]) == sorted(shape(alone[0])[1] + shape(alone[1])[1])
    assert both.verdict == max(a.verdict for a in alone)
    # what each side noted (how faces and names were looked for) is kept
    assert set(both.notes) == set(alone[0].notes) | set(alone[1].notes)


def test_inputs_are_reported_in_their_own_order(school, tmp_path):
    draft, picture = inputs(tmp_path)
    sess = session(school)
    forward = runner.check_post(Post("post", (draft, picture)), sess)
    backward = runner.check_post(Post("post", (picture, draft)), sess)
    assert [s.path for s in forward.inputs] == ["draft.txt", picture.display]
    assert [s.path for s in backward.inputs] == [picture.display, "draft.txt"]
    assert shape(forward)[1] == shape(backward)[1]


def test_the_same_post_gives_the_same_report_every_time(school, tmp_path):
    draft, picture = inputs(tmp_path)
    sess = session(school)
    first = runner.check_post(Post("post", (draft, picture)), sess)
    for _ in range(3):
        again = runner.check_post(Post("post", (draft, picture)), sess)
        assert again.findings == first.findings
        assert again.notes == first.notes
        assert again.inputs == first.inputs


def test_the_text_pipeline_is_built_once_by_threads_that_need_it_together(school, monkeypatch):
    monkeypatch.setattr(nlp, "_PIPELINES", {})
    built: list[str] = []
    build = nlp._build

    def counted(setting: str):
        built.append(setting)
        return build(setting)

    monkeypatch.setattr(nlp, "_build", counted)
    config = load_config(school.config)
    index = TextIndex(config, load_register(config))
    start = threading.Barrier(4)
    docs: list[object] = []

    def parse() -> None:
        start.wait()
        docs.append(index.parse("Amelia and Oliver ran the relay."))

    workers = [threading.Thread(target=parse) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert built == ["none"]
    assert len(docs) == 4 and all(len(d) == 7 for d in docs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "warm"), [("amelia_smith.jpg", True), ("IMG_1234.jpg", False)])
def test_photos_alone_build_the_text_pipeline_early_only_for_a_file_name_with_words(
    school, tmp_path, name, warm
):
    sess = session(school)
    item = InputFile(name, "image", path=photo(tmp_path / name))
    assert warmup.names_need_text((item,), sess.context(), text_rules=True) is warm


def test_a_photo_post_starts_loading_the_ocr_engine_in_a_thread_its_check_then_uses(
    school, tmp_path, monkeypatch
):
    from postcheck.vision import ocr_engine

    monkeypatch.setattr(ocr_engine, "_engine", None)
    loads: list[str] = []
    load = ocr_engine._load

    def recorded():
        loads.append(threading.current_thread().name)
        return load()

    monkeypatch.setattr(ocr_engine, "_load", recorded)
    _, picture = inputs(tmp_path)
    result = runner.check_post(Post("post", (picture,)), session(school))
    assert loads == ["postcheck-ocr-load"]  # loaded once, early, and used by the OCR check
    assert any(n.startswith("ocr: RapidOCR") for n in result.notes)


def test_an_early_load_that_fails_is_reported_by_the_check(school, tmp_path, monkeypatch):
    from postcheck.errors import Unavailable
    from postcheck.vision import ocr_engine

    monkeypatch.setattr(ocr_engine, "_engine", None)

    def broken():
        raise Unavailable("text in images", "the model file is damaged")

    monkeypatch.setattr(ocr_engine, "_load", broken)
    _, picture = inputs(tmp_path)
    result = runner.check_post(Post("post", (picture,)), session(school))
    assert "not checked: text in images (the model file is damaged)" in result.notes
    assert result.verdict.label == "block"
