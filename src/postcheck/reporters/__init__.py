"""Reporters: terminal (rich), JSON (schema 1), SARIF 2.1.0 and HTML."""

from __future__ import annotations

from typing import Any

from postcheck.model import Report


def render(report: Report, fmt: str, posts: list[Any] | None = None, session: Any = None) -> str:
    """The report as text in ``fmt`` (json, sarif, html or text)."""
    if fmt == "json":
        from postcheck.reporters.json import render_json

        return render_json(report)
    if fmt == "sarif":
        from postcheck.reporters.sarif import render_sarif

        return render_sarif(report, session.policy if session else None)
    if fmt == "html":
        from postcheck.reporters.html import render_html

        return render_html(report, posts)
    from postcheck.reporters.terminal import render_text

    return render_text(report)
