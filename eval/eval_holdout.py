"""Evaluate the text rules on the held-out drafts in ``tests/corpus_holdout``.

The same scoring and report as ``eval/eval_text.py`` (which it imports), on a set
of drafts written after the rules were tuned and never used to tune them (see
tests/corpus_holdout/README.md).

Run from the repository root::

    .venv/bin/python eval/eval_holdout.py [--details] [--pack haybrook] [--channel official]

Exit status: 0 when there is no false pass, 1 when there is at least one,
2 when the held-out corpus is malformed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_text
from eval_text import APPROVAL, CHANNELS, PACKS, TODAY, CorpusError, load_corpus, methods, report, run

HOLDOUT = eval_text.ROOT / "tests" / "corpus_holdout"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the text rules on the held-out drafts.")
    parser.add_argument("--pack", choices=PACKS, action="append", help="only this pack (repeatable)")
    parser.add_argument("--channel", choices=CHANNELS, action="append", help="only this channel (repeatable)")
    parser.add_argument("--details", action="store_true", help="also list every rule-level disagreement")
    args = parser.parse_args(argv)
    try:
        drafts = load_corpus(HOLDOUT)
    except CorpusError as exc:
        print(f"corpus error:\n{exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    outcomes = run(drafts, tuple(args.pack or PACKS), tuple(args.channel or CHANNELS), HOLDOUT)
    elapsed = time.perf_counter() - started
    print(f"Text rules on {len(drafts)} held-out drafts of tests/corpus_holdout")
    print(f"date {TODAY}; official posts checked with --approval {APPROVAL}")
    for note in methods(outcomes):
        print(f"note: {note}")
    for line in report(outcomes, args.details):
        print(line)
    print(f"\n{len(outcomes)} checks in {elapsed:.1f} s")
    return 1 if any(o.false_pass for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
