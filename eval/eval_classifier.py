"""Operating points of the offensive-language classifier (postcheck.text.classifier).

Scores two sets and prints precision and recall at several thresholds:

* the hard cases in ``tests/data/text/offensive_hard_cases.jsonl``: 31 clean
  school posts with traps ("killed it", "Devil's Dyke", "faggots and peas", a book
  title, quoted speech in an incident report) and 30 derogatory posts with no
  swear word (hate about a religion or nationality phrased as an opinion,
  dehumanising words about children, mocking a named child, attacks on a line
  manager);
* the shared corpus of real posts (``../shared/corpora/real-posts-dev`` beside this
  repository, or ``--corpus DIR``), sentence by sentence: a post's score is its
  highest-scoring sentence; posts tagged ``offensive`` or ``adverse_comment`` are
  the positives and posts labelled ``pass`` the negatives. The corpus is read
  where it is and never copied.

The classifier's own held-back split is scored by ``train/train_offensive.py``,
which has the training data. Run from the repository root::

    .venv/bin/python eval/eval_classifier.py [--corpus DIR] [--details]

Exit status: 0 when it ran, 2 when the corpus is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HARD_CASES = ROOT / "tests" / "data" / "text" / "offensive_hard_cases.jsonl"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "real-posts-dev"
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
POSITIVE_TAGS = {"offensive", "adverse_comment"}

Scorer = Callable[[Sequence[str]], list[float]]


def hard_cases() -> list[tuple[str, int]]:
    """(text, label) for the written hard cases; label 1 = offensive or derogatory."""
    rows = [json.loads(line) for line in HARD_CASES.read_text(encoding="utf-8").splitlines() if line]
    return [(r["text"], int(r["label"])) for r in rows]


def split_sentences(text: str) -> list[str]:
    """Sentences by spaCy's rule-based sentencizer; a blank line also ends one."""
    import spacy

    nlp = _sentencizer(spacy)
    out = []
    for block in re.split(r"\n\s*\n", text):
        out.extend(s.text.strip() for s in nlp(block).sents if s.text.strip())
    return out


_NLP: list = []


def _sentencizer(spacy: object) -> object:
    if not _NLP:
        nlp = spacy.blank("en")  # type: ignore[attr-defined]
        nlp.add_pipe("sentencizer")
        _NLP.append(nlp)
    return _NLP[0]


def corpus_items(folder: Path) -> list[dict]:
    """Positive (offensive / adverse_comment) and negative (pass) corpus items."""
    (path,) = sorted(folder.glob("*.jsonl"))
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for it in items:
        tags = set(it["reasons"])
        if tags & POSITIVE_TAGS:
            out.append({**it, "label": 1})
        elif it["expected"] == "pass":
            out.append({**it, "label": 0})
    return out


def score_items(scorer: Scorer, items: list[dict]) -> list[tuple[float, int, str]]:
    """(highest sentence score, label, id) per corpus item."""
    sents = [split_sentences(it["text"]) for it in items]
    flat = [s for group in sents for s in group]
    scores = scorer(flat)
    out, k = [], 0
    for it, group in zip(items, sents, strict=True):
        part = scores[k : k + len(group)]
        k += len(group)
        out.append((max(part, default=0.0), it["label"], it["id"]))
    return out


def operating_points(
    pairs: Sequence[tuple[float, int]], thresholds: Sequence[float] = THRESHOLDS
) -> list[dict]:
    """Precision and recall of ``score >= t`` for each threshold."""
    rows = []
    for t in thresholds:
        tp = sum(1 for s, y in pairs if s >= t and y == 1)
        fp = sum(1 for s, y in pairs if s >= t and y == 0)
        fn = sum(1 for s, y in pairs if s < t and y == 1)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        rows.append({"threshold": t, "tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall})
    return rows


def table(title: str, pairs: Sequence[tuple[float, int]]) -> str:
    pos = sum(y for _, y in pairs)
    lines = [
        f"{title} ({pos} positive, {len(pairs) - pos} negative)",
        "| threshold | TP | FP | FN | precision | recall |",
        "|---|---|---|---|---|---|",
    ]
    for r in operating_points(pairs):
        lines.append(
            f"| {r['threshold']:.1f} | {r['tp']} | {r['fp']} | {r['fn']} | "
            f"{r['precision']:.2f} | {r['recall']:.2f} |"
        )
    return "\n".join(lines)


def report(scorer: Scorer, corpus: Path | None, details: bool = False) -> str:
    """Tables for the hard cases and (when given) the corpus."""
    cases = hard_cases()
    scores = scorer([t for t, _ in cases])
    parts = [table("Hard cases", [(s, y) for s, (_, y) in zip(scores, cases, strict=True)])]
    if details:
        rows = sorted(zip(scores, cases, strict=True), reverse=True)
        parts.append("\n".join(f"  {s:.3f} {'+' if y else '-'} {text}" for s, (text, y) in rows))
    if corpus is not None:
        items = corpus_items(corpus)
        scored = score_items(scorer, items)
        parts.append(table("Real posts, highest sentence per post", [(s, y) for s, y, _ in scored]))
        offensive = {it["id"] for it in items if "offensive" in it["reasons"]}
        pairs = [(s, y) for s, y, ident in scored if y == 0 or ident in offensive]
        parts.append(table("Real posts tagged offensive against pass posts", pairs))
        if details:
            rows = sorted(scored, reverse=True)
            parts.append("\n".join(f"  {s:.3f} {'+' if y else '-'} {ident}" for s, y, ident in rows))
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("POSTCHECK_REAL_CORPUS", DEFAULT_CORPUS))
    )
    ap.add_argument("--details", action="store_true", help="list every score")
    args = ap.parse_args(argv)
    if not any(args.corpus.glob("*.jsonl")):
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    from postcheck.text import classifier

    start = time.process_time()
    classifier.load()
    load_cpu = time.process_time() - start
    print(report(classifier.score, args.corpus, args.details))
    print(f"\nload: {load_cpu:.2f} s CPU; default threshold {classifier.DEFAULT_THRESHOLD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
