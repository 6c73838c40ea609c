"""Helpers for the text-rule tests: a CheckContext for a fictional Trust, and a
draft wrapper. (No tests here.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from postcheck.checks import CheckContext
from postcheck.config import parse_config
from postcheck.inputs import TextDoc
from postcheck.policy import load_policy
from postcheck.register import Person, Register

TRUST = {
    "name": "The Enquire Learning Trust",
    "aliases": ["Enquire", "ELT"],
    "schools": ["Oakfield Primary Academy", "Riverside High School"],
    "domains": ["enquire.example.org", "oakfield.example.sch.uk"],
    "phones": ["01234 567890"],
    "emails": ["office@oakfield.example.sch.uk"],
}

REGISTER = Register(
    pupils=(
        Person("P001", "Amelia", "Smith", ("Millie",), "6", True, "first"),
        Person("P002", "Oliver", "Brown", ("Ollie",), "5", True, "yes"),
        Person("P003", "Zoë", "Okafor", (), "4"),
    ),
    staff=(
        Person("S001", "Sarah", "Whitfield", is_staff=True),
        Person("S002", "David", "Khan", is_staff=True),
    ),
)


def make_ctx(
    channel: str = "personal",
    pack: str = "enquire",
    trust: dict[str, Any] | None = None,
    disclaimer: list[str] | None = None,
    text: dict[str, Any] | None = None,
    register: Register = REGISTER,
) -> CheckContext:
    data: dict[str, Any] = {"policy": pack, "trust": dict(TRUST if trust is None else trust)}
    if disclaimer is not None:
        data["disclaimer"] = {"phrases": disclaimer}
    if text is not None:
        data["text"] = text
    config = parse_config(data, Path("/tmp/x/postcheck.toml"))
    return CheckContext(config, load_policy(pack), channel, register, today=dt.date(2026, 11, 20))


def draft(text: str) -> TextDoc:
    return TextDoc(text, "draft.txt")


def run(fn: Any, text: str, ctx: CheckContext | None = None, **kw: Any) -> list[Any]:
    """Run one text rule on ``text``: analyse it as the runner does, then call the rule."""
    ctx = ctx or make_ctx(**kw)
    return list(fn(ctx.analysis(draft(text)), ctx.text_context()))


def evidence(fn: Any, text: str, ctx: CheckContext | None = None, **kw: Any) -> list[str]:
    out = []
    for f in run(fn, text, ctx, **kw):
        assert f.span is not None and f.evidence is not None
        a, b = f.span
        assert 0 <= a < b <= len(text)
        out.append(text[a:b])
    return out
