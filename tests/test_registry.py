"""The rule registry: one definition per rule, pack overlays, protected variants,
and [rules] overrides that weaken a pack visibly."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from conftest import School, school_toml
from postcheck import catalogue
from postcheck.config import RulesConfig
from postcheck.model import Finding, Severity
from postcheck.policy import BUILTIN_PACKS, effective_severity, load_policy, weakened
from postcheck.rules import LEVELS


@pytest.mark.parametrize("rule_id", catalogue.RULE_IDS)
def test_every_rule_is_defined_once_with_its_documentation(rule_id: str) -> None:
    rule = catalogue.rule(rule_id)
    assert rule.id == rule_id
    assert rule.title and rule.what and rule.why and rule.example
    for part in ("What it does:", "Why it matters:", "Example:"):
        assert part in rule.doc
    assert rule.personal in LEVELS and rule.official in LEVELS
    assert rule.by_hand


def test_every_check_emits_only_defined_rules() -> None:
    defined = set(catalogue.rules())
    for spec in catalogue.CHECKS:
        assert set(spec.emits) <= defined, spec.target
        assert callable(spec.load())


@pytest.mark.parametrize("pack_id", BUILTIN_PACKS)
def test_builtin_packs_list_every_rule_and_variant(pack_id: str) -> None:
    assert load_policy(pack_id).missing == ()


def test_an_override_never_lowers_the_never_publish_variant() -> None:
    pack = load_policy("enquire")
    lowered = RulesConfig(severity={"pupil-first-name": "warn"})
    assert effective_severity(pack, lowered, "pupil-first-name", "personal") == Severity.WARN
    assert (
        effective_severity(pack, lowered, "pupil-first-name", "personal", "never-publish") == Severity.BLOCK
    )
    off = RulesConfig(disable=("pupil-first-name", "pupil-full-name"))
    assert effective_severity(pack, off, "pupil-first-name", "official") is None
    assert effective_severity(pack, off, "pupil-first-name", "official", "never-publish") == Severity.BLOCK
    assert effective_severity(pack, off, "pupil-full-name", "official", "never-publish") == Severity.BLOCK


def test_an_override_does_lower_an_unprotected_variant() -> None:
    pack = load_policy("enquire")
    lowered = RulesConfig(severity={"adverse-comment": "warn"})
    assert effective_severity(pack, lowered, "adverse-comment", "personal", "attack") == Severity.WARN


def test_weakening_a_block_rule_is_described() -> None:
    pack = load_policy("enquire")
    lines = weakened(pack, RulesConfig(disable=("face-no-consent",), severity={"pupil-full-name": "warn"}))
    assert any(line.startswith("face-no-consent is disabled on personal posts") for line in lines)
    assert any(line.startswith("pupil-full-name is lowered to warn on official posts") for line in lines)
    # lowering a rule the pack only warns about is not a weakening of a block
    assert weakened(pack, RulesConfig(severity={"unknown-person": "off"})) == []


def test_a_finding_with_an_unknown_variant_becomes_a_check_error(school: School) -> None:
    from postcheck.config import load_config
    from postcheck.register import load_register
    from postcheck.runner import Session, resolve

    config = load_config(school.config)
    session = Session(config, load_policy("enquire"), "official", load_register(config))
    finding = Finding("pupil-first-name", "m", "draft.txt", variant="no-such-case")
    resolved = resolve(finding, session.context())
    assert resolved is not None
    assert resolved.rule == "check-error" and resolved.severity == Severity.BLOCK
    ok = resolve(dataclasses.replace(finding, variant="never-publish"), session.context())
    assert ok is not None and ok.rule == "pupil-first-name" and ok.severity == Severity.BLOCK


def test_disabling_first_names_still_blocks_a_never_publish_child(
    cli, school: School, tmp_path: Path
) -> None:
    """Leo Carter is never_publish: [rules] disable cannot silence that."""
    school.write_config(school_toml("enquire", '\n[rules]\ndisable = ["pupil-first-name"]\n'))
    draft = tmp_path / "draft.txt"
    draft.write_text("Lovely reading from Leo in assembly today.", encoding="utf-8")
    res = cli("check", draft, "--config", school.config, "--channel", "official", "--format", "json")
    assert res.exit_code == 2, res.output
    findings = json.loads(res.stdout)["posts"][0]["findings"]
    assert [f["rule"] for f in findings] == ["pupil-first-name"]
    # an ordinary first name (Amelia has first-name consent; Zoë has none) is silenced
    draft.write_text("Lovely reading from Zoë in assembly today.", encoding="utf-8")
    res = cli("check", draft, "--config", school.config, "--channel", "official", "--format", "json")
    assert res.exit_code == 0, res.output


def test_rules_and_config_validate_show_a_weakened_pack(cli, school: School) -> None:
    school.write_config(school_toml("enquire", '\n[rules]\ndisable = ["face-no-consent"]\n'))
    shown = cli("rules", "--config", school.config)
    assert shown.exit_code == 0
    assert "face-no-consent is disabled on personal posts" in " ".join(shown.stdout.split())
    checked = cli("config", "validate", "--config", school.config)
    assert "warning: face-no-consent is disabled" in " ".join(checked.stdout.split())


def test_approval_never_waives_a_protected_variant(school: School, tmp_path: Path) -> None:
    """Even a school's own pack that marks first names approvable cannot let
    --approval waive a never_publish child."""
    from postcheck.config import load_config
    from postcheck.policy import builtin_pack_path
    from postcheck.register import load_register
    from postcheck.runner import Session, resolve

    text = builtin_pack_path("enquire").read_text(encoding="utf-8")  # type: ignore[union-attr]
    start = text.index("[rules.pupil-first-name]")
    block = text[start : text.index("[rules.pupil-first-name.variants.never-publish]")]
    pack = tmp_path / "lenient.toml"
    pack.write_text(text.replace(block, block.replace("approvable = false", "approvable = true")), "utf-8")
    config = load_config(school.config)
    session = Session(config, load_policy(str(pack)), "official", load_register(config), approval="HT-1")
    plain = resolve(Finding("pupil-first-name", "m", "draft.txt"), session.context())
    assert plain is not None and plain.approved  # the pack made the rule approvable
    never = resolve(Finding("pupil-first-name", "m", "draft.txt", variant="never-publish"), session.context())
    assert never is not None and not never.approved and never.severity == Severity.BLOCK
