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

from postcheck import catalogue
from postcheck.config import RulesConfig
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
    default: bool = False  # not in the pack: postcheck's default severity, no clauses


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    approver: str
    clauses: dict[str, str]
    rules: dict[str, RulePolicy]
    path: str

    def rule(self, rule: str, variant: str | None = None) -> RulePolicy:
        """The pack's entry for ``rule`` (and ``variant``); a rule or variant the pack
        does not list gets postcheck's default severity (:mod:`postcheck.rules`)."""
        entry = self.rules.get(rule) or _default_entry(rule)
        if variant:
            return entry.variants.get(variant) or _default_variant(entry, variant)
        return entry

    def severity(self, rule: str, channel: str, variant: str | None = None) -> Severity | None:
        """The severity of ``rule`` on ``channel``; ``None`` when the rule is off."""
        return self.rule(rule, variant).severity[channel]

    @property
    def missing(self) -> tuple[str, ...]:
        """Rules and variants this pack does not list (they get postcheck's defaults)."""
        out = []
        for rule in catalogue.RULE_IDS:
            if rule in catalogue.ALWAYS_ON:
                continue
            entry = self.rules.get(rule)
            if entry is None:
                out.append(rule)
                continue
            out += [
                f"{rule} ({v.name})" for v in catalogue.rule(rule).variants if v.name not in entry.variants
            ]
        return tuple(out)

    def clause(self, number: str) -> str | None:
        return self.clauses.get(number)


def _default_entry(rule: str) -> RulePolicy:
    info = catalogue.rule(rule)
    severity = {ch: Severity.parse(info.default(ch)) for ch in CHANNELS}
    entry = RulePolicy(
        rule, (), severity, info.approvable, "not in this pack: postcheck's default", default=True
    )
    for v in info.variants:
        entry.variants[v.name] = _default_variant(entry, v.name)
    return entry


def _default_variant(entry: RulePolicy, variant: str) -> RulePolicy:
    """A variant the pack does not list: its default severity, the rule's clauses."""
    info = catalogue.rule(entry.rule).variant(variant)
    if info is None:
        raise KeyError(f"{entry.rule} has no variant {variant!r}")
    severity = {ch: Severity.parse(info.default(ch)) for ch in CHANNELS}
    return RulePolicy(entry.rule, entry.clauses, severity, entry.approvable, entry.note, default=True)


def effective_severity(
    policy: Policy, rules_config: RulesConfig, rule: str, channel: str, variant: str | None = None
) -> Severity | None:
    """The severity a finding of ``rule`` (``variant``) gets on ``channel``: the
    pack's, then the config's ``[rules]`` overrides, except that a protected
    (safeguarding) variant is never lowered or disabled. ``None``: the rule is off."""
    if rule in catalogue.ALWAYS_ON:
        return Severity.BLOCK
    pack = policy.rule(rule, variant).severity[channel]
    info = catalogue.rule(rule).variant(variant) if variant else None
    if info is not None and info.protected:
        return pack
    if rule in rules_config.disable:
        return None
    override = rules_config.severity.get(rule)
    return Severity.parse(override) if override is not None else pack


def could_fire(policy: Policy, rules_config: RulesConfig, rule: str, channel: str) -> bool:
    """Whether any finding of ``rule`` (any variant) can count on ``channel``."""
    variants = [None, *(v.name for v in catalogue.rule(rule).variants)]
    return any(effective_severity(policy, rules_config, rule, channel, v) is not None for v in variants)


def weakened(policy: Policy, rules_config: RulesConfig, channels: tuple[str, ...] = CHANNELS) -> list[str]:
    """Each way ``[rules]`` turns off or lowers a rule the pack blocks on
    ``channels``, in words: allowed, but shown in every report, in `postcheck
    rules` and by `config validate`."""
    out = []
    for rule in catalogue.RULE_IDS:
        if rule in catalogue.ALWAYS_ON:
            continue
        for channel in (c for c in CHANNELS if c in channels):
            pack = policy.rule(rule).severity[channel]
            now = effective_severity(policy, rules_config, rule, channel)
            if pack is not None and pack == Severity.BLOCK and (now is None or now < pack):
                how = "disabled" if now is None else f"lowered to {now.label}"
                out.append(f"{rule} is {how} on {channel} posts by [rules] (the {policy.id} pack blocks it)")
    return out


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
    known = [v.name for v in catalogue.rule(rule).variants]
    for name, vraw in variants_raw.items():
        _expect(
            name in known,
            where,
            f"{key}.variants.{name}",
            f"a variant of {rule} ({', '.join(known) or 'none'})",
        )
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
        _expect(
            rule in catalogue.RULE_IDS,
            where,
            f"rules.{rule}",
            "a rule of the catalogue (see `postcheck rules`)",
        )
        rules[rule] = _parse_rule(rule, raw, where, clauses, f"rules.{rule}", None)
    return Policy(data["id"], data["name"], approver, dict(clauses), rules, where)
