"""SARIF 2.1.0: one ``rule`` per postcheck rule (with its help text and clauses);
block findings are ``error``, warn findings ``warning``."""

from __future__ import annotations

import json
from typing import Any

from postcheck import catalogue
from postcheck.model import Report, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render_sarif(report: Report, policy: Any = None) -> str:
    rules = []
    index: dict[str, int] = {}
    for i, (name, info) in enumerate(catalogue.rules().items()):
        index[name] = i
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
    results = []
    for post in report.posts:
        for f in post.findings:
            if f.approved:
                continue
            region: dict[str, Any] = {}
            if f.span is not None:
                region = {"charOffset": f.span[0], "charLength": f.span[1] - f.span[0]}
                if f.line is not None:
                    region["startLine"] = f.line
            location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": f.input}}}
            if region:
                location["physicalLocation"]["region"] = region
            props = {"post": post.name, "clauses": list(f.clauses)}
            if f.box is not None:
                props["box"] = list(f.box)
            if f.source is not None:
                props["source"] = f.source
            if f.person is not None:
                props["person"] = f.person
            clause_text = f" (clauses {', '.join(f.clauses)})" if f.clauses else ""
            results.append(
                {
                    "ruleId": f.rule,
                    "ruleIndex": index.get(f.rule, -1),
                    "level": "error" if f.severity == Severity.BLOCK else "warning",
                    "message": {"text": f.message + clause_text},
                    "locations": [location],
                    "properties": props,
                }
            )
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "postcheck",
                        "version": report.version,
                        "rules": rules,
                    }
                },
                "properties": {
                    "policy": {"id": report.policy_id, "name": report.policy_name},
                    "channel": report.channel,
                    "approval": report.approval,
                    "verdict": report.verdict.label,
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
