"""Policy packs: a policy's clauses, and each rule's clauses, severity per
channel and whether the Head Teacher's approval waives it (DESIGN §4).

A pack is a TOML file::

    schema = 1
    id = "haybrook"
    name = "Haybrook College Trust Social Media Policy"
    approver = "Head Teacher"

    [clauses]
    "3.2.2" = "No photos of children or the Trust setting without written consent."

    [rules.pupil-full-name]
    clauses = ["3.2.2", "3.2.5"]
    personal = "block"            # block | warn | off
    official = "block"
    approvable = false
    note = "why this pack departs from the document, if it does"

    [rules.adverse-comment.variants.attack]   # a stricter case a check can select
    personal = "block"
    official = "block"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from postcheck.catalogue import RULES
from postcheck.errors import ConfigError
from postcheck.model import CHANNELS, Severity

BUILTIN_PACKS: tuple[str, ...] = ("haybrook", "enquire", "generic")
_SEVERITIES = ("block", "warn", "off")


@dataclass(frozen=True)
class RulePolicy:
    rule: str
    clauses: tuple[str, ...]
    severity: dict[str, Severity | None]
    approvable: bool = False
    note: str | None = None
    variants: dict[str, RulePolicy] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    approver: str
    clauses: dict[str, str]
    rules: dict[str, RulePolicy]
    path: str

    def rule(self, rule: str, variant: str | None = None) -> RulePolicy:
        entry = self.rules[rule]
        if variant and variant in entry.variants:
            return entry.variants[variant]
        return entry

    def severity(self, rule: str, channel: str, variant: str | None = None) -> Severity | None:
        """The severity of ``rule`` on ``channel``; ``None`` when the rule is off."""
        return self.rule(rule, variant).severity[channel]

    def clause(self, number: str) -> str | None:
        return self.clauses.get(number)


def _packs_dir() -> Path:
    """Where the built-in packs are: inside the installed package, or, in a
    source checkout, the repository's ``config/policies``."""
    installed = resources.files("postcheck") / "policies"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / "config" / "policies"


def builtin_pack_path(pack_id: str) -> Path | None:
    path = _packs_dir() / f"{pack_id}.toml"
    return path if path.is_file() else None


def load_policy(ref: str, base: Path | None = None) -> Policy:
    """Load a built-in pack by id, or a pack file by path (relative to ``base``)."""
    path = builtin_pack_path(ref) if "/" not in ref and not ref.endswith(".toml") else None
    if path is None:
        candidate = Path(ref).expanduser()
        if base is not None and not candidate.is_absolute():
            candidate = base / candidate
        if not candidate.is_file():
            packs = ", ".join(BUILTIN_PACKS)
            raise ConfigError(
                f"unknown policy {ref!r}: not a built-in pack ({packs}) and no such file",
                hint="use one of the built-in packs, or the path to a pack file",
            )
        path = candidate
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read policy pack: {exc.strerror}") from exc
    return _parse_pack(data, str(path))


def _expect(cond: bool, where: str, key: str, expected: str) -> None:
    if not cond:
        raise ConfigError(f"{where}: {key}: expected {expected}")


def _parse_rule(
    rule: str, raw: Any, where: str, clauses: dict[str, str], key: str, inherit: RulePolicy | None
) -> RulePolicy:
    _expect(isinstance(raw, dict), where, key, "a table")
    allowed = {"clauses", "personal", "official", "approvable", "note", "variants"}
    for k in raw:
        _expect(k in allowed, where, f"{key}.{k}", f"one of {', '.join(sorted(allowed))}")
    rule_clauses = raw.get("clauses", list(inherit.clauses) if inherit else None)
    _expect(
        isinstance(rule_clauses, list) and all(isinstance(c, str) for c in rule_clauses),
        where,
        f"{key}.clauses",
        "a list of clause numbers as strings",
    )
    for c in rule_clauses:
        _expect(c in clauses, where, f"{key}.clauses", f"clause numbers of this pack ({c!r} is not one)")
    severity: dict[str, Severity | None] = {}
    for channel in CHANNELS:
        value = raw.get(channel)
        if value is None and inherit is not None:
            severity[channel] = inherit.severity[channel]
            continue
        _expect(value in _SEVERITIES, where, f"{key}.{channel}", "one of block, warn, off")
        severity[channel] = Severity.parse(value)
    approvable = raw.get("approvable", inherit.approvable if inherit else False)
    _expect(isinstance(approvable, bool), where, f"{key}.approvable", "true or false")
    note = raw.get("note")
    _expect(note is None or isinstance(note, str), where, f"{key}.note", "a string")
    entry = RulePolicy(rule, tuple(rule_clauses), severity, approvable, note)
    variants_raw = raw.get("variants", {})
    _expect(isinstance(variants_raw, dict), where, f"{key}.variants", "a table of variants")
    for name, vraw in variants_raw.items():
        entry.variants[name] = _parse_rule(rule, vraw, where, clauses, f"{key}.variants.{name}", entry)
    return entry


def _parse_pack(data: dict[str, Any], where: str) -> Policy:
    allowed = {"schema", "id", "name", "approver", "source", "clauses", "rules"}
    for k in data:
        _expect(k in allowed, where, k, f"one of {', '.join(sorted(allowed))}")
    _expect(data.get("schema") == 1, where, "schema", "1")
    for k in ("id", "name"):
        _expect(isinstance(data.get(k), str) and data[k], where, k, "a non-empty string")
    approver = data.get("approver", "Head Teacher")
    _expect(isinstance(approver, str), where, "approver", "a string")
    clauses = data.get("clauses", {})
    _expect(isinstance(clauses, dict), where, "clauses", "a table of clause number = summary")
    for number, summary in clauses.items():
        _expect(
            isinstance(summary, str) and summary.strip(), where, f"clauses.{number}", "a one-line summary"
        )
    rules_raw = data.get("rules", {})
    _expect(isinstance(rules_raw, dict), where, "rules", "a table of rules")
    rules: dict[str, RulePolicy] = {}
    for rule, raw in rules_raw.items():
        _expect(rule in RULES, where, f"rules.{rule}", "a rule of the catalogue (see `postcheck rules`)")
        rules[rule] = _parse_rule(rule, raw, where, clauses, f"rules.{rule}", None)
    for rule in RULES:
        _expect(rule in rules, where, f"rules.{rule}", "an entry for every rule of the catalogue")
    return Policy(data["id"], data["name"], approver, dict(clauses), rules, where)
