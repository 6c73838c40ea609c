"""The terminal report, for the person at the keyboard.

Per post: a banner with the verdict, the post's channel and the approval
reference, then its findings. Below 120 columns each finding is a short block
(severity, rule and clause numbers on one line; the message wrapped to the
width; the location ``file:line`` on a line of its own, never broken inside a
path); from 120 columns, when every location fits whole beside a readable
message column, a table (decided once per run). Notes that several
posts share are printed once, at the end; clause text is left to ``postcheck
explain`` and the HTML report.

This is the one report that may name pupils: a finding's ``detail`` (the
register's name and why consent forbids it) and ``label`` are shown here and
nowhere else. Every piece of user text (drafts' words, file names, register
values, notes) is printed as plain text, never as rich markup, with terminal
control sequences removed (:func:`postcheck.display.printable`). Respects
``NO_COLOR`` and plain (non-TTY) output through rich's own detection.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable
from typing import Any

from postcheck.display import printable
from postcheck.model import Finding, PostResult, Report, Severity
from postcheck.reporters.locations import finding_file, is_plain_text
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
TABLE_WIDTH = 120  # from this width, findings may be a table (see use_table)
MESSAGE_WIDTH = 40  # the narrowest message column a table may have
FILE_WIDTH = 100  # --output report.txt
INDENT = 2
NO_EVIDENCE = ("face-no-consent", "face-unknown")


def _text(value: str, style: str = "") -> Any:
    from rich.text import Text

    return Text(printable(value), style=style)


def _indented(console: Any, text: Any, indent: int = INDENT, first: str = "") -> None:
    """Print ``text`` wrapped to the console's width, every line indented by
    ``indent`` spaces (the first line starting with ``first`` instead)."""
    from rich.text import Text

    lead = first or " " * indent
    for n, line in enumerate(text.wrap(console, max(20, console.width - max(indent, len(lead))))):
        line.rstrip()
        console.print(Text(lead if n == 0 else " " * max(indent, len(lead))) + line, soft_wrap=True)


def where(f: Finding, post: PostResult) -> str:
    """A finding's location on one line: ``file:line`` (``file, text line N`` for a
    .docx or .html draft, whose lines are those of its text), the part of a
    photo, its box."""
    path = finding_file(f, post)  # a finding about the whole post: its first file
    if f.line is None:
        parts = [path]
    elif is_plain_text(f, post):
        parts = [f"{path}:{f.line}"]
    else:
        parts = [f"{path}, text line {f.line}"]
    if f.source and f.source not in f.input:
        parts.append(f.source)
    if f.box is not None:
        top, right, bottom, left = f.box
        parts.append(f"box x{left}-{right} y{top}-{bottom}")
    return printable(" · ".join(parts))


def _label(f: Finding) -> str:
    if f.approved:
        return "waived"
    return (f.severity or Severity.WARN).label.upper()


def _style(f: Finding) -> str:
    return "dim" if f.approved else STYLE[f.severity or Severity.WARN]


def _explanation(f: Finding, approval: str | None) -> Any:
    """Message, detail (terminal only), evidence and waiver, as one wrapped text."""
    from rich.text import Text

    text = Text()
    message = f.message
    if f.label and not f.detail and f.label not in message:
        message = f"{message} ({f.label})"
    text.append(printable(message))
    if f.detail:
        text.append("\n" + printable(f.detail), style="bold")
    if f.evidence and f.evidence not in f.message and f.rule not in NO_EVIDENCE:
        text.append("\n“" + printable(f.evidence) + "”", style="italic")
    waived = describe_waiver(f, approval)  # approval workflows: who waived it, why, until when
    if waived:
        text.append("\n" + printable(waived), style="dim")
    elif f.approved:
        text.append(f"\nwaived by approval {printable(approval or '')}".rstrip(), style="dim")
    return text


def _heading(f: Finding) -> Any:
    from rich.text import Text

    heading = Text()
    heading.append(f" {_label(f)} ", style=_style(f))
    heading.append("  ")
    heading.append(printable(f.rule), style="bold" if not f.approved else "dim")
    if f.clauses:
        heading.append("  clauses " + printable(", ".join(f.clauses)), style="dim")
    return heading


def _blocks(post: PostResult, console: Any, approval: str | None) -> None:
    for i, f in enumerate(post.findings):
        if i:
            console.print()
        console.print(_heading(f), soft_wrap=True)
        _indented(console, _explanation(f, approval))
        # the location is never wrapped: a long path runs on rather than breaking
        style = "dim" if f.approved else "cyan"
        console.print(_text(" " * INDENT + where(f, post), style), soft_wrap=True)


def use_table(report: Report, width: int) -> bool:
    """Whether the findings are tables: from ``TABLE_WIDTH`` columns, when every
    location of the run fits whole and the message column keeps ``MESSAGE_WIDTH``
    (decided once per run, so that every post reads the same way)."""
    findings = [(f, post) for post in report.posts for f in post.findings]
    if width < TABLE_WIDTH or not findings:
        return False
    widest = max(len(where(f, post)) for f, post in findings)
    rule = max(len(f.rule) for f, _ in findings)
    clauses = max(len(", ".join(f.clauses) or "-") for f, _ in findings)
    # 7 for the severity, 16 for the table's borders and padding
    return width - (7 + rule + max(clauses, 7) + widest + 16) >= MESSAGE_WIDTH


def _table(post: PostResult, console: Any, approval: str | None) -> None:
    from rich.table import Table

    widest = max(len(where(f, post)) for f in post.findings)
    table = Table(expand=True, header_style="bold", show_lines=True)
    table.add_column("", no_wrap=True, width=7)
    table.add_column("rule", no_wrap=True)
    table.add_column("clauses", no_wrap=True)
    table.add_column("message", ratio=1, min_width=MESSAGE_WIDTH)
    table.add_column("where", no_wrap=True, min_width=widest)
    for f in post.findings:
        table.add_row(
            _text(_label(f), _style(f)),
            _text(f.rule),
            _text(", ".join(f.clauses) or "-"),
            _explanation(f, approval),
            _text(where(f, post), "cyan"),
            style="dim" if f.approved else None,
        )
    console.print(table)


def _banner(post: PostResult, report: Report) -> Any:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    channel = post.channel or report.channel
    facts = [f"{channel} channel"]
    if report.approval:
        facts.append(f"approval {report.approval}")
    elif channel == "official":
        facts.append("no approval reference")
    lines: list[Any] = [
        Text(HEADLINE[post.verdict], style=STYLE[post.verdict], justify="center"),
        Text(printable(" · ".join(facts)), justify="center"),
    ]
    if post.weakened:
        lines.append(
            Text("policy weakened by the config's [rules] (see above)", style="yellow", justify="center")
        )
    return Panel(Group(*lines), title=_text(post.name, "bold"), expand=True)


def _run_header(report: Report, console: Any) -> None:
    console.print(_text(f"Policy: {report.policy_name} ({report.policy_id})", "bold"), soft_wrap=False)
    if report.weakened:
        console.print(_text("The config's [rules] weaken this policy:", "bold yellow"))
        for line in report.weakened:
            _indented(console, _text(line, "yellow"), first="  - ")
    if report.missing:
        missing = ", ".join(report.missing)
        console.print(
            _text(
                f"The {report.policy_id} pack does not list {missing}: postcheck's default severities "
                "apply to them, with no clauses.",
                "yellow",
            )
        )
    console.print()


def _shared_notes(report: Report) -> list[tuple[str, int]]:
    """Notes found in more than one post, with how many posts: printed once."""
    counts = Counter(n for p in report.posts for n in dict.fromkeys(p.notes))
    return [(n, c) for n, c in counts.items() if c > 1]


def _post(post: PostResult, report: Report, console: Any, shared: set[str], table: bool) -> None:
    console.print(_banner(post, report))
    if post.findings and table:
        _table(post, console, report.approval)
    elif post.findings:
        console.print()
        _blocks(post, console, report.approval)
    faces = [
        f"{i.path}: {i.faces} face{'s' if i.faces != 1 else ''} found"
        for i in post.inputs
        if i.kind == "image" and i.faces is not None
    ]
    notes = [f"note: {note}" for note in post.notes if note not in shared]
    if (faces or notes) and post.findings:
        console.print()
    for line in faces:
        console.print(_text(line, "dim"), soft_wrap=True)  # a path: never broken
    for line in notes:
        _indented(console, _text(line, "dim"), 0)
    console.print()


def _summary(report: Report, console: Any) -> None:
    from rich.table import Table

    console.print(_text("Summary", "bold"))
    summary = Table(show_header=True, header_style="bold", expand=False)
    summary.add_column("verdict", no_wrap=True)
    summary.add_column("posts", justify="right", no_wrap=True)
    summary.add_column("names")
    for sev in (Severity.BLOCK, Severity.WARN, Severity.PASS):
        names = [p.name for p in report.posts if p.verdict == sev]
        summary.add_row(_text(sev.label, COLOUR[sev]), str(len(names)), _text(", ".join(names)))
    console.print(summary)


def _final(report: Report, console: Any) -> None:
    from rich.panel import Panel
    from rich.text import Text

    channels = Counter(p.channel or report.channel for p in report.posts)
    facts = [f"{len(report.posts)} posts"]
    facts += [f"{n} {ch}" for ch, n in sorted(channels.items())]
    if report.approval:
        facts.append(f"approval {report.approval}")
    body = Text(HEADLINE[report.verdict], style=STYLE[report.verdict], justify="center")
    console.print(Panel(body, title=_text(" · ".join(facts)), expand=True))


def _quiet(report: Report, console: Any) -> None:
    from rich.text import Text

    for post in report.posts:
        counted = [f for f in post.findings if not f.approved]
        rules = sorted({f.rule for f in counted})
        detail = f"{len(counted)} finding{'s' if len(counted) != 1 else ''}"
        if rules:
            detail += ": " + ", ".join(rules)
        line = Text()
        line.append(f"{post.verdict.label.upper():5}", style=COLOUR[post.verdict])
        line.append(" " + printable(post.name))
        line.append(f"  ({post.channel or report.channel}; {printable(detail)})")
        console.print(line, soft_wrap=True)


def write_report(report: Report, console: Any, quiet: bool = False) -> None:
    """Print ``report`` on a rich ``console`` (its width decides the layout)."""
    if quiet:
        _quiet(report, console)
        return
    _run_header(report, console)
    shared = _shared_notes(report)
    table = use_table(report, console.width)
    for post in report.posts:
        _post(post, report, console, {n for n, _ in shared}, table)
    if len(report.posts) > 1:
        _summary(report, console)
        _final(report, console)
    _notes(report, shared, console)
    if any(p.findings for p in report.posts):
        hint = "`postcheck explain RULE` says what a rule checks and the policy clauses it enforces."
        _indented(console, _text(hint, "dim"), 0)


def _notes(report: Report, shared: Iterable[tuple[str, int]], console: Any) -> None:
    shared = list(shared)
    if not shared:
        return
    console.print(_text("Notes", "bold"))
    total = len(report.posts)
    for note, count in shared:
        where_ = "" if count == total else f" ({count} of {total} posts)"
        _indented(console, _text(f"{note}{where_}", "dim"))
    console.print()


def console_for(file: Any = None, width: int | None = None, color: bool = True) -> Any:
    """A rich console for the report: no markup or emoji codes are read from user text."""
    from rich.console import Console

    return Console(
        file=file,
        width=width,
        markup=False,
        highlight=False,
        emoji=False,
        no_color=not color or None,
        force_terminal=False if file is not None else None,
    )


def print_report(report: Report, quiet: bool = False) -> None:
    write_report(report, console_for(), quiet)


def render_text(report: Report, width: int = FILE_WIDTH) -> str:
    """The terminal report as plain text, for ``--output report.txt``."""
    buf = io.StringIO()
    write_report(report, console_for(buf, width, color=False))
    return buf.getvalue()
