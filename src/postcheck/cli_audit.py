"""``postcheck audit list|export|verify``: read and check the audit trail (:mod:`postcheck.audit`)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

audit_app = typer.Typer(
    name="audit",
    help="The audit trail of checks, fixes, verifications, waivers and register changes.\n\n"
    "Example: postcheck audit list --since 2026-09-01 --verdict block",
    no_args_is_help=True,
)

EXIT_BROKEN = 2


class VerdictChoice(StrEnum):
    pass_ = "pass"
    warn = "warn"
    block = "block"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


SinceOpt = Annotated[
    str | None, typer.Option("--since", help="Only records from this date on (YYYY-MM-DD, UTC).")
]
VerdictOpt = Annotated[VerdictChoice | None, typer.Option("--verdict", help="Only runs with this verdict.")]
CSV_COLUMNS = (
    "seq",
    "time",
    "command",
    "verdict",
    "user",
    "host",
    "postcheck",
    "policy",
    "policy_sha256",
    "config_sha256",
    "channel",
    "approval",
    "exit",
    "receipts",
    "rules",
    "inputs",
    "data",
    "prev",
    "hash",
)


def _selected(since: str | None, verdict: VerdictChoice | None) -> list[Any]:
    from postcheck import audit
    from postcheck.errors import ConfigError, UsageError

    start = None
    if since is not None:
        try:
            start = dt.date.fromisoformat(since).isoformat()
        except ValueError as exc:
            raise UsageError(f"--since {since}: expected a date, YYYY-MM-DD") from exc
    try:
        rows = audit.records()
    except audit.AuditError as exc:
        raise ConfigError(str(exc)) from exc
    return [
        r
        for r in rows
        if (start is None or r.time >= start) and (verdict is None or r.verdict == verdict.value)
    ]


def _posts(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A record's posts; a fix record's posts count before and after."""
    out = []
    for post in data.get("posts") or []:
        if "before" in post:
            out += [x for x in (post.get("before"), post.get("after")) if x]
        else:
            out.append(post)
    return out


def _summary(data: dict[str, Any]) -> dict[str, str]:
    posts = _posts(data)
    receipts = [p.get("receipt") for p in posts if p.get("receipt")]
    if data.get("receipt"):
        receipts.append(data["receipt"])
    rules = sorted({r for p in posts for r in p.get("rules", [])})
    inputs = [h for p in posts for h in p.get("inputs", []) if h] + [h for h in data.get("inputs", []) if h]
    return {"receipts": " ".join(receipts), "rules": " ".join(rules), "inputs": " ".join(inputs)}


@audit_app.command("list")
def audit_list(since: SinceOpt = None, verdict: VerdictOpt = None) -> None:
    """List the audit trail's records: time, command, who, verdict, rules found, receipts.

    Example: postcheck audit list --since 2026-09-01 --verdict block
    """
    from rich.console import Console
    from rich.table import Table

    rows = _selected(since, verdict)
    if not rows:
        typer.echo("No audit records" + (" match" if since or verdict else " yet") + ".")
        return
    table = Table(header_style="bold", show_lines=False)
    for col in ("#", "time (UTC)", "command", "user@host", "verdict", "rules", "receipts"):
        table.add_column(col, overflow="fold")
    for r in rows:
        data = r.fields
        s = _summary(data)
        table.add_row(
            str(r.seq),
            r.time,
            r.command,
            f"{data.get('user')}@{data.get('host')}",
            r.verdict or "-",
            s["rules"] or "-",
            s["receipts"] or "-",
        )
    Console(highlight=False).print(table)


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # a spreadsheet would run a cell that starts like a formula (CSV injection)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_row(r: Any) -> list[str]:
    data = r.fields
    policy = data.get("policy") or {}
    values = {
        "seq": r.seq,
        "time": r.time,
        "command": r.command,
        "verdict": r.verdict,
        "user": data.get("user"),
        "host": data.get("host"),
        "postcheck": data.get("postcheck"),
        "policy": policy.get("id"),
        "policy_sha256": policy.get("sha256"),
        "config_sha256": data.get("config"),
        "channel": data.get("channel"),
        "approval": data.get("approval"),
        "exit": data.get("exit"),
        **_summary(data),
        "data": r.data,
        "prev": r.prev,
        "hash": r.hash,
    }
    return [_csv_cell(values[c]) for c in CSV_COLUMNS]


def render_export(rows: list[Any], fmt: str) -> str:
    if fmt == "json":
        out = [
            {
                "seq": r.seq,
                "time": r.time,
                "command": r.command,
                "verdict": r.verdict,
                "data": r.fields,
                "prev": r.prev,
                "hash": r.hash,
            }
            for r in rows
        ]
        return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(r) for r in rows)
    return buf.getvalue()


@audit_app.command("export")
def audit_export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv or json.")] = ExportFormat.json,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file.")] = False,
    since: SinceOpt = None,
    verdict: VerdictOpt = None,
) -> None:
    """Export the audit trail as CSV or JSON (every field, with each record's hashes).

    Example: postcheck audit export --format csv --output audit-2026.csv
    """
    from postcheck.errors import UsageError

    if output is not None and output.exists() and not force:
        raise UsageError(f"{output}: already exists; use --force to overwrite it")
    text = render_export(_selected(since, verdict), fmt.value)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{output}: cannot write: {exc.strerror}") from exc


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit trail's hash chain: exit 0 when intact, 2 with the first broken record.

    Example: postcheck audit verify
    """
    from postcheck import audit

    path = audit.db_path()
    try:
        result = audit.verify_chain(path)
    except audit.AuditError as exc:
        typer.echo(f"postcheck: audit trail broken: {exc}", err=True)
        raise typer.Exit(EXIT_BROKEN) from None
    if result.intact:
        typer.echo(f"audit trail intact: {result.count} record(s) in {path}")
        return
    typer.echo(f"postcheck: audit trail broken at record {result.broken_at}: {result.reason}", err=True)
    raise typer.Exit(EXIT_BROKEN)
