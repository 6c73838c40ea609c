"""``postcheck rules``, ``explain``, ``config show`` and ``config validate``."""

from __future__ import annotations

import difflib
import re
from typing import Any

from postcheck import catalogue
from postcheck.config import RulesConfig
from postcheck.display import markup_safe as esc
from postcheck.errors import UsageError
from postcheck.model import CHANNELS
from postcheck.policy import BUILTIN_PACKS, Policy, load_policy, weakened

_CLAUSE = re.compile(r"^[A-Za-z]?\d+(\.\d+)*\.?$")


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def rule_doc(rule: str) -> str:
    """What a rule checks, why it matters and an example (its one definition)."""
    return catalogue.rule(rule).doc


def _sev(entry: Any, channel: str) -> str:
    s = entry.severity[channel]
    return s.label if s is not None else "off"


def print_rules(policy: Policy, rules_config: RulesConfig | None = None) -> None:
    """The pack's rules; ``rules_config`` adds how the config's [rules] weaken them."""
    from rich.table import Table

    table = Table(title=f"{policy.name} ({policy.id})", header_style="bold", expand=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("personal")
    table.add_column("official")
    table.add_column("approvable")
    table.add_column("clauses")
    for name in catalogue.RULE_IDS:
        entry = policy.rule(name)
        personal, official = _sev(entry, "personal"), _sev(entry, "official")
        for vname, v in entry.variants.items():
            personal += f" ({vname}: {_sev(v, 'personal')})"
            official += f" ({vname}: {_sev(v, 'official')})"
        table.add_row(
            name,
            personal,
            official,
            "yes" if entry.approvable else "no",
            ", ".join(entry.clauses) or ("(not in this pack: default)" if entry.default else "-"),
        )
    console = _console()
    console.print(table)
    for line in weakened(policy, rules_config) if rules_config is not None else ():
        console.print(f"[yellow]weakened:[/] {esc(line)}", soft_wrap=True)


def _rule_block(rule: str, policies: list[Policy]) -> None:
    from rich.table import Table

    console = _console()
    console.print(f"[bold]{rule}[/]: {catalogue.rule(rule).title}\n")
    console.print(rule_doc(rule), soft_wrap=True)
    console.print()
    table = Table(header_style="bold", expand=True)
    table.add_column("policy", no_wrap=True)
    table.add_column("personal", no_wrap=True)
    table.add_column("official", no_wrap=True)
    table.add_column("approvable", no_wrap=True)
    table.add_column("clauses")
    for pack in policies:
        entry = pack.rule(rule)
        clauses = "\n".join(esc(f"{c}: {pack.clauses[c]}") for c in entry.clauses) or "-"
        if entry.note:
            clauses += f"\n[dim]{esc(entry.note)}[/]"
        table.add_row(
            pack.id,
            _sev(entry, "personal"),
            _sev(entry, "official"),
            "yes" if entry.approvable else "no",
            clauses,
        )
    console.print(table)


def print_explanation(target: str, policy: Policy, explicit: bool = False) -> None:
    """Explain a rule (across the packs) or a clause (of one pack, or every pack that has it)."""
    target = target.strip()
    if target in catalogue.RULE_IDS:
        packs = [policy] if explicit else [load_policy(p) for p in BUILTIN_PACKS]
        _rule_block(target, packs)
        return
    if _CLAUSE.match(target):
        number = target.rstrip(".")
        packs = [policy] if explicit else [policy] + [load_policy(p) for p in BUILTIN_PACKS if p != policy.id]
        found = [p for p in packs if number in p.clauses]
        if not found:
            where = policy.id if explicit else "any built-in policy"
            raise UsageError(f"clause {number} is not in {where}; see `postcheck rules --policy ID`")
        console = _console()
        for pack in found:
            console.print(f"[bold]{esc(pack.name)}[/], clause {esc(number)}")
            console.print(f"  {esc(pack.clauses[number])}", soft_wrap=True)
            enforced = [r for r, e in pack.rules.items() if number in e.clauses]
            if enforced:
                console.print("  enforced by: " + ", ".join(enforced), soft_wrap=True)
            else:
                console.print(
                    "  not enforced by any automatic rule: it needs a person's judgement.", style="dim"
                )
            console.print()
        return
    close = difflib.get_close_matches(target, list(catalogue.RULE_IDS), n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "see `postcheck rules` for every rule"
    raise UsageError(f"{target!r} is neither a rule nor a clause number", hint=hint)


def print_config(config: Any) -> None:
    from rich.table import Table

    table = Table(
        title=esc(f"postcheck configuration: {config.path or 'none found (defaults)'}"),
        header_style="bold",
        expand=True,
    )
    table.add_column("key", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_column("from", overflow="fold")
    for key, value in sorted(config.values.items()):
        if isinstance(value, tuple | list):
            shown = ", ".join(str(v) for v in value) or "(none)"
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items()) or "(none)"
        else:
            shown = "(none)" if value is None else str(value)
        table.add_row(esc(key), esc(shown), esc(str(config.sources.get(key, "default"))))
    _console().print(table)


def validate(session: Any) -> list[str]:
    """Check what loading cannot: missing photos and logos, an uninstalled NLP model,
    logos too plain to detect. Prints a summary; returns the problems found."""
    import datetime as dt

    from postcheck.register import consent

    config = session.config
    problems: list[str] = []
    for logo in config.get("trust.logos"):
        if not logo.is_file():
            problems.append(f"trust.logos: {logo}: file not found")
    for person in session.register.people:
        if person.photos is not None and not person.photos.exists():
            problems.append(f"register: {person.id}: photos {person.photos}: not found")
    setting = config.get("nlp.model")
    if setting not in ("auto", "none"):
        import importlib.util

        if importlib.util.find_spec(setting) is None:
            problems.append(f"nlp.model: the spaCy pipeline {setting!r} is not installed")
    try:
        from postcheck.checks.image.logo import logo_problems
    except ImportError:
        logo_problems = None
    if logo_problems is not None and not problems:
        problems += logo_problems(config)
    console = _console()
    today = dt.date.today()
    pupils = session.register.pupils
    never = sum(1 for p in pupils if p.never_publish)
    expired = sum(
        1 for p in pupils if p.consent_expires and p.consent_expires < today and not p.never_publish
    )
    no_photo = sum(1 for p in pupils if not consent(p, today).photo)
    console.print(esc(f"config:   {config.path or 'none (defaults)'}"))
    policy = session.policy
    console.print(esc(f"policy:   {policy.name} ({policy.id}), default channel {session.channel}"))
    console.print(
        f"register: {len(pupils)} pupils ({never} never_publish, {expired} with expired consent, "
        f"{no_photo} without valid photo consent), {len(session.register.staff)} staff"
    )
    for problem in problems:
        console.print(f"[red]problem:[/] {esc(problem)}", soft_wrap=True)
    for line in weakened(session.policy, config.rules):
        console.print(f"[yellow]warning:[/] {esc(line)}", soft_wrap=True)
    for rule in session.policy.missing:
        console.print(
            f"[yellow]warning:[/] {rule} is not in the {session.policy.id} pack: postcheck's default "
            "severity applies and its findings cite no clause",
            soft_wrap=True,
        )
    console.print(
        "[green]configuration is valid[/]" if not problems else f"[red]{len(problems)} problem(s)[/]"
    )
    return problems


__all__ = ["CHANNELS", "print_config", "print_explanation", "print_rules", "rule_doc", "validate"]
