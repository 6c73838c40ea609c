"""The offensive-language classifier (postcheck.text.classifier): what it scores,
that it ships inside the package, loads lazily, fails closed and stays offline.

The example sentences are written for these tests; the threshold-wide figures are
in docs/text-rules.md (eval/eval_classifier.py)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from postcheck.errors import Unavailable
from postcheck.text import classifier

REPO = Path(__file__).resolve().parents[1]
HARD_CASES = REPO / "tests" / "data" / "text" / "offensive_hard_cases.jsonl"
T = classifier.DEFAULT_THRESHOLD

# Abuse and insults, with and without swear words.
ABUSE = [
    "That boy is a disgusting little freak.",
    "What a f***ing pathetic excuse for a teacher.",
    "Shut up you stupid idiot.",
    "Our SENCO is a lazy, lying, useless waste of space.",
    "The parents at this school are ignorant, moronic scum.",
]
# Clean school posts, several with words that sound bad out of context.
CLEAN = [
    "Year 6 absolutely killed it at the swimming gala this morning!",
    "Year 8 walked up to Devil's Dyke for their geography fieldwork.",
    "Netball shooting practice is on Thursday after school.",
    "Please remember PE kits and water bottles tomorrow.",
    "Our RE lessons this term look at Islam, Judaism and Sikhism.",
    "Congratulations to the choir on a beautiful carol service.",
    "We were gutted to lose the final, but so proud of the team.",
]


def test_abuse_scores_above_the_default_threshold() -> None:
    scores = classifier.score(ABUSE)
    assert all(s >= T for s in scores), list(zip(ABUSE, scores, strict=True))


def test_clean_school_posts_score_below_the_default_threshold() -> None:
    scores = classifier.score(CLEAN)
    assert all(s < T for s in scores), list(zip(CLEAN, scores, strict=True))


def test_scores_are_probabilities_in_input_order() -> None:
    texts = [CLEAN[0], ABUSE[0], CLEAN[1]]
    scores = classifier.score(texts)
    assert len(scores) == 3 and all(0.0 <= s <= 1.0 for s in scores)
    assert scores[1] > scores[0] and scores[1] > scores[2]
    assert classifier.score(texts[::-1]) == pytest.approx(scores[::-1], abs=1e-5)


def test_hard_cases_benign_traps_stay_clean_and_most_derogatory_posts_are_found() -> None:
    """Every benign trap in the written hard cases scores below the default
    threshold; at least HARD_RECALL of the derogatory ones (no swear word) reach it."""
    rows = [json.loads(line) for line in HARD_CASES.read_text(encoding="utf-8").splitlines() if line]
    scores = classifier.score([r["text"] for r in rows])
    false_alarms = [(r["text"], s) for r, s in zip(rows, scores, strict=True) if r["label"] == 0 and s >= T]
    found = sum(1 for r, s in zip(rows, scores, strict=True) if r["label"] == 1 and s >= T)
    assert false_alarms == []
    assert found >= HARD_RECALL * sum(r["label"] for r in rows)


HARD_RECALL = 0.35


def test_text_with_no_letters_scores_zero_and_empty_input_loads_nothing() -> None:
    assert classifier.score([]) == []
    assert classifier.score(["", "   ", "!!! ---", "😀"]) == [0.0, 0.0, 0.0, 0.0]


def test_a_long_text_is_scored_to_its_end() -> None:
    """Text past the encoder's 128-token window is scored too (in overlapping
    windows): abuse at the end of a long paragraph is not cut off."""
    filler = "We had a lovely week of lessons, trips and clubs with the whole school. " * 20
    assert len(classifier.load().encoder.tokenizer.encode(filler).overflowing) >= 2  # three windows or more
    assert classifier.score([filler])[0] < T
    assert classifier.score([filler + "You are a stupid f***ing idiot."])[0] >= T


def test_the_model_files_ship_in_the_package_and_match_their_hashes() -> None:
    for path, digest in (
        (classifier.ENCODER_PATH, classifier.ENCODER_SHA256),
        (classifier.TOKENIZER_PATH, classifier.TOKENIZER_SHA256),
    ):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    head = json.loads(classifier.HEAD_PATH.read_text(encoding="utf-8"))
    assert head["encoder_sha256"] == classifier.ENCODER_SHA256
    assert len(head["weights"]) == 384
    assert (classifier.MODELS / "LICENSE.minilm").is_file()


def _fresh_build(monkeypatch: pytest.MonkeyPatch, **paths: Path) -> None:
    for name, value in paths.items():
        monkeypatch.setattr(classifier, name, value)
    classifier._build()


def test_a_damaged_encoder_fails_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_bytes(classifier.ENCODER_PATH.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(Unavailable, match="damaged"):
        _fresh_build(monkeypatch, ENCODER_PATH=bad)


def test_a_missing_tokenizer_fails_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(Unavailable, match="missing"):
        _fresh_build(monkeypatch, TOKENIZER_PATH=tmp_path / "absent.json")


def test_a_head_trained_for_another_encoder_fails_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = json.loads(classifier.HEAD_PATH.read_text(encoding="utf-8"))
    head["encoder_sha256"] = "0" * 64
    other = tmp_path / "head.json"
    other.write_text(json.dumps(head), encoding="utf-8")
    with pytest.raises(Unavailable, match="another encoder"):
        _fresh_build(monkeypatch, HEAD_PATH=other)


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", textwrap.dedent(code)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env or None)


def test_importing_the_module_loads_no_model_library() -> None:
    proc = _run(
        """
        import sys
        from postcheck.text import classifier
        heavy = sorted(m for m in ("onnxruntime", "tokenizers", "numpy") if m in sys.modules)
        print("HEAVY:", heavy, classifier.is_loaded())
        """
    )
    assert "HEAVY: [] False" in proc.stdout, proc.stderr


def test_help_does_not_import_the_classifier() -> None:
    proc = _run(
        """
        import sys
        import typer
        from postcheck.cli import app
        try:  # the command itself: main() would end the process before the print below
            typer.main.get_command(app).main(prog_name="postcheck", args=["--help"])
        except SystemExit:
            pass
        print("LOADED:", "postcheck.text.classifier" in sys.modules, "tokenizers" in sys.modules)
        """
    )
    assert "LOADED: False False" in proc.stdout, proc.stderr


def test_scoring_makes_no_network_call_and_no_hub_library_is_used() -> None:
    """An audit hook stops the process on any socket use; the Hugging Face hub
    client is never imported (the tokenizer is read from the package)."""
    proc = _run(
        """
        import sys
        def hook(event, args):
            if event in ("socket.connect", "socket.getaddrinfo", "socket.sendto", "urllib.Request"):
                raise SystemExit("NETWORK:" + event)
        sys.addaudithook(hook)
        from postcheck.text import classifier
        print("SCORES:", [round(s, 3) for s in classifier.score(["Well done Year 4!", "You are vermin."])])
        hub = ("huggingface_hub", "requests", "urllib3", "httpx")
        print("HUB:", sorted(m for m in sys.modules if m.startswith(hub)))
        """,
        PATH="/usr/bin:/bin",
        HOME=str(REPO),
    )
    assert "NETWORK:" not in proc.stdout + proc.stderr
    assert "SCORES: [" in proc.stdout, proc.stderr
    assert "HUB: []" in proc.stdout


@pytest.mark.slow
def test_the_wheel_contains_the_model_files(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out)]
    proc = subprocess.run([*cmd, str(REPO)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = out.glob("postcheck-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for path in (classifier.ENCODER_PATH, classifier.TOKENIZER_PATH, classifier.HEAD_PATH):
            member = f"postcheck/text/models/{path.name}"
            assert member in names, f"{member} is not in {wheel.name}"
            assert z.read(member) == path.read_bytes()
        assert "postcheck/text/models/LICENSE.minilm" in names
