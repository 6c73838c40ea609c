"""Where ``postcheck check`` writes its report: standard output, ``--output``
(format from its extension when ``--format`` is not given; ``-`` is standard
output) and ``--also-output`` files. Light to import: no heavy library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from postcheck.errors import UsageError

STDOUT = Path("-")
_EXTENSIONS = ".txt .log .json .sarif .sarif.json .xml (JUnit) .html"


def output_format(fmt: str | None, output: Path | None) -> str:
    """``--format``, else the format ``--output``'s extension names, else text."""
    from postcheck.reporters import format_for

    if fmt is not None:
        return fmt
    if output is None or output == STDOUT:
        return "text"
    inferred = format_for(output)
    if inferred is None:
        raise UsageError(
            f"--output {output}: cannot tell the report format from the file name",
            hint=f"give --format, or one of these extensions: {_EXTENSIONS}",
        )
    return inferred


def check_free(output: Path | None, force: bool) -> None:
    if output is not None and output != STDOUT and output.exists() and not force:
        raise UsageError(f"{output}: already exists; use --force to overwrite it")


def write_output(text: str, output: Path | None, force: bool) -> None:
    if output is None or output == STDOUT:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
        return
    check_free(output, force)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{output}: cannot write: {exc.strerror}") from exc


def write_reports(
    report: Any, outputs: list[tuple[Path | None, str]], posts: Any, session: Any, **opts: Any
) -> None:
    """Print or write the report in each of ``outputs`` (``(path, format)``)."""
    from postcheck.reporters import render

    for path, fmt_name in outputs:
        if fmt_name == "text" and (path is None or path == STDOUT):
            from postcheck.reporters.terminal import print_report

            print_report(report, quiet=opts["quiet"])
            continue
        text = render(report, fmt_name, posts=posts, session=session, fail_on=opts["fail_on"])
        write_output(text, path, opts["force"])
    written = [str(p) for p, _ in outputs if p is not None and p != STDOUT]
    if written and not opts["quiet"]:
        from rich.console import Console

        from postcheck.display import markup_safe

        Console(stderr=True, highlight=False).print(
            f"postcheck: {report.verdict.label}: report written to {markup_safe(', '.join(written))}",
            soft_wrap=True,
        )
