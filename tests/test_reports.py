"""JSON schema 1, SARIF 2.1.0 and the terminal report, on synthetic findings."""

from __future__ import annotations

import json

from postcheck.model import Finding, InputSummary, PostResult, Report, Severity
from postcheck.policy import load_policy
from postcheck.reporters.json import render_json
from postcheck.reporters.sarif import render_sarif
from postcheck.reporters.terminal import render_text

FINDING_KEYS = {
    "rule", "severity", "clauses", "message", "input", "span", "box", "evidence", "fixable",
    "source", "person", "distance", "line", "id", "waiver",
}  # fmt: skip


def sample_report() -> Report:
    name = Finding(
        "pupil-full-name",
        "Names a pupil on a personal account: remove the surname, or the name.",
        "draft.txt",
        span=(10, 22),
        evidence="Amelia Smith",
        fixable=True,
        person="P001",
        label="Amelia Smith",
        line=1,
        severity=Severity.BLOCK,
        clauses=("2.4", "2.5"),
    )
    face = Finding(
        "face-unknown",
        "A face that matches nobody in the register: a person must check it.",
        "photo.jpg",
        box=(10, 60, 70, 5),
        distance=0.6123,
        severity=Severity.WARN,
        clauses=("2.6",),
    )
    waived = Finding(
        "logo",
        "The academy's logo is visible.",
        "photo.jpg",
        severity=Severity.BLOCK,
        clauses=("3.8",),
        approved=True,
    )
    post = PostResult(
        "draft",
        Severity.BLOCK,
        (InputSummary("draft.txt", "text"), InputSummary("photo.jpg", "image", faces=3)),
        (name, face, waived),
    )
    clean = PostResult("clean", Severity.PASS, (InputSummary("clean.txt", "text"),), ())
    return Report(
        "0.1.0", "enquire", "The Enquire Learning Trust Social Media Policy", "personal", None, (post, clean)
    )


def test_json_schema_1_shape():
    data = json.loads(render_json(sample_report()))
    assert data["schema"] == 1
    assert set(data) == {
        *("schema", "postcheck", "policy", "channel", "approval", "verdict", "counts", "posts"),
        *("weakened", "rules_not_in_pack"),
    }
    assert data["weakened"] == [] and data["rules_not_in_pack"] == []
    assert data["policy"] == {"id": "enquire", "name": "The Enquire Learning Trust Social Media Policy"}
    assert data["verdict"] == "block"
    assert data["counts"] == {"pass": 1, "warn": 0, "block": 1}
    post = data["posts"][0]
    assert post["inputs"] == [
        {"path": "draft.txt", "kind": "text"},
        {"path": "photo.jpg", "kind": "image", "faces": 3},
    ]
    for f in post["findings"]:
        assert set(f) == FINDING_KEYS
    first = post["findings"][0]
    assert first["span"] == [10, 22] and first["box"] is None and first["clauses"] == ["2.4", "2.5"]
    assert first["person"] == "P001" and first["fixable"] is True
    assert post["findings"][1]["box"] == [10, 60, 70, 5]
    assert [w["rule"] for w in post["waived"]] == ["logo"]


def test_json_never_contains_pupil_names_from_labels():
    text = render_json(sample_report())
    # the evidence is the text of the draft; the label (a name from the register) is not written
    assert text.count("Amelia Smith") == 1
    assert '"label"' not in text


def test_json_has_no_timestamps_and_is_stable():
    assert render_json(sample_report()) == render_json(sample_report())


def test_sarif_2_1_0():
    policy = load_policy("enquire")
    data = json.loads(render_sarif(sample_report(), policy))
    assert data["version"] == "2.1.0"
    run = data["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert "pupil-full-name" in ids and "face-unknown" in ids
    full = rules[ids.index("pupil-full-name")]
    assert full["help"]["text"]
    assert full["properties"]["clauses"] == list(policy.rules["pupil-full-name"].clauses)
    levels = {r["ruleId"]: r["level"] for r in run["results"] if "suppressions" not in r}
    assert levels == {"pupil-full-name": "error", "face-unknown": "warning"}
    waived = [r["ruleId"] for r in run["results"] if "suppressions" in r]
    assert waived == ["logo"]  # kept, marked as suppressed
    res = run["results"][0]
    assert res["locations"][0]["physicalLocation"]["region"]["charOffset"] == 10
    assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


def test_terminal_report_banner_table_and_summary():
    text = render_text(sample_report())
    assert "BLOCK: must not be posted as it is" in text
    assert "pupil-full-name" in text and "2.4, 2.5" in text
    assert "draft.txt:1" in text
    assert "waived" in text
    assert "Summary" in text and "2 posts" in text
