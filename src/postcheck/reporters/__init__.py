"""Reporters: terminal (rich), JSON (schema 1), SARIF 2.1.0, GitHub annotations,
JUnit XML and HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from postcheck.model import Report

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "github", "junit", "html")
# --output's extension → format, when --format is not given
EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".log": "text",
    ".json": "json",
    ".sarif": "sarif",
    ".sarif.json": "sarif",
    ".xml": "junit",
    ".html": "html",
    ".htm": "html",
}


def format_for(path: Path) -> str | None:
    """The format an output file's name asks for (``report.sarif.json`` → sarif)."""
    name = path.name.lower()
    for ext in sorted(EXTENSIONS, key=len, reverse=True):
        if name.endswith(ext) and len(name) > len(ext):
            return EXTENSIONS[ext]
    return None


def render(
    report: Report,
    fmt: str,
    posts: list[Any] | None = None,
    session: Any = None,
    fail_on: str = "warn",
    base: Path | None = None,
) -> str:
    """The report as text in ``fmt`` (one of :data:`FORMATS`). ``base``: the folder
    CI formats make paths relative to (default: the current folder)."""
    if fmt == "json":
        from postcheck.reporters.json import render_json

        return render_json(report)
    if fmt == "sarif":
        from postcheck.reporters.sarif import render_sarif

        return render_sarif(report, session.policy if session else None, base)
    if fmt == "github":
        from postcheck.reporters.github import render_github

        return render_github(report, base)
    if fmt == "junit":
        from postcheck.reporters.junit import render_junit

        return render_junit(report, fail_on, base)
    if fmt == "html":
        from postcheck.reporters.html import render_html

        return render_html(report, posts)
    from postcheck.reporters.terminal import render_text

    return render_text(report)
