"""JUnit XML: ``--format junit``, for CI systems that show test results
(GitLab, Jenkins, Azure Pipelines, CircleCI...).

One ``testsuite`` (the run) with one ``testcase`` per post (``classname``
``postcheck.<channel>``). A post fails with one ``failure`` per finding at or
above ``--fail-on`` (``warn``, the default: block and warn findings; ``block``:
block findings; ``never``: none), so the test results fail exactly the posts
that make the exit code non-zero. The other findings, waived findings and
notes are in the test case's ``system-out``. No timestamps or host names are
written. Only a finding's ``message`` is written, never its ``detail`` or
``label``. The layout validates against the Jenkins xUnit plugin's JUnit
schema (``junit-10.xsd``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from postcheck.display import printable
from postcheck.model import Finding, PostResult, Report, Severity
from postcheck.reporters.locations import finding_file, relative_path

_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
THRESHOLD = {"warn": Severity.WARN, "block": Severity.BLOCK}


def _x(value: str) -> str:
    """Text that XML 1.0 can hold."""
    return _NOT_XML.sub("", printable(value))


def fails(f: Finding, fail_on: str) -> bool:
    threshold = THRESHOLD.get(fail_on)
    return threshold is not None and not f.approved and (f.severity or Severity.WARN) >= threshold


def _summary(f: Finding, post: PostResult, base: Path | None) -> str:
    where = relative_path(finding_file(f, post), base)
    if f.line is not None:
        where += f":{f.line}"
    if f.source and f.source not in f.input:
        where += f" ({f.source})"
    clauses = f" (clauses {', '.join(f.clauses)})" if f.clauses else ""
    sev = "waived" if f.approved else (f.severity or Severity.WARN).label
    return f"{sev} {f.rule}{clauses}: {where}: {f.message}"


def _case(post: PostResult, report: Report, fail_on: str, base: Path | None) -> tuple[ET.Element, bool]:
    channel = post.channel or report.channel
    case = ET.Element("testcase", name=_x(post.name), classname=f"postcheck.{channel}")
    failed = False
    out = [f"verdict: {post.verdict.label}", f"channel: {channel}"]
    out += [f"input: {relative_path(i.path, base)}" for i in post.inputs]
    for f in post.findings:
        text = _summary(f, post, base)
        if fails(f, fail_on):
            failed = True
            failure = ET.SubElement(case, "failure", type=f.rule, message=_x(text))
            failure.text = _x(text)
        else:
            out.append(text)
    out += [f"note: {n}" for n in post.notes]
    out += [f"policy weakened: {line}" for line in post.weakened]
    ET.SubElement(case, "system-out").text = _x("\n".join(out))
    return case, failed


def render_junit(report: Report, fail_on: str = "warn", base: Path | None = None) -> str:
    cases = [_case(p, report, fail_on, base) for p in report.posts]
    tests = str(len(cases))
    failures = str(sum(1 for _, failed in cases if failed))
    root = ET.Element("testsuites", name="postcheck", tests=tests, failures=failures, errors="0")
    suite = ET.SubElement(
        root,
        "testsuite",
        name=_x(f"postcheck: {report.policy_name}"),
        tests=tests,
        failures=failures,
        errors="0",
        skipped="0",
    )
    props = ET.SubElement(suite, "properties")
    facts = [
        ("postcheck", report.version),
        ("policy", report.policy_id),
        ("channel", report.channel),
        ("approval", report.approval or ""),
        ("verdict", report.verdict.label),
        ("fail-on", fail_on),
        *(("weakened", line) for line in report.weakened),
    ]
    for name, value in facts:
        ET.SubElement(props, "property", name=name, value=_x(value))
    for case, _ in cases:
        suite.append(case)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
