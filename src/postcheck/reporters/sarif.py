"""SARIF 2.1.0, for code-scanning tools (GitHub code scanning, Azure DevOps...).

* One ``rule`` per postcheck rule, with its help text and the pack's clauses.
* Block findings are ``error``, warn findings ``warning``; findings waived by
  ``--approval`` are kept, with a ``suppressions`` entry naming the approval.
* Every result has a relative ``artifactLocation.uri`` (``uriBaseId``
  ``SRCROOT``: the folder postcheck ran in; standard input is ``stdin``) and a
  ``region`` with a ``startLine``. Lines and character offsets are the file's
  own for ``.txt`` and ``.md`` drafts; for a ``.docx``, an ``.html`` page or a
  photo the region is line 1 and the place in the extracted text (``textLine``,
  ``textSpan``) or the photo (``box``) is in the result's ``properties``.
* Rules the config's ``[rules]`` weakens, and rules the pack does not list, are
  ``toolConfigurationNotifications`` of the invocation and run properties.
* Only a finding's ``message`` is written: never its ``detail`` or ``label``
  (pupils' names from the register); pupils appear as register ids.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from postcheck import catalogue
from postcheck.model import Finding, PostResult, Report, Severity
from postcheck.reporters.locations import finding_file, is_plain_text, uri

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
BASE_ID = "SRCROOT"


def _rules(policy: Any) -> list[dict[str, Any]]:
    rules = []
    for name, info in catalogue.rules().items():
        props: dict[str, Any] = {"family": info.family}
        if policy is not None:
            entry = policy.rule(name)
            props["clauses"] = list(entry.clauses)
            props["severity"] = {ch: (s.label if s else "off") for ch, s in entry.severity.items()}
            props["approvable"] = entry.approvable
        rules.append(
            {
                "id": name,
                "name": name,
                "shortDescription": {"text": info.title},
                "help": {"text": info.doc},
                "properties": props,
            }
        )
    return rules


def _region(f: Finding, post: PostResult) -> tuple[dict[str, Any], dict[str, Any]]:
    """The SARIF region, and properties for places SARIF cannot express."""
    extra: dict[str, Any] = {}
    if is_plain_text(f, post):
        region: dict[str, Any] = {"startLine": f.line or 1}
        if f.span is not None:
            region["charOffset"] = f.span[0]
            region["charLength"] = f.span[1] - f.span[0]
        return region, extra
    if f.line is not None:
        extra["textLine"] = f.line
    if f.span is not None:
        extra["textSpan"] = list(f.span)
    return {"startLine": 1}, extra


def _result(f: Finding, post: PostResult, index: dict[str, int], report: Report, base: Path | None) -> Any:
    region, extra = _region(f, post)
    location = {
        "physicalLocation": {
            "artifactLocation": {"uri": uri(finding_file(f, post), base), "uriBaseId": BASE_ID},
            "region": region,
        }
    }
    props: dict[str, Any] = {
        "post": post.name,
        "channel": post.channel or report.channel,
        "clauses": list(f.clauses),
        **extra,
    }
    if f.box is not None:
        props["box"] = list(f.box)
    if f.source is not None:
        props["source"] = f.source
    if f.person is not None:
        props["person"] = f.person
    clause_text = f" (clauses {', '.join(f.clauses)})" if f.clauses else ""
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index.get(f.rule, -1),
        "level": "error" if f.severity == Severity.BLOCK else "warning",
        "message": {"text": f.message + clause_text},
        "locations": [location],
        "properties": props,
    }
    if f.fingerprint:
        result["partialFingerprints"] = {"postcheck/v1": f.fingerprint}
    suppression = _suppression(f, report)
    if suppression is not None:
        result["suppressions"] = [suppression]
    elif f.waiver is not None and f.waiver.expired:
        props["waiverExpired"] = f.waiver.expires.isoformat()
    return result


def _suppression(f: Finding, report: Report) -> dict[str, Any] | None:
    """A waived finding's SARIF suppression: the waiver's reason, approver and expiry,
    or the approval reference of ``--approval``."""
    if not f.approved:
        return None
    w = f.waiver
    if w is not None and not w.expired:
        props = {"approvedBy": w.approved_by, "expires": w.expires.isoformat()}
        if w.approval:
            props["approval"] = w.approval
        return {"kind": "external", "status": "accepted", "justification": w.reason, "properties": props}
    return {
        "kind": "external",
        "status": "accepted",
        "justification": f"waived by the approval {report.approval}",
    }


def _notifications(report: Report) -> list[dict[str, Any]]:
    out = [
        {"level": "warning", "message": {"text": line}, "descriptor": {"id": "weakened-policy"}}
        for line in report.weakened
    ]
    if report.missing:
        out.append(
            {
                "level": "note",
                "message": {
                    "text": f"The {report.policy_id} pack does not list {', '.join(report.missing)}: "
                    "postcheck's default severities apply to them, with no clauses."
                },
                "descriptor": {"id": "rules-not-in-pack"},
            }
        )
    return out


def sarif_dict(report: Report, policy: Any = None, base: Path | None = None) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log; paths relative to ``base`` (default: cwd)."""
    rules = _rules(policy)
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = [_result(f, post, index, report, base) for post in report.posts for f in post.findings]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "postcheck", "version": report.version, "rules": rules}},
                "originalUriBaseIds": {
                    BASE_ID: {"description": {"text": "The folder postcheck was run in."}}
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolConfigurationNotifications": _notifications(report),
                    }
                ],
                "properties": {
                    "policy": {"id": report.policy_id, "name": report.policy_name},
                    "channel": report.channel,
                    "approval": report.approval,
                    "verdict": report.verdict.label,
                    "weakened": list(report.weakened),
                    "missing": list(report.missing),
                    "posts": [
                        {"name": p.name, "channel": p.channel or report.channel, "verdict": p.verdict.label}
                        for p in report.posts
                    ],
                },
                "results": results,
            }
        ],
    }


def render_sarif(report: Report, policy: Any = None, base: Path | None = None) -> str:
    return json.dumps(sarif_dict(report, policy, base), indent=2, ensure_ascii=False) + "\n"
