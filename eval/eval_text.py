"""Evaluate the text rules on the labelled corpus in ``tests/corpus``.

Every draft in ``tests/corpus/drafts`` is checked under both built-in packs
(haybrook, enquire) and both channels (personal, official), and compared with
its labels in ``tests/corpus/expected.toml`` (format: tests/corpus/README.md).

Printed, for each pack and channel and overall:

* per rule: true positives, false positives, false negatives, precision and
  recall (a rule that fired on a draft where it was expected / not expected);
* the verdict confusion (expected verdict against reported verdict);
* FALSE PASSES: drafts labelled warn or block that were reported as pass;
* FALSE ALARMS: pass-worthy drafts reported as warn or block, and their rate.

Official posts are checked with an ``--approval`` reference, as a comms officer
would after the Head Teacher has authorised them; otherwise every official post
would carry haybrook's ``official-authorisation`` warning and say nothing about
the text rules. The date is fixed (``TODAY``) so that consent expiry is stable.

Run from the repository root::

    .venv/bin/python eval/eval_text.py [--details] [--pack haybrook] [--channel official]

Exit status: 0 when there is no false pass, 1 when there is at least one,
2 when the corpus itself is malformed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
PACKS = ("haybrook", "enquire")
CHANNELS = ("personal", "official")
VERDICTS = ("pass", "warn", "block")
TODAY = dt.date(2026, 11, 20)
APPROVAL = "HT-CORPUS-EVAL"

if str(ROOT / "src") not in sys.path:  # run from a checkout without an installed package
    sys.path.insert(0, str(ROOT / "src"))


@dataclass(frozen=True)
class Expectation:
    verdict: str
    rules: frozenset[str]


@dataclass(frozen=True)
class Draft:
    name: str
    path: Path
    expected: dict[tuple[str, str], Expectation]
    maybe: frozenset[str] = frozenset()
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    draft: Draft
    pack: str
    channel: str
    verdict: str
    fired: frozenset[str]
    evidence: tuple[str, ...]  # "rule: evidence" for the report
    notes: tuple[str, ...]

    @property
    def expected(self) -> Expectation:
        return self.draft.expected[(self.pack, self.channel)]

    @property
    def false_pass(self) -> bool:
        return self.expected.verdict != "pass" and self.verdict == "pass"

    @property
    def false_alarm(self) -> bool:
        return self.expected.verdict == "pass" and self.verdict != "pass"


class CorpusError(Exception):
    pass


def load_corpus(corpus: Path = CORPUS) -> list[Draft]:
    """Every draft with its labels; raises CorpusError when the labels are incomplete."""
    from postcheck.catalogue import RULE_IDS as RULES

    try:
        labels = tomllib.loads((corpus / "expected.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CorpusError(f"{corpus / 'expected.toml'}: {exc}") from exc
    files = {p.stem: p for p in sorted((corpus / "drafts").glob("*.txt"))}
    problems = [f"{name}: draft has no labels" for name in files if name not in labels]
    problems += [f"{name}: labelled, but its draft is missing" for name in labels if name not in files]
    drafts = []
    for name, entry in labels.items():
        if name not in files:
            continue
        unknown_keys = set(entry) - {"note", "maybe", *PACKS}
        if unknown_keys:
            problems.append(f"{name}: unknown keys {sorted(unknown_keys)}")
        expected: dict[tuple[str, str], Expectation] = {}
        for pack in PACKS:
            for channel in CHANNELS:
                label = entry.get(pack, {}).get(channel)
                if not isinstance(label, dict):
                    problems.append(f"{name}: no {pack}.{channel} label")
                    continue
                verdict, rules = label.get("verdict"), label.get("rules")
                if verdict not in VERDICTS or not isinstance(rules, list):
                    problems.append(f"{name}: {pack}.{channel} needs verdict (pass/warn/block) and rules")
                    continue
                bad = [r for r in rules if r not in RULES]
                if bad:
                    problems.append(f"{name}: {pack}.{channel}: unknown rule(s) {bad}")
                if (verdict == "pass") != (not rules):
                    problems.append(f"{name}: {pack}.{channel}: verdict {verdict} with rules {rules}")
                expected[(pack, channel)] = Expectation(verdict, frozenset(rules))
        maybe = entry.get("maybe", [])
        bad = [r for r in maybe if r not in RULES]
        if bad:
            problems.append(f"{name}: maybe: unknown rule(s) {bad}")
        drafts.append(Draft(name, files[name], expected, frozenset(maybe), entry.get("note", "")))
    if problems:
        raise CorpusError("\n".join(problems))
    return sorted(drafts, key=lambda d: d.name)


def sessions(corpus: Path = CORPUS) -> dict[tuple[str, str], object]:
    from postcheck.config import load_config
    from postcheck.policy import load_policy
    from postcheck.register import load_register
    from postcheck.runner import Session

    config = load_config(corpus / "postcheck.toml")
    register = load_register(config)
    out: dict[tuple[str, str], object] = {}
    for pack in PACKS:
        policy = load_policy(pack)
        for channel in CHANNELS:
            approval = APPROVAL if channel == "official" else None
            out[(pack, channel)] = Session(config, policy, channel, register, approval, TODAY)
    return out


def run(drafts: list[Draft], packs=PACKS, channels=CHANNELS, corpus: Path = CORPUS) -> list[Outcome]:
    """Check every draft under every pack and channel."""
    from postcheck.model import InputFile, Post
    from postcheck.runner import check_post

    outcomes = []
    for (pack, channel), session in sessions(corpus).items():
        if pack not in packs or channel not in channels:
            continue
        for draft in drafts:
            post = Post(draft.name, (InputFile(draft.path.name, "text", path=draft.path),))
            result = check_post(post, session)  # type: ignore[arg-type]
            counted = [f for f in result.findings if not f.approved and f.severity is not None]
            evidence = tuple(
                f"{f.rule} ({f.severity.label}): {f.evidence or f.message}"  # type: ignore[union-attr]
                for f in counted
            )
            outcomes.append(
                Outcome(
                    draft,
                    pack,
                    channel,
                    result.verdict.label,
                    frozenset(f.rule for f in counted),
                    evidence,
                    result.notes,
                )
            )
    return outcomes


# --- scoring -----------------------------------------------------------------------


@dataclass
class Score:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    confusion: Counter = field(default_factory=Counter)  # (expected, got)
    false_passes: list[Outcome] = field(default_factory=list)
    false_alarms: list[Outcome] = field(default_factory=list)
    softer: list[Outcome] = field(default_factory=list)  # block-worthy reported as warn
    pass_worthy: int = 0
    total: int = 0

    def add(self, o: Outcome) -> None:
        exp = o.expected
        self.total += 1
        self.confusion[(exp.verdict, o.verdict)] += 1
        if exp.verdict == "pass":
            self.pass_worthy += 1
        if o.false_pass:
            self.false_passes.append(o)
        if o.false_alarm:
            self.false_alarms.append(o)
        if exp.verdict == "block" and o.verdict == "warn":
            self.softer.append(o)
        skip = o.draft.maybe
        for rule in exp.rules - skip:
            (self.tp if rule in o.fired else self.fn)[rule] += 1
        for rule in o.fired - exp.rules - skip:
            self.fp[rule] += 1

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.pass_worthy if self.pass_worthy else 0.0


def score(outcomes: list[Outcome]) -> Score:
    s = Score()
    for o in outcomes:
        s.add(o)
    return s


def _ratio(num: int, den: int) -> str:
    return f"{num / den:6.2f}" if den else "     -"


def _row(rule: str, tp: int, fp: int, fn: int) -> str:
    return f"  {rule:<26} {tp:>4} {fp:>4} {fn:>4} {_ratio(tp, tp + fp):>10} {_ratio(tp, tp + fn):>7}"


def _rule_table(s: Score) -> list[str]:
    from postcheck.catalogue import RULE_IDS as RULES

    rules = [r for r in RULES if s.tp[r] or s.fp[r] or s.fn[r]]
    lines = [f"  {'rule':<26} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>7}"]
    for r in rules:
        lines.append(_row(r, s.tp[r], s.fp[r], s.fn[r]))
    lines.append(_row("all rules", sum(s.tp.values()), sum(s.fp.values()), sum(s.fn.values())))
    return lines


def _confusion(s: Score) -> list[str]:
    lines = ["  expected \\ reported    pass   warn  block"]
    for exp in VERDICTS:
        row = "".join(f"{s.confusion[(exp, got)]:>7}" for got in VERDICTS)
        lines.append(f"  {exp:<20}{row}")
    return lines


def _describe(o: Outcome) -> str:
    exp = o.expected
    fired = ", ".join(sorted(o.fired)) or "nothing"
    want = ", ".join(sorted(exp.rules)) or "nothing"
    where = f"{o.draft.name} [{o.pack}/{o.channel}]"
    return f"    {where}: expected {exp.verdict} ({want}); got {o.verdict} ({fired})"


def report(outcomes: list[Outcome], details: bool = False) -> list[str]:
    lines: list[str] = []
    groups = sorted({(o.pack, o.channel) for o in outcomes}, key=lambda k: (PACKS.index(k[0]), k[1]))
    for pack, channel in groups:
        part = [o for o in outcomes if (o.pack, o.channel) == (pack, channel)]
        s = score(part)
        lines.append("")
        lines.append(f"=== {pack} / {channel} ({s.total} drafts, {s.pass_worthy} pass-worthy) ===")
        lines += _rule_table(s)
        lines += _confusion(s)
        lines.append(f"  false passes: {len(s.false_passes)}")
        for o in s.false_passes:
            lines.append(_describe(o))
        lines.append(
            f"  false alarms: {len(s.false_alarms)} of {s.pass_worthy} pass-worthy drafts "
            f"({s.false_alarm_rate:.1%})"
        )
        for o in s.false_alarms:
            lines.append(_describe(o))
            lines += [f"      {e}" for e in o.evidence]
        if s.softer:
            lines.append(f"  block-worthy drafts reported only as warn: {len(s.softer)}")
            for o in s.softer:
                lines.append(_describe(o))
        if details:
            wrong = [
                o
                for o in part
                if (o.fired - o.draft.maybe) != (o.expected.rules - o.draft.maybe)
                and o not in s.false_alarms
                and o not in s.false_passes
            ]
            if wrong:
                lines.append(f"  other drafts whose rules differ from the labels: {len(wrong)}")
                for o in wrong:
                    lines.append(_describe(o))
                    lines += [f"      {e}" for e in o.evidence]
    s = score(outcomes)
    lines.append("")
    lines.append(f"=== overall ({s.total} checks of {len({o.draft.name for o in outcomes})} drafts) ===")
    lines += _rule_table(s)
    lines += _confusion(s)
    lines.append(f"  FALSE PASSES: {len(s.false_passes)}")
    lines.append(
        f"  FALSE ALARMS: {len(s.false_alarms)} of {s.pass_worthy} pass-worthy ({s.false_alarm_rate:.1%})"
    )
    return lines


def methods(outcomes: list[Outcome]) -> list[str]:
    """The methods and notes the checks reported (which unknown-person method ran)."""
    seen: dict[str, None] = {}
    for o in outcomes:
        for note in o.notes:
            seen.setdefault(note, None)
    return list(seen)


def main(argv: list[str] | None = None, corpus: Path = CORPUS, title: str = "drafts of tests/corpus") -> int:
    """Score the drafts in ``corpus`` and print the report; ``title`` names them."""
    parser = argparse.ArgumentParser(description=f"Evaluate the text rules on the {title}.")
    parser.add_argument("--pack", choices=PACKS, action="append", help="only this pack (repeatable)")
    parser.add_argument("--channel", choices=CHANNELS, action="append", help="only this channel (repeatable)")
    parser.add_argument("--details", action="store_true", help="also list every rule-level disagreement")
    args = parser.parse_args(argv)
    try:
        drafts = load_corpus(corpus)
    except CorpusError as exc:
        print(f"corpus error:\n{exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    outcomes = run(drafts, tuple(args.pack or PACKS), tuple(args.channel or CHANNELS), corpus)
    elapsed = time.perf_counter() - started
    print(f"Text rules on {len(drafts)} {title}")
    print(f"date {TODAY}; official posts checked with --approval {APPROVAL}")
    notes = methods(outcomes)
    unknown = [n for n in notes if "unknown" in n.lower() or "person" in n.lower()]
    print("unknown-person method: " + ("; ".join(unknown) if unknown else "not reported by the checks"))
    others = [n for n in notes if n not in unknown]
    for n in others:
        print(f"note: {n}")
    for line in report(outcomes, args.details):
        print(line)
    print(f"\n{len(outcomes)} checks in {elapsed:.1f} s")
    return 1 if any(o.false_pass for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
