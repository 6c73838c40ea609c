"""What each command writes to the audit trail (:mod:`postcheck.audit`).

Every record has: postcheck version, OS user, host, the command (the column),
and the command's facts. Facts are hashes (inputs, config, register, pack,
receipt file), ids (receipts, findings, rules), verdicts, counts and exit codes:
never a file name, a message, a pupil's name or face data.
"""

from __future__ import annotations

from typing import Any

from postcheck import __version__
from postcheck.errors import ConfigError
from postcheck.model import PostResult, Report
from postcheck.provenance import config_facts, host, os_user, policy_facts


def record(command: str, verdict: str | None, facts: dict[str, Any], config: Any) -> int | None:
    """Append a record unless ``[audit] enabled = false``; returns its number.

    A record that cannot be written stops the run with exit 78: a run that
    should be on the audit trail and is not must not look like a success."""
    from postcheck import audit

    if not audit.enabled(config):
        if command != "check":  # a check's report says so itself
            import sys

            print(
                "postcheck: audit trail off ([audit] enabled = false): this run is not recorded",
                file=sys.stderr,
            )
        return None
    data = {"postcheck": __version__, "user": os_user(), "host": host(), **facts}
    try:
        return audit.append(command, verdict, data)
    except audit.AuditError as exc:
        raise ConfigError(
            str(exc), "fix the folder's permissions, or set [audit] enabled = false in postcheck.toml"
        ) from exc


def session_facts(session: Any) -> dict[str, Any]:
    return {
        "channel": session.channel,
        "approval": session.approval,
        "policy": policy_facts(session.policy),
        **config_facts(session.config),
    }


def post_facts(post: PostResult, receipt: str | None = None) -> dict[str, Any]:
    return {
        "inputs": [i.sha256 for i in post.inputs],
        "verdict": post.verdict.label,
        "rules": sorted({f.rule for f in post.findings if not f.approved}),
        "waived": sorted(f.fingerprint or f.rule for f in post.findings if f.approved),
        "receipt": receipt,
    }


def record_check(report: Report, session: Any, receipts: dict[str, str], exit_code: int) -> int | None:
    facts = {
        **session_facts(session),
        "posts": [post_facts(p, receipts.get(p.name)) for p in report.posts],
        "exit": exit_code,
    }
    return record("check", report.verdict.label, facts, session.config)


def record_fix(run: Any, session: Any, exit_code: int) -> int | None:
    posts = [
        {
            "before": post_facts(pf.before),
            "after": post_facts(pf.after) if pf.after is not None else None,
            "verdict": pf.verdict.label,
        }
        for pf in run.posts
    ]
    facts = {**session_facts(session), "posts": posts, "exit": exit_code}
    return record("fix", run.verdict.label, facts, session.config)


def record_verify(
    verification: Any, receipt_sha256: str, inputs: list[str], exit_code: int, config: Any
) -> int | None:
    payload = verification.receipt if verification.trusted else None
    facts = {
        "receipt": payload.get("id") if payload else None,
        "receipt_sha256": receipt_sha256,
        "inputs": inputs,
        "failures": sorted({f.code for f in verification.failures}),
        "exit": exit_code,
    }
    verdict = payload.get("verdict") if payload else None
    return record("verify", verdict if isinstance(verdict, str) else None, facts, config)


def record_register(command: str, config: Any, counts: dict[str, int] | None = None) -> int | None:
    facts = {**config_facts(config), "counts": counts or {}, "exit": 0}
    return record(f"register {command}", None, facts, config)


def record_waive(fingerprint: str, expires: str, approval: str | None, config: Any) -> int | None:
    facts = {**config_facts(config), "waiver": fingerprint, "expires": expires, "approval": approval}
    return record("waive", None, facts, config)
