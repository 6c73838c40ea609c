"""Which channel each post is checked on.

A run has a default channel (``--channel``, else the config's ``channel``). A
post can say otherwise, most specific first:

1. its draft's first line is ``channel: official`` (or ``personal``); a draft
   that opens with front matter (``---`` ... ``---``, as website generators
   use) may give ``channel:`` there instead;
2. it sits in a folder named ``official`` or ``personal``, at any depth of the
   path as it was given (``posts/official/trip.txt``, ``batch/personal/2025/``).

When the drafts of one post, or its folders, disagree with each other, or a
first line names an unknown channel, the channel is unknown and the post is
blocked rather than checked against the wrong rules. When a draft's first line
and its folder disagree, the draft wins and the report says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from postcheck.model import CHANNELS

_LINE = re.compile(r"^\s*channel\s*:\s*(?P<value>.*?)\s*$", re.IGNORECASE)
_FENCES = ("---", "+++")
_FRONT_MATTER_LINES = 60


def is_channel_folder(name: str) -> bool:
    return name.casefold() in CHANNELS


def folder_channel(parts: Iterable[str]) -> tuple[str, str] | None:
    """``(channel, folder)`` for the innermost folder among ``parts`` (a path's
    folder names, outermost first) named ``official`` or ``personal``."""
    found = None
    trail: list[str] = []
    for part in parts:
        trail.append(part)
        if is_channel_folder(part):
            found = (part.casefold(), PurePath(*trail).as_posix() + "/")
    return found


def declared_channel(text: str) -> str | None:
    """The channel a draft declares: the value of a first line ``channel: X``, or
    of a ``channel:`` key in front matter that opens the draft. ``None`` when the
    draft declares none. The value is returned as written (lower-cased), so that
    an unknown one (``channel: offical``) can be reported."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    head = lines[first].strip()
    if head in _FENCES:
        for line in lines[first + 1 : first + 1 + _FRONT_MATTER_LINES]:
            if line.strip() == head or line.strip() == "...":
                return None
            match = _LINE.match(line)
            if match:
                return _unquote(match["value"]).casefold()
        return None
    match = _LINE.match(head)
    return _unquote(match["value"]).casefold() if match else None


def _unquote(value: str) -> str:
    value = value.split(" #", 1)[0].strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1].strip()
    return value


@dataclass(frozen=True)
class ChannelChoice:
    """The channel a post is checked on. ``problem``: why it is unknown (the post
    is then blocked); ``note``: a disagreement the report should mention."""

    channel: str
    problem: str | None = None
    note: str | None = None


def choose(
    default: str,
    folders: Sequence[tuple[str, str]],
    drafts: Sequence[tuple[str, str]],
) -> ChannelChoice:
    """Decide a post's channel from ``folders`` (``(channel, folder)``) and
    ``drafts`` (``(declared value, draft name)``), else ``default``."""
    bad = [(value, where) for value, where in drafts if value not in CHANNELS]
    if bad:
        value, where = bad[0]
        return ChannelChoice(
            default,
            problem=f'{where} starts with "channel: {value}", which is not a channel: write '
            "channel: official or channel: personal",
        )
    said = _agree(drafts, "the drafts' first lines")
    if said.problem or said.channel:
        if said.channel and folders and said.channel not in {c for c, _ in folders}:
            channel, folder = folders[0]
            note = (
                f"channel {said.channel}: set by the first line of {drafts[0][1]} "
                f"(the folder {folder} says {channel})"
            )
            return ChannelChoice(said.channel, note=note)
        return ChannelChoice(said.channel or default, problem=said.problem)
    placed = _agree(folders, "the post's folders")
    return ChannelChoice(placed.channel or default, problem=placed.problem)


def _agree(claims: Sequence[tuple[str, str]], what: str) -> ChannelChoice:
    values = sorted({c for c, _ in claims})
    if not values:
        return ChannelChoice("")
    if len(values) > 1:
        names = "; ".join(f"{where}: {c}" for c, where in claims)
        return ChannelChoice(
            "",
            problem=f"{what} name different channels ({names}), so the post's channel is unknown: "
            "check official and personal posts separately",
        )
    return ChannelChoice(values[0])
