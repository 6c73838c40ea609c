"""Evaluate the text rules on a corpus of real posts (JSON Lines, labelled).

The default corpus is the shared development set of real school and staff posts,
``../shared/corpora/real-posts-dev`` beside this repository (its README gives the
labelling rules); ``--corpus DIR`` (or ``$POSTCHECK_REAL_CORPUS``) names another
folder of the same shape: a ``*.jsonl`` file and a ``postcheck.toml``. The corpus is
read where it is and never copied into the project.

Each item is checked as one post on its own channel, with the corpus's config, as
``postcheck check --config DIR/postcheck.toml --channel C`` would. Printed:

* the three headline measures: risky posts (warn or block) that pass, block posts
  found as block, clean posts with a false alarm;
* per rule: true positives, false positives, false negatives, precision, recall
  (a label's reason tags mapped to rules, see ``TAG_RULES``);
* every item whose verdict differs from its label, with what fired and why.

Run from the repository root::

    .venv/bin/python eval/eval_real.py [--corpus DIR] [--details] [--json FILE]

Exit status: 0 when it ran, 2 when the corpus is missing or malformed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "real-posts-dev"
TODAY = dt.date(2026, 11, 20)
VERDICTS = ("pass", "warn", "block")

# The corpus's reason tags and the rules that enforce them.
TAG_RULES: dict[str, str] = {
    "pupil_full_name": "pupil-full-name",
    "pupil_first_name": "pupil-first-name",
    "personal_data": "personal-data",
    "trust_contact": "trust-contact",
    "offensive": "offensive-language",
    "adverse_comment": "adverse-comment",
    "confidential": "confidential-info",
    "school_community": "school-community-mention",
    "no_disclaimer": "missing-disclaimer",
    "reference": "reference",
}

if str(ROOT / "src") not in sys.path:  # run from a checkout without an installed package
    sys.path.insert(0, str(ROOT / "src"))


class CorpusError(Exception):
    pass


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    channel: str
    expected: str
    reasons: tuple[str, ...]

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(TAG_RULES[r] for r in self.reasons if r in TAG_RULES)


@dataclass(frozen=True)
class Outcome:
    item: Item
    verdict: str
    fired: frozenset[str]
    evidence: tuple[str, ...]

    @property
    def false_pass(self) -> bool:
        return self.item.expected != "pass" and self.verdict == "pass"

    @property
    def false_alarm(self) -> bool:
        return self.item.expected == "pass" and self.verdict != "pass"


def corpus_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("POSTCHECK_REAL_CORPUS") or DEFAULT_CORPUS)


def load_items(folder: Path) -> list[Item]:
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise CorpusError(f"{folder}: no *.jsonl corpus file")
    items = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                item = Item(raw["id"], raw["text"], raw["channel"], raw["expected"], tuple(raw["reasons"]))
            except (ValueError, KeyError) as exc:
                raise CorpusError(f"{path}:{n}: {exc}") from exc
            if item.channel not in ("personal", "official") or item.expected not in VERDICTS:
                raise CorpusError(f"{path}:{n}: bad channel or expected value")
            items.append(item)
    return items


def run(items: list[Item], folder: Path) -> list[Outcome]:
    """Check every item as one post on its own channel."""
    from postcheck.config import load_config
    from postcheck.model import InputFile, Post
    from postcheck.policy import load_policy
    from postcheck.register import load_register
    from postcheck.runner import Session, check_post

    config = load_config(folder / "postcheck.toml")
    register = load_register(config)
    policy = load_policy(config.policy, config.base)
    sessions = {c: Session(config, policy, c, register, None, TODAY) for c in ("personal", "official")}
    outcomes = []
    for item in items:
        data = item.text.encode("utf-8")
        post = Post(item.id, (InputFile(f"{item.id}.txt", "text", data=data),))
        result = check_post(post, sessions[item.channel])
        counted = [f for f in result.findings if not f.approved and f.severity is not None]
        evidence = tuple(
            f"{f.rule} ({f.severity.label}): {f.evidence or f.message}"  # type: ignore[union-attr]
            for f in counted
        )
        outcomes.append(Outcome(item, result.verdict.label, frozenset(f.rule for f in counted), evidence))
    return outcomes


def headline(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    risky = [o for o in outcomes if o.item.expected != "pass"]
    blocks = [o for o in outcomes if o.item.expected == "block"]
    clean = [o for o in outcomes if o.item.expected == "pass"]
    return {
        "risky posts that pass": (sum(o.false_pass for o in risky), len(risky)),
        "block posts found as block": (sum(o.verdict == "block" for o in blocks), len(blocks)),
        "clean posts with a false alarm": (sum(o.false_alarm for o in clean), len(clean)),
    }


def rule_counts(outcomes: list[Outcome]) -> tuple[Counter, Counter, Counter]:
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    for o in outcomes:
        want = o.item.rules
        for rule in want:
            (tp if rule in o.fired else fn)[rule] += 1
        for rule in o.fired - want:
            fp[rule] += 1
    return tp, fp, fn


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.2f}" if den else "-"


def report(outcomes: list[Outcome], details: bool) -> list[str]:
    lines = []
    for name, (n, of) in headline(outcomes).items():
        lines.append(f"  {name:<32} {n:>3} of {of}")
    tp, fp, fn = rule_counts(outcomes)
    lines.append("")
    lines.append(f"  {'rule':<26} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>7}")
    for rule in sorted(set(tp) | set(fp) | set(fn)):
        p, r = _ratio(tp[rule], tp[rule] + fp[rule]), _ratio(tp[rule], tp[rule] + fn[rule])
        lines.append(f"  {rule:<26} {tp[rule]:>4} {fp[rule]:>4} {fn[rule]:>4} {p:>10} {r:>7}")
    confusion = Counter((o.item.expected, o.verdict) for o in outcomes)
    lines.append("")
    lines.append("  expected \\ reported    pass   warn  block")
    for exp in VERDICTS:
        lines.append(f"  {exp:<20}" + "".join(f"{confusion[(exp, got)]:>7}" for got in VERDICTS))
    differ = [o for o in outcomes if o.verdict != o.item.expected or (details and o.fired != o.item.rules)]
    lines.append("")
    lines.append(
        f"  items whose verdict differs from the label: {sum(o.verdict != o.item.expected for o in outcomes)}"
    )
    for o in differ:
        want = ", ".join(sorted(o.item.reasons))
        lines.append(
            f"    {o.item.id} [{o.item.channel}] expected {o.item.expected} ({want}); got {o.verdict}"
        )
        lines += [f"        {e[:160]}" for e in o.evidence]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the text rules on a corpus of real posts.")
    parser.add_argument("--corpus", help=f"corpus folder (default {DEFAULT_CORPUS})")
    parser.add_argument("--details", action="store_true", help="also list items whose rules differ")
    parser.add_argument("--json", metavar="FILE", help="write the headline figures as JSON")
    args = parser.parse_args(argv)
    folder = corpus_dir(args.corpus)
    if not folder.is_dir():
        print(f"real-post corpus not found: {folder} (use --corpus DIR)", file=sys.stderr)
        return 2
    try:
        items = load_items(folder)
    except CorpusError as exc:
        print(f"corpus error: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    outcomes = run(items, folder)
    elapsed = time.perf_counter() - started
    print(f"Text rules on {len(items)} real posts of {folder}")
    for line in report(outcomes, args.details):
        print(line)
    print(f"\n{len(outcomes)} posts in {elapsed:.1f} s")
    if args.json:
        figures = {k: {"count": n, "of": of} for k, (n, of) in headline(outcomes).items()}
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
