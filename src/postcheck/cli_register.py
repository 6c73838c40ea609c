"""``postcheck register enrol|status|purge``: the consent register's face data."""

from __future__ import annotations

import typer

register_app = typer.Typer(
    name="register",
    help="Consent register and face data: enrol reference photos, show status, purge.",
    no_args_is_help=True,
)
