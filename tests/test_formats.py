"""The reports CI systems read: SARIF 2.1.0 (validated against the official
schema), GitHub annotations, JUnit XML (validated against the Jenkins xUnit
schema and read by junitparser), and choosing the format from --output.

The schemas are shipped in tests/data/schemas (see its README for their
sources and licences); nothing is fetched when the tests run.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import jsonschema
import junitparser
import pytest
from lxml import etree

from postcheck.model import Finding, InputSummary, PostResult, Report, Severity
from postcheck.policy import load_policy
from postcheck.reporters.github import render_github
from postcheck.reporters.junit import render_junit
from postcheck.reporters.sarif import render_sarif

SCHEMAS = Path(__file__).parent / "data" / "schemas"
SARIF_SCHEMA = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
JUNIT_XSD = etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-10.xsd")))
REGISTER_NAME = "Zebedee Quartermaine"  # a register name that only detail and label carry


def validate_sarif(data: dict) -> None:
    checker = jsonschema.FormatChecker()
    # URI formats are really checked (rfc3986-validator is a dev dependency)
    assert {"uri", "uri-reference"} <= checker.checkers.keys()
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=checker).validate(data)


def validate_junit(xml: str) -> junitparser.JUnitXml:
    doc = etree.fromstring(xml.encode("utf-8"))
    JUNIT_XSD.assertValid(doc)
    return junitparser.JUnitXml.fromstring(xml.encode("utf-8"))


def sample(approval: str | None = "HT-2026-114") -> Report:
    """A post with a .txt draft, a .docx draft and a photo; a waived finding; a
    finding about the whole post; detail and label naming a pupil."""
    name = Finding(
        "pupil-full-name",
        "Names a pupil in full on a personal account: remove the surname, or the name.",
        "posts/sports day.txt",
        span=(10, 22),
        evidence="Millie",
        person="P001",
        label=REGISTER_NAME,
        detail=f"{REGISTER_NAME} may be named by first name only",
        line=3,
        severity=Severity.BLOCK,
        clauses=("2.4", "2.5"),
    )
    docx = Finding(
        "personal-data",
        "Remove the phone number.",
        "posts/letter.docx",
        span=(40, 52),
        line=7,
        severity=Severity.BLOCK,
        clauses=("3.4",),
    )
    face = Finding(
        "face-unknown",
        "A face that matches nobody in the register: a person must check it.",
        "posts/sports day.jpg",
        box=(10, 60, 70, 5),
        label=REGISTER_NAME,
        severity=Severity.WARN,
        clauses=("2.6",),
    )
    waived = Finding(
        "logo", "The academy's logo is visible.", "posts/sports day.jpg", severity=Severity.BLOCK
    )
    waived = dataclasses.replace(waived, clauses=("3.8",), approved=True)
    whole = Finding(
        "official-authorisation",
        "An official post needs the Head Teacher's authorisation.",
        "sports day",
        severity=Severity.WARN,
    )
    post = PostResult(
        "sports day",
        Severity.BLOCK,
        (
            InputSummary("posts/sports day.txt", "text"),
            InputSummary("posts/letter.docx", "text"),
            InputSummary("posts/sports day.jpg", "image", faces=1),
        ),
        (name, docx, face, waived, whole),
        channel="official",
    )
    stdin = Finding("spelling", "Check the spelling of 'recieve'.", "<stdin>", span=(0, 7), line=1)
    stdin = dataclasses.replace(stdin, severity=Severity.WARN)
    piped = PostResult(
        "stdin", Severity.WARN, (InputSummary("<stdin>", "text"),), (stdin,), channel="personal"
    )
    clean = PostResult("clean", Severity.PASS, (InputSummary("clean.txt", "text"),), (), channel="personal")
    return Report(
        "0.1.0",
        "enquire",
        "The Enquire Learning Trust Social Media Policy",
        "personal",
        approval,
        (post, piped, clean),
        weakened=("spelling is disabled on personal posts by [rules] (the enquire pack blocks it)",),
        missing=("logo",),
    )


# --- SARIF ------------------------------------------------------------------------------


def test_sarif_validates_and_places_every_result():
    data = json.loads(render_sarif(sample(), load_policy("enquire")))
    validate_sarif(data)
    run = data["runs"][0]
    results = run["results"]
    assert len(results) == 6  # the waived finding is kept, suppressed
    for r in results:
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "SRCROOT"
        assert loc["region"]["startLine"] >= 1  # GitHub needs a line for every result
        assert not loc["artifactLocation"]["uri"].startswith("/")
    by_rule = {r["ruleId"]: r for r in results}
    txt = by_rule["pupil-full-name"]["locations"][0]["physicalLocation"]
    assert txt["artifactLocation"]["uri"] == "posts/sports%20day.txt"
    assert txt["region"] == {"startLine": 3, "charOffset": 10, "charLength": 12}
    docx = by_rule["personal-data"]
    assert docx["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert docx["properties"]["textLine"] == 7 and docx["properties"]["textSpan"] == [40, 52]
    assert by_rule["face-unknown"]["properties"]["box"] == [10, 60, 70, 5]
    whole = by_rule["official-authorisation"]["locations"][0]["physicalLocation"]
    assert whole["artifactLocation"]["uri"] == "posts/sports%20day.txt"  # the post's first file
    assert by_rule["spelling"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "stdin"
    (suppression,) = by_rule["logo"]["suppressions"]
    assert suppression["kind"] == "external" and "HT-2026-114" in suppression["justification"]
    assert "suppressions" not in by_rule["pupil-full-name"]
    assert by_rule["pupil-full-name"]["properties"]["channel"] == "official"
    assert by_rule["spelling"]["properties"]["channel"] == "personal"


def test_sarif_reports_a_weakened_policy_and_missing_rules():
    data = json.loads(render_sarif(sample(), load_policy("enquire")))
    run = data["runs"][0]
    notes = run["invocations"][0]["toolConfigurationNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["weakened-policy", "rules-not-in-pack"]
    assert "spelling is disabled" in notes[0]["message"]["text"]
    assert run["properties"]["weakened"] == list(sample().weakened)
    assert run["properties"]["missing"] == ["logo"]


@pytest.mark.parametrize("render", ["sarif", "github", "junit"])
def test_ci_formats_never_carry_detail_or_label(render):
    report = sample()
    text = {
        "sarif": lambda: render_sarif(report, load_policy("enquire")),
        "github": lambda: render_github(report),
        "junit": lambda: render_junit(report),
    }[render]()
    assert REGISTER_NAME not in text
    assert "may be named by first name only" not in text
    assert "Names a pupil in full" in text  # the message is there


def test_sarif_through_the_cli_with_relative_paths_and_stdin(cli, quiet_school, tmp_path):
    posts = Path.cwd() / "posts"
    posts.mkdir()
    (posts / "trip.txt").write_text("A lovely day.\n")
    (posts / "empty.txt").write_text("")
    res = cli(
        str(posts / "trip.txt"),
        str(posts / "empty.txt"),
        "-",
        "--group",
        "stem",
        "--channel",
        "official",
        "--config",
        quiet_school.config,
        "-f",
        "sarif",
        input="channel: personal\nFrom standard input.\n",
    )
    assert res.exit_code == 2
    assert str(tmp_path) not in res.stdout  # no absolute paths
    data = json.loads(res.stdout)
    validate_sarif(data)
    results = data["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"posts/trip.txt", "posts/empty.txt"}
    posts_run = {p["name"]: p for p in data["runs"][0]["properties"]["posts"]}
    assert posts_run["stdin"]["channel"] == "personal" and posts_run["trip"]["channel"] == "official"


def test_sarif_approval_becomes_a_suppression_through_the_cli(cli, quiet_school, tmp_path, monkeypatch):
    import postcheck.checks.post as post_checks

    def always(post, ctx):  # an approvable finding that --approval waives
        yield Finding("official-authorisation", "Needs the Head Teacher's authorisation.", post.name)

    monkeypatch.setattr(post_checks, "official_authorisation", always)
    draft = Path.cwd() / "news.txt"
    draft.write_text("channel: official\nThe fair is on Friday.\n")
    res = cli(draft, "--config", quiet_school.config, "-f", "sarif", "--approval", "HT-9")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    validate_sarif(data)
    (result,) = data["runs"][0]["results"]
    assert result["ruleId"] == "official-authorisation" and result["level"] == "warning"
    assert "HT-9" in result["suppressions"][0]["justification"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "news.txt" and location["region"]["startLine"] == 1


# --- GitHub annotations -----------------------------------------------------------------


def test_github_annotations():
    lines = render_github(sample()).splitlines()
    assert lines[0].startswith("::warning title=postcheck%3A policy weakened::spelling is disabled")
    error = next(line for line in lines if "title=pupil-full-name" in line)
    assert error.startswith(
        "::error file=posts/sports day.txt,line=3,title=pupil-full-name (clauses 2.4%2C 2.5)::"
    )
    docx = next(line for line in lines if "title=personal-data" in line)
    assert "line=" not in docx.split("::")[1] and "(line 7 of the document's text)" in docx
    face = next(line for line in lines if "title=face-unknown" in line)
    assert face.startswith("::warning file=posts/sports day.jpg,title=")
    waived = next(line for line in lines if "title=logo" in line)
    assert waived.startswith("::notice ") and "waived by the approval HT-2026-114" in waived
    assert any(line.startswith("::warning file=stdin,line=1,") for line in lines)
    assert lines[-1] == "postcheck: block (3 posts: 1 block, 1 warn, 1 pass)"


def test_github_annotation_values_cannot_start_a_command():
    report = sample()
    evil = Finding(
        "spelling",
        "bad\n::set-output name=x::y 100%",
        "posts/a,b:c.txt",
        line=1,
        severity=Severity.WARN,
    )
    post = PostResult("evil\n::error::x", Severity.WARN, (InputSummary("posts/a,b:c.txt", "text"),), (evil,))
    text = render_github(dataclasses.replace(report, posts=(post,), weakened=()))
    for line in text.splitlines():
        assert line.startswith(("::warning ", "postcheck: "))
    assert "file=posts/a%2Cb%3Ac.txt" in text and "bad%0A::set-output name=x::y 100%25" in text


def test_github_format_through_the_cli(cli, quiet_school, tmp_path):
    d = Path.cwd() / "posts" / "official" / "fair.txt"
    d.parent.mkdir(parents=True)
    d.write_text("The fair is on Friday.\n")
    res = cli(d, "--config", quiet_school.config, "--format", "github")
    assert res.exit_code == 1
    (annotation,) = [line for line in res.stdout.splitlines() if line.startswith("::warning file=")]
    assert annotation.startswith("::warning file=posts/official/fair.txt,line=1,title=official-authorisation")
    assert "official channel" in annotation


# --- JUnit ------------------------------------------------------------------------------


@pytest.mark.parametrize(("fail_on", "failures"), [("warn", 5), ("block", 2), ("never", 0)])
def test_junit_validates_and_fails_at_the_fail_on_level(fail_on, failures):
    xml = render_junit(sample(), fail_on)
    suites = validate_junit(xml)
    (suite,) = list(suites)
    cases = {c.name: c for c in suite}
    assert set(cases) == {"sports day", "stdin", "clean"}
    assert cases["sports day"].classname == "postcheck.official"
    assert cases["stdin"].classname == "postcheck.personal"
    counted = [r for c in suite for r in c.result if isinstance(r, junitparser.Failure)]
    assert len(counted) == failures
    assert all(r.type for r in counted)
    out = cases["sports day"].system_out or ""
    assert "waived logo" in out and "input: posts/letter.docx" in out
    if fail_on == "block":
        assert "warn face-unknown" in out  # not a failure, still reported
    assert cases["clean"].is_passed
    props = {p.name: p.value for p in suite.properties()}
    assert props["policy"] == "enquire" and props["fail-on"] == fail_on and props["weakened"]


def test_junit_strips_what_xml_cannot_hold():
    report = sample()
    odd = Finding("spelling", "ctrl \x01\x1b[31m here \ufffe", "a.txt", line=1, severity=Severity.WARN)
    post = PostResult("odd\x02", Severity.WARN, (InputSummary("a.txt", "text"),), (odd,))
    suites = validate_junit(render_junit(dataclasses.replace(report, posts=(post,))))
    (case,) = list(next(iter(suites)))
    assert case.name == "odd"
    assert "ctrl  here" in case.result[0].message


def test_junit_through_the_cli_from_the_output_extension(cli, quiet_school, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "ok.txt").write_text("A lovely day.\n")
    (batch / "empty.txt").write_text("")
    out = tmp_path / "results.xml"
    res = cli(batch, "--config", quiet_school.config, "-o", out)
    assert res.exit_code == 2
    (suite,) = list(validate_junit(out.read_text(encoding="utf-8")))
    assert {c.name: c.is_passed for c in suite} == {"empty": False, "ok": True}


# --- choosing the format, standard output, several outputs ------------------------------


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("report.json", lambda t: json.loads(t)["schema"] == 1),
        ("report.sarif", lambda t: json.loads(t)["version"] == "2.1.0"),
        ("report.sarif.json", lambda t: json.loads(t)["version"] == "2.1.0"),
        ("report.xml", lambda t: t.startswith("<?xml") and "<testsuites" in t),
        ("report.html", lambda t: t.startswith("<!DOCTYPE html>")),
        ("report.txt", lambda t: "PASS: no problems found" in t and "╭" in t),
    ],
)
def test_output_format_is_inferred_from_the_extension(cli, quiet_school, tmp_path, name, check):
    d = tmp_path / "a.txt"
    d.write_text("A lovely day.\n")
    out = tmp_path / name
    res = cli(d, "--config", quiet_school.config, "--output", out)
    assert res.exit_code == 0, res.output
    assert check(out.read_text(encoding="utf-8"))


def test_unknown_output_extension_is_a_usage_error(cli, quiet_school, tmp_path):
    d = tmp_path / "a.txt"
    d.write_text("A lovely day.\n")
    res = cli(d, "--config", quiet_school.config, "--output", tmp_path / "report.pdf")
    assert res.exit_code == 64 and "--format" in res.stderr
    assert not (tmp_path / "report.pdf").exists()
    res = cli(d, "--config", quiet_school.config, "--output", tmp_path / "report.pdf", "-f", "json")
    assert res.exit_code == 0 and json.loads((tmp_path / "report.pdf").read_text())["schema"] == 1


def test_dash_output_is_standard_output(cli, quiet_school, tmp_path):
    d = tmp_path / "a.txt"
    d.write_text("A lovely day.\n")
    res = cli(d, "--config", quiet_school.config, "-o", "-", "-f", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["verdict"] == "pass"
    res = cli(d, "--config", quiet_school.config, "-o", "-")
    assert res.exit_code == 0 and "PASS: no problems found" in res.stdout
    assert not (Path.cwd() / "-").exists()


def test_also_output_writes_more_formats_from_one_run(cli, quiet_school, tmp_path):
    d = Path.cwd() / "a.txt"
    d.write_text("channel: official\nThe fair is on Friday.\n")
    sarif, xml = tmp_path / "out.sarif", tmp_path / "out.xml"
    res = cli(
        d, "--config", quiet_school.config, "-f", "github", "--also-output", sarif, "--also-output", xml
    )
    assert res.exit_code == 1
    annotations = [line for line in res.stdout.splitlines() if line.startswith("::warning file=")]
    assert annotations[0].startswith("::warning file=a.txt,line=1,title=official-authorisation")
    validate_sarif(json.loads(sarif.read_text()))
    validate_junit(xml.read_text())
    again = cli(d, "--config", quiet_school.config, "--also-output", sarif)
    assert again.exit_code == 64 and "already exists" in again.stderr


def test_schemas_are_the_shipped_copies():
    assert SARIF_SCHEMA["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    assert os.path.getsize(SCHEMAS / "junit-10.xsd") > 1000
    assert (SCHEMAS / "README.md").is_file()
