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

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_text

HOLDOUT = eval_text.ROOT / "tests" / "corpus_holdout"


def main(argv: list[str] | None = None) -> int:
    return eval_text.main(argv, corpus=HOLDOUT, title="held-out drafts of tests/corpus_holdout")


if __name__ == "__main__":
    sys.exit(main())
