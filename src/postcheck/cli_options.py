"""Options shared by ``postcheck check`` and ``postcheck fix`` (Typer only: light to import)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Channel(StrEnum):
    personal = "personal"
    official = "official"


ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="postcheck.toml to use (default: discovered; see README)."),
]
PolicyOpt = Annotated[
    str | None,
    typer.Option("--policy", "-p", help="Policy pack: haybrook, enquire, generic, or a pack file."),
]
ChannelOpt = Annotated[
    Channel | None,
    typer.Option("--channel", help="personal (your own accounts) or official (a school account)."),
]
ApprovalOpt = Annotated[
    str | None,
    typer.Option(
        "--approval", help="Reference of the Head Teacher's authorisation; waives approvable rules."
    ),
]
