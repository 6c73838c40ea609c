"""Options shared by ``postcheck check`` and ``postcheck fix`` (Typer only: light to import)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Channel(StrEnum):
    personal = "personal"
    official = "official"


class Format(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    junit = "junit"
    html = "html"


class Group(StrEnum):
    post = "post"
    stem = "stem"
    file = "file"


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
    typer.Option(
        "--channel",
        help="personal (your own accounts) or official (a school account): the default for posts "
        "that do not say (a folder named official/personal, a first line 'channel: official').",
    ),
]
GroupOpt = Annotated[
    Group,
    typer.Option(
        "--group",
        "-g",
        help="How files named together become posts: post (all one post), stem (a draft and the "
        "photos of its name, per folder), file (one post per draft). Folders are always batches.",
    ),
]
ApprovalOpt = Annotated[
    str | None,
    typer.Option(
        "--approval", help="Reference of the Head Teacher's authorisation; waives approvable rules."
    ),
]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="Report format (default: from --output's extension, else text).",
        show_default=False,
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="One line per post.")]
