"""The built-in policy packs: complete, faithful to DESIGN §5 and to the policy
documents, validated with useful errors, and shipped inside the wheel."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from postcheck.catalogue import ALWAYS_ON, TEXT_RULES
from postcheck.catalogue import RULE_IDS as RULES
from postcheck.errors import ConfigError
from postcheck.model import Severity
from postcheck.policy import BUILTIN_PACKS, Policy, builtin_pack_path, load_policy

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("POSTCHECK_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")) / "seeds"
SEED_FOR = {"haybrook": "haybrook-*.txt", "enquire": "enquire-*.txt"}
CLAUSE_AT_LINE_START = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?(?=\s)", re.MULTILINE)

# DESIGN §5, pack by pack: rule -> (personal, official, approvable, clauses the document requires).
# The packs may cite more clauses than these (each addition is justified in the rule's note).
B, W, OFF = "block", "warn", "off"
DESIGN: dict[str, dict[str, tuple[str, str, bool, set[str]]]] = {
    "haybrook": {
        "pupil-full-name": (B, B, False, {"3.2.2", "3.2.5"}),
        "pupil-first-name": (B, W, False, {"3.2.5"}),
        "unknown-person": (W, W, False, {"3.2.5"}),
        "personal-data": (B, B, False, {"3.2.5", "3.2.6"}),
        "trust-contact": (B, OFF, False, {"4.6"}),
        "offensive-language": (B, B, False, {"3.2.1", "3.2.6", "3.2.8", "4.6"}),
        "adverse-comment": (W, W, False, {"2.2", "3.2.1", "4.2", "4.6"}),
        "confidential-info": (B, B, False, {"2.2", "3.2.3", "3.2.5"}),
        "school-community-mention": (W, OFF, True, {"3.2.4"}),
        "missing-disclaimer": (OFF, OFF, False, set()),
        "reference": (OFF, OFF, False, set()),
        "pupil-contact": (W, W, True, {"3.1.1", "3.1.2"}),
        "spelling": (OFF, W, False, {"5.3"}),
        "official-authorisation": (OFF, W, True, {"5.1"}),
        "face-no-consent": (B, B, False, {"3.2.2"}),
        "pupil-photo-personal": (B, OFF, False, {"3.2.2"}),
        "face-unknown": (W, W, False, {"3.2.2"}),
        "image-location": (W, W, False, {"3.2.5"}),
        "trust-premises-photo": (B, OFF, False, {"2.1", "3.2.2"}),
        "logo": (W, OFF, True, {"3.2.4"}),
        "image-text": (B, B, False, set()),
        "unreadable-input": (B, B, False, set()),
        "check-error": (B, B, False, set()),
    },
    "enquire": {
        "pupil-full-name": (B, B, False, {"2.4", "2.5", "4.1"}),
        "pupil-first-name": (B, W, False, {"2.5", "4.1"}),
        "unknown-person": (W, W, False, {"2.5"}),
        "personal-data": (B, B, False, {"3.4", "4.1"}),
        "trust-contact": (W, OFF, False, {"3.6", "3.11"}),
        "offensive-language": (B, B, False, {"3.3", "3.10", "4.1"}),
        "adverse-comment": (W, W, False, {"2.7", "3.2"}),
        "confidential-info": (B, B, False, {"3.4", "4.1"}),
        "school-community-mention": (W, OFF, False, {"2.5", "3.5", "3.11"}),
        "missing-disclaimer": (W, OFF, False, {"3.1"}),
        "reference": (B, W, False, {"3.13"}),
        "pupil-contact": (W, W, False, {"2.4"}),
        "spelling": (OFF, OFF, False, set()),
        "official-authorisation": (OFF, OFF, True, set()),
        "face-no-consent": (B, B, False, {"2.6"}),
        "pupil-photo-personal": (B, OFF, False, {"2.6"}),
        "face-unknown": (W, W, False, {"2.6"}),
        "image-location": (W, W, False, {"3.11"}),
        "trust-premises-photo": (B, OFF, False, {"3.11"}),
        "logo": (B, OFF, True, {"3.8"}),
        "image-text": (B, B, False, set()),
        "unreadable-input": (B, B, False, set()),
        "check-error": (B, B, False, set()),
    },
}
# The documents' clause numbers, written out so that a checkout without the seed
# documents still checks completeness; where the documents are present, they are
# parsed as well and must agree.
_H = ["1." + str(i) for i in range(1, 10)] + ["2." + str(i) for i in range(1, 5)]
_H += ["3.1", *(f"3.1.{i}" for i in range(1, 5)), "3.2", *(f"3.2.{i}" for i in range(1, 9))]
_H += ["3.3", *(f"3.3.{i}" for i in range(1, 5)), *(f"4.{i}" for i in range(1, 7)), "5", "5.1", "5.2", "5.3"]
_E = ["1", "2", "3", "4", "5", *(f"1.{i}" for i in range(1, 5)), *(f"2.{i}" for i in range(1, 8))]
_E += [*(f"3.{i}" for i in range(1, 14)), "4.1", *(f"5.{i}" for i in range(1, 8))]
DOCUMENT_CLAUSES = {"haybrook": set(_H), "enquire": set(_E)}
APPROVERS = {"haybrook": "Head Teacher", "enquire": "Principal", "generic": "Head Teacher"}
_RANK = {None: 0, Severity.WARN: 1, Severity.BLOCK: 2}


def _label(sev: Severity | None) -> str:
    return "off" if sev is None else sev.label


@pytest.fixture(scope="module", params=BUILTIN_PACKS)
def pack(request: pytest.FixtureRequest) -> Policy:
    return load_policy(request.param)


def seed_clauses(pack_id: str) -> set[str]:
    if not SEEDS.is_dir():
        pytest.skip(f"policy documents not found at {SEEDS}")
    files = sorted(SEEDS.glob(SEED_FOR[pack_id]))
    assert len(files) == 1, f"expected one seed document for {pack_id} in {SEEDS}, found {files}"
    return set(CLAUSE_AT_LINE_START.findall(files[0].read_text(encoding="utf-8")))


def test_builtin_packs_load_with_the_right_identity(pack: Policy) -> None:
    assert pack.id in BUILTIN_PACKS
    assert Path(pack.path) == builtin_pack_path(pack.id)
    assert pack.name.strip()
    assert pack.approver == APPROVERS[pack.id]


def test_every_catalogue_rule_is_in_every_pack(pack: Policy) -> None:
    assert set(pack.rules) == set(RULES)


def test_every_cited_clause_exists_and_has_a_summary(pack: Policy) -> None:
    for rule, entry in pack.rules.items():
        for c in entry.clauses:
            assert c in pack.clauses, f"{pack.id}: {rule} cites {c}, which is not in [clauses]"
    for number, summary in pack.clauses.items():
        assert "\n" not in summary and 20 <= len(summary) <= 220, (
            f"{pack.id} {number}: not a one-line summary"
        )


@pytest.mark.parametrize("pack_id", sorted(SEED_FOR))
def test_every_clause_number_of_the_document_is_in_the_pack(pack_id: str) -> None:
    assert set(load_policy(pack_id).clauses) == DOCUMENT_CLAUSES[pack_id]


@pytest.mark.parametrize("pack_id", sorted(SEED_FOR))
def test_clause_numbers_match_the_policy_document(pack_id: str) -> None:
    expected = seed_clauses(pack_id)
    assert expected == DOCUMENT_CLAUSES[pack_id]
    assert set(load_policy(pack_id).clauses) == expected


def test_seed_parsing_sees_sub_clauses_and_headings() -> None:
    assert {"3.1.1", "3.2.8", "3.3.4", "3.1", "5", "5.3"} <= seed_clauses("haybrook")
    assert {"1", "5", "3.13", "4.1", "5.7"} <= seed_clauses("enquire")
    assert "3.14" not in seed_clauses("enquire") and "4.7" not in seed_clauses("haybrook")


@pytest.mark.parametrize("pack_id", sorted(SEED_FOR))
def test_summaries_are_in_our_own_words(pack_id: str) -> None:
    """No summary repeats six words in a row from the policy document."""
    if not SEEDS.is_dir():
        pytest.skip(f"policy documents not found at {SEEDS}")
    (doc,) = SEEDS.glob(SEED_FOR[pack_id])

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))

    seed = words(doc.read_text(encoding="utf-8"))
    ngrams = {tuple(seed[i : i + 6]) for i in range(len(seed) - 5)}
    for number, summary in load_policy(pack_id).clauses.items():
        w = words(summary)
        copied = [" ".join(w[i : i + 6]) for i in range(len(w) - 5) if tuple(w[i : i + 6]) in ngrams]
        assert not copied, f"{pack_id} {number} copies the document: {copied[0]!r}"


@pytest.mark.parametrize(
    ("pack_id", "rule"), [(p, r) for p in sorted(DESIGN) for r in sorted(RULES)], ids=lambda v: str(v)
)
def test_design_severities_approvability_and_clauses(pack_id: str, rule: str) -> None:
    personal, official, approvable, clauses = DESIGN[pack_id][rule]
    entry = load_policy(pack_id).rule(rule)
    assert (_label(entry.severity["personal"]), _label(entry.severity["official"])) == (personal, official)
    assert entry.approvable is approvable
    assert clauses <= set(entry.clauses), f"missing {sorted(clauses - set(entry.clauses))}"
    extra = set(entry.clauses) - clauses
    if extra and rule != "image-text":
        assert entry.note, f"{pack_id} {rule} cites {sorted(extra)} beyond DESIGN §5 without a note"


def test_rules_off_on_both_channels_say_why(pack: Policy) -> None:
    for rule, entry in pack.rules.items():
        if entry.severity["personal"] is None and entry.severity["official"] is None:
            assert entry.note, f"{pack.id}: {rule} is off on both channels without a note"


def test_adverse_comment_attack_variant_blocks(pack: Policy) -> None:
    assert pack.severity("adverse-comment", "personal", "attack") == Severity.BLOCK
    assert pack.severity("adverse-comment", "official", "attack") == Severity.BLOCK
    assert pack.severity("adverse-comment", "personal") == Severity.WARN
    assert pack.rule("adverse-comment", "attack").clauses == pack.rule("adverse-comment").clauses


def test_never_publish_pupils_first_names_block_on_every_channel(pack: Policy) -> None:
    """DESIGN §3: never_publish overrides every consent, so even the official
    channel's softer first-name severity does not apply to such a child."""
    assert pack.severity("pupil-first-name", "official") == Severity.WARN
    for channel in ("personal", "official"):
        assert pack.severity("pupil-first-name", channel, "never-publish") == Severity.BLOCK
        assert pack.severity("pupil-full-name", channel) == Severity.BLOCK


