"""The terminal report: a verdict banner, then a table of findings per post.

Respects ``NO_COLOR`` and plain (non-TTY) output through rich's own detection.
``--quiet`` prints one line per post. Pupils' names may appear here (the
reader is the member of staff at the keyboard), never in JSON or SARIF.
"""

from __future__ import annotations

import io
from typing import Any

from postcheck.model import Finding, PostResult, Report, Severity
from postcheck.waivers import describe as describe_waiver

STYLE = {
    Severity.BLOCK: "bold white on red",
    Severity.WARN: "bold black on yellow",
    Severity.PASS: "bold white on green",
}
COLOUR = {Severity.BLOCK: "red", Severity.WARN: "yellow", Severity.PASS: "green"}
HEADLINE = {
    Severity.BLOCK: "BLOCK: must not be posted as it is",
    Severity.WARN: "WARN: a person must look before posting",
    Severity.PASS: "PASS: no problems found",
}


def _where(f: Finding) -> str:
    parts = [f.input]
    if f.source and f.source not in f.input:
        parts.append(f.source)
    if f.line is not None:
        parts[0] = f"{f.input}:{f.line}"
    if f.box is not None:
        top, right, bottom, left = f.box
        parts.append(f"box x{left}-{right} y{top}-{bottom}")
    return "\n".join(parts)


def _message(f: Finding) -> str:
    text = f.message
    if f.label and f.label not in text:
        text = f"{text} ({f.label})"
    if f.evidence and f.evidence not in text and f.rule not in ("face-no-consent", "face-unknown"):
        text = f"{text}\n“{f.evidence}”"
    waived = describe_waiver(f)  # approval workflows: who waived it, why, until when (or expired)
    return f"{text}\n{waived}" if waived else text


def _post_table(post: PostResult) -> Any:
    from rich.table import Table

    table = Table(show_lines=False, expand=True, header_style="bold", pad_edge=False)
    table.add_column("", width=6, no_wrap=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("clauses", no_wrap=True)
    table.add_column("message", ratio=3)
    table.add_column("where", ratio=1, overflow="fold")
    for f in post.findings:
        sev = f.severity or Severity.WARN
        label = "waived" if f.approved else sev.label
        style = "dim" if f.approved else COLOUR[sev]
        table.add_row(
            f"[{style}]{label}[/]",
            f.rule,
            ", ".join(f.clauses) or "-",
            _message(f),
            _where(f),
            style="dim" if f.approved else None,
        )
    return table


def _banner(verdict: Severity, title: str) -> Any:
    from rich.panel import Panel
    from rich.text import Text

    return Panel(Text(HEADLINE[verdict], style=STYLE[verdict], justify="center"), title=title, expand=True)


def write_report(report: Report, console: Any, quiet: bool = False) -> None:
    from rich.table import Table

    if quiet:
        for post in report.posts:
            n = sum(1 for f in post.findings if not f.approved)
            rules = sorted({f.rule for f in post.findings if not f.approved})
            detail = f"{n} finding{'s' if n != 1 else ''}" + (f": {', '.join(rules)}" if rules else "")
            console.print(
                f"[{COLOUR[post.verdict]}]{post.verdict.label.upper():5}[/] {post.name}  ({detail})",
                soft_wrap=True,
            )
        return
    approval = f" · approval {report.approval}" if report.approval else ""
    subtitle = f"{report.policy_name} · {report.channel} channel{approval}"
    for post in report.posts:
        title = f"{post.name} · {subtitle}"
        console.print(_banner(post.verdict, title))
        if post.findings:
            console.print(_post_table(post))
        for i in post.inputs:
            if i.kind == "image" and i.faces is not None:
                console.print(f"  {i.path}: {i.faces} face{'s' if i.faces != 1 else ''} found", style="dim")
        for note in post.notes:
            console.print(f"  note: {note}", style="dim", soft_wrap=True)
        console.print()
    if len(report.posts) > 1:
        summary = Table(title="Summary", show_header=True, header_style="bold")
        summary.add_column("verdict")
        summary.add_column("posts", justify="right")
        summary.add_column("names")
        for sev in (Severity.BLOCK, Severity.WARN, Severity.PASS):
            names = [p.name for p in report.posts if p.verdict == sev]
            summary.add_row(f"[{COLOUR[sev]}]{sev.label}[/]", str(len(names)), ", ".join(names))
        console.print(summary)
        console.print(_banner(report.verdict, f"{len(report.posts)} posts · {subtitle}"))


def print_report(report: Report, quiet: bool = False) -> None:
    from rich.console import Console

    write_report(report, Console(highlight=False), quiet)


def render_text(report: Report) -> str:
    """The terminal report as plain text, for ``--output report.txt``."""
    from rich.console import Console

    buf = io.StringIO()
    write_report(report, Console(file=buf, width=110, no_color=True, highlight=False, force_terminal=False))
    return buf.getvalue()
