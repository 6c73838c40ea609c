"""GitHub Actions annotations: ``--format github``.

One workflow command per finding, which GitHub shows on the pull request's
changed files (annotations need no code-scanning plan)::

    ::error file=posts/trip.md,line=3,title=pupil-full-name (clauses 2.4, 2.5)::Names a pupil...

Block findings are ``error``, warn findings ``warning``, findings waived by
``--approval`` ``notice``. Lines are given for ``.txt`` and ``.md`` drafts
only (a ``.docx`` or ``.html`` finding says which line of the document's text
instead). Paths are relative to the folder postcheck ran in. Only a finding's
``message`` is written, never its ``detail`` or ``label``. Values are escaped
as the GitHub Actions toolkit does, so no text from a draft can start a
workflow command of its own.
"""

from __future__ import annotations

from pathlib import Path

from postcheck.display import printable
from postcheck.model import Finding, PostResult, Report, Severity
from postcheck.reporters.locations import finding_file, is_plain_text, relative_path

COMMAND = {Severity.BLOCK: "error", Severity.WARN: "warning", Severity.PASS: "notice"}


def escape_data(value: str) -> str:
    return printable(value).replace("%", "%25").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _line(value: str) -> str:
    """A plain log line: printable, on one line."""
    return " ".join(printable(value).split())


def annotation(f: Finding, post: PostResult, report: Report, base: Path | None = None) -> str:
    command = "notice" if f.approved else COMMAND[f.severity or Severity.WARN]
    props = {"file": relative_path(finding_file(f, post), base)}
    message = f.message
    if is_plain_text(f, post):
        props["line"] = str(f.line or 1)
    elif f.line is not None:
        message += f" (line {f.line} of the document's text)"
    clauses = f" (clauses {', '.join(f.clauses)})" if f.clauses else ""
    props["title"] = f"{f.rule}{clauses}" + (" waived" if f.approved else "")
    if f.approved:
        message += f" (waived by the approval {report.approval})"
    channel = post.channel or report.channel
    message += f" [post {post.name}, {channel} channel]"
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
    return f"::{command} {head}::{escape_data(message)}"


def render_github(report: Report, base: Path | None = None) -> str:
    lines: list[str] = []
    for line in report.weakened:
        lines.append(f"::warning title={escape_property('postcheck: policy weakened')}::{escape_data(line)}")
    for post in report.posts:
        for f in post.findings:
            lines.append(annotation(f, post, report, base))
        channel = post.channel or report.channel
        counted = sum(1 for f in post.findings if not f.approved)
        lines.append(
            _line(
                f"postcheck: {post.verdict.label.upper()} {post.name} ({channel} channel, "
                f"{counted} finding{'s' if counted != 1 else ''})"
            )
        )
    counts = report.counts
    posts = f"{len(report.posts)} post{'s' if len(report.posts) != 1 else ''}"
    lines.append(
        f"postcheck: {report.verdict.label} ({posts}: "
        f"{counts['block']} block, {counts['warn']} warn, {counts['pass']} pass)"
    )
    return "\n".join(lines) + "\n"