def test_always_on_rules_and_image_text_block(pack: Policy) -> None:
    for rule in (*ALWAYS_ON, "image-text"):
        entry = pack.rule(rule)
        assert entry.severity == {"personal": Severity.BLOCK, "official": Severity.BLOCK}, rule
        assert not entry.approvable and entry.note


def test_image_text_cites_the_text_rules_clauses(pack: Policy) -> None:
    enforced = [r for r in TEXT_RULES if any(s is not None for s in pack.rule(r).severity.values())]
    text_clauses = {c for r in enforced for c in pack.rule(r).clauses}
    assert text_clauses <= set(pack.rule("image-text").clauses)


def test_generic_is_at_least_as_strict_as_either_pack_on_personal_posts() -> None:
    generic = load_policy("generic")
    real = [load_policy(p) for p in ("haybrook", "enquire")]
    assert all(re.fullmatch(r"G\d+", c) for c in generic.clauses)
    for rule in RULES:
        strictest = max(_RANK[p.severity(rule, "personal")] for p in real)
        assert _RANK[generic.severity(rule, "personal")] >= strictest, rule
        if not all(p.rule(rule).approvable for p in real):
            assert not generic.rule(rule).approvable, rule
        for channel in ("personal", "official"):
            if generic.severity(rule, channel) is not None and rule not in ALWAYS_ON:
                assert generic.rule(rule).clauses, f"generic {rule} enforces no clause"


