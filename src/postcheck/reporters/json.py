"""The JSON report, schema 1 (DESIGN §2).

Keys are always present (null when not applicable). Pupils appear by register
id only, never by name; there are no timestamps, so reports can be compared.
Each finding's ``id`` is its fingerprint (the key ``postcheck waive`` takes);
``waiver`` says who waived it, why and until when, or that its waiver expired.
"""

from __future__ import annotations

import json
from typing import Any

from postcheck.model import Finding, PostResult, Report, Waiver

SCHEMA = 1


def waiver_dict(f: Finding) -> dict[str, Any] | None:
    """What waived a finding (``by``: a waiver, or ``--approval``), or its expired waiver."""
    w: Waiver | None = f.waiver
    if w is None and not f.approved:
        return None
    by_waiver = w is not None and not w.expired
    return {
        "by": "waiver" if by_waiver else ("approval" if f.approved else None),
        "reason": w.reason if w else None,
        "approved_by": w.approved_by if w else None,
        "expires": w.expires.isoformat() if w else None,
        "approval": w.approval if w else None,
        "expired": bool(w and w.expired),
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "id": f.fingerprint,
        "rule": f.rule,
        "severity": f.severity.label if f.severity is not None else None,
        "clauses": list(f.clauses),
        "message": f.message,
        "input": f.input,
        "span": list(f.span) if f.span else None,
        "box": list(f.box) if f.box else None,
        "evidence": f.evidence,
        "fixable": f.fixable,
        "source": f.source,
        "person": f.person,
        "distance": round(f.distance, 3) if f.distance is not None else None,
        "line": f.line,
        "waiver": waiver_dict(f),
    }


def post_dict(post: PostResult) -> dict[str, Any]:
    inputs = []
    for i in post.inputs:
        entry: dict[str, Any] = {"path": i.path, "kind": i.kind}
        if i.kind == "image":
            entry["faces"] = i.faces
        inputs.append(entry)
    return {
        "name": post.name,
        "channel": post.channel,
        "verdict": post.verdict.label,
        "inputs": inputs,
        "findings": [finding_dict(f) for f in post.findings if not f.approved],
        "waived": [finding_dict(f) for f in post.findings if f.approved],
        "notes": list(post.notes),
    }


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "postcheck": report.version,
        "policy": {"id": report.policy_id, "name": report.policy_name},
        "channel": report.channel,
        "approval": report.approval,
        "verdict": report.verdict.label,
        "counts": report.counts,
        "weakened": list(report.weakened),
        "rules_not_in_pack": list(report.missing),
        "posts": [post_dict(p) for p in report.posts],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
