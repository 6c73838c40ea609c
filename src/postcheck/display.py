"""Making user text safe to print: drafts, file names, register values, notes.

Everything postcheck prints to a terminal passes through :func:`printable`:
terminal control sequences (colour codes, cursor moves, window-title and
hyperlink escapes) and other control characters are removed, so a draft or a
file name cannot rewrite the screen. Rich markup is never applied to user
text: the terminal report builds :class:`rich.text.Text` objects, and
:func:`markup_safe` escapes what must go through a markup string.
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte escapes, and
# the one-byte C1 CSI; then every remaining C0/C1 control except tab and newline.
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without terminal control sequences or control characters
    (newline and tab are kept; a carriage return is dropped)."""
    return _CONTROLS.sub("", _SEQUENCES.sub("", text))


def markup_safe(text: str) -> str:
    """``text`` made printable and escaped for a rich markup string."""
    from rich.markup import escape

    return escape(printable(text))