def _doc_cell(pack: Policy, rule: str) -> str:
    entry = pack.rule(rule)
    sev = " / ".join(_label(entry.severity[c]) for c in ("personal", "official"))
    variants = "".join(
        f" ({name}: {' / '.join(_label(v.severity[c]) for c in ('personal', 'official'))})"
        for name, v in entry.variants.items()
    )
    approvable = ", approvable" if entry.approvable else ""
    return f"{sev}{variants}{approvable} · {', '.join(entry.clauses) or '—'}"


def test_docs_rule_table_matches_the_packs() -> None:
    """docs/policies.md's table of rules and clauses says what the packs say."""
    doc = (REPO / "docs" / "policies.md").read_text(encoding="utf-8")
    packs = [load_policy(p) for p in BUILTIN_PACKS]
    for rule in RULES:
        row = f"| `{rule}` | " + " | ".join(_doc_cell(p, rule) for p in packs) + " |"
        assert row in doc, f"docs/policies.md is out of date for {rule}; expected:\n{row}"


# --- validation errors name the file and the key -------------------------------------------


def _broken_pack(tmp_path: Path, old: str, new: str) -> Path:
    text = builtin_pack_path("haybrook").read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert old in text
    path = tmp_path / "school-pack.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_copied_pack_loads_by_path(tmp_path: Path) -> None:
    path = _broken_pack(tmp_path, 'id = "haybrook"', 'id = "st-mary"')
    policy = load_policy(path.name, base=tmp_path)
    assert policy.id == "st-mary" and policy.path == str(path)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("[rules.spelling]", "[rules.spellcheck]", "rules.spellcheck"),
        ('clauses = ["5.1"]', 'clauses = ["5.9"]', "rules.official-authorisation.clauses"),
        (
            '[rules.logo]\nclauses = ["3.2.4"]\npersonal = "warn"',
            '[rules.logo]\nclauses = ["3.2.4"]\npersonal = "sometimes"',
            "rules.logo.personal",
        ),
        (
            '[rules.logo]\nclauses = ["3.2.4"]\npersonal = "warn"\nofficial = "off"\napprovable = true',
            '[rules.logo]\nclauses = ["3.2.4"]\npersonal = "warn"\nofficial = "off"\napprovable = "yes"',
            "rules.logo.approvable",
        ),
        ("[rules.check-error]", "[rules.check-error-renamed]", "rules.check-error-renamed"),
        ("schema = 1", "schema = 2", "schema"),
    ],
    ids=["unknown-rule", "unknown-clause", "bad-severity", "bad-approvable", "renamed-rule", "schema"],
)
def test_bad_pack_raises_config_error_naming_file_and_key(
    tmp_path: Path, old: str, new: str, key: str
) -> None:
    path = _broken_pack(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        load_policy(str(path))
    assert str(path) in str(err.value)
    assert key in str(err.value)


def test_a_copied_pack_missing_a_rule_still_loads_with_the_default(tmp_path: Path) -> None:
    """A school's copy of a pack made before a rule existed keeps working after an
    upgrade: the rule gets postcheck's default severity, cites no clause, and the
    pack says it is missing."""
    text = builtin_pack_path("enquire").read_text(encoding="utf-8")  # type: ignore[union-attr]
    start = text.index("[rules.reference]")
    end = text.index("[rules.pupil-contact]")
    path = tmp_path / "short.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    pack = load_policy(str(path))
    assert "reference" in pack.missing
    entry = pack.rule("reference")
    assert entry.default and entry.clauses == ()
    assert entry.severity["personal"] == Severity.BLOCK  # the rule's own default


def test_a_pack_variant_that_is_not_a_variant_of_the_rule_is_refused(tmp_path: Path) -> None:
    text = builtin_pack_path("enquire").read_text(encoding="utf-8")  # type: ignore[union-attr]
    text = text.replace("[rules.adverse-comment.variants.attack]", "[rules.adverse-comment.variants.atack]")
    path = tmp_path / "typo.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules\.adverse-comment\.variants\.atack"):
        load_policy(str(path))


def test_unknown_pack_id_lists_the_builtin_packs() -> None:
    with pytest.raises(ConfigError) as err:
        load_policy("oakfield")
    for pack_id in BUILTIN_PACKS:
        assert pack_id in str(err.value)


# --- the packs ship inside the package ------------------------------------------------------


@pytest.mark.slow
def test_wheel_contains_the_packs(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = out.glob("postcheck-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for pack_id in BUILTIN_PACKS:
        member = f"postcheck/policies/{pack_id}.toml"
        assert member in names, f"{member} is not in {wheel.name}"
        shipped = zipfile.ZipFile(wheel).read(member).decode("utf-8")
        assert shipped == (REPO / "config" / "policies" / f"{pack_id}.toml").read_text(encoding="utf-8")

    # Installed (not editable), postcheck finds the packs inside the package, not in a checkout.
    site = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(site)]
    proc = subprocess.run([*install, str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    probe = (
        "from postcheck.policy import BUILTIN_PACKS as B, load_policy as l; print(*(l(p).path for p in B))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    paths = proc.stdout.split()
    assert len(paths) == len(BUILTIN_PACKS), proc.stdout
    for path in paths:
        assert Path(path).is_relative_to(site / "postcheck" / "policies"), path
