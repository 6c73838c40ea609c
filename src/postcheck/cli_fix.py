"""``postcheck fix``: safe copies of what can be made safe.

Mounted by :mod:`postcheck.cli` as ``postcheck fix``. Only Typer is imported
here; the work lives in :mod:`postcheck.fix` (the run), :mod:`postcheck.fix_text`
(drafts), :mod:`postcheck.fix_photo` (photos, with Pillow) and
:mod:`postcheck.fix_outputs` (names and safe writing), imported when the command runs.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from postcheck.cli_options import ApprovalOpt, ChannelOpt, ConfigOpt, Group, GroupOpt, PolicyOpt


class Cover(StrEnum):
    solid = "solid"
    pixelate = "pixelate"
    blur = "blur"


class Names(StrEnum):
    initials = "initials"
    remove = "remove"


def fix_command(
    inputs: Annotated[
        list[str], typer.Argument(help="Drafts (.txt .md .docx .html, - for stdin), photos, or folders.")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-O", help="Folder for the safe copies (created if needed; never an input's own folder)."
        ),
    ],
    config: ConfigOpt = None,
    policy: PolicyOpt = None,
    channel: ChannelOpt = None,
    group: GroupOpt = Group.post,
    approval: ApprovalOpt = None,
    cover: Annotated[
        Cover,
        typer.Option(
            "--cover",
            help="How faces are covered: solid (default: nothing of the face survives), pixelate, or blur.",
        ),
    ] = Cover.solid,
    names: Annotated[
        Names,
        typer.Option("--names", help="Names a pupil's consent does not allow: initials (A. S.) or remove."),
    ] = Names.initials,
    force: Annotated[bool, typer.Option("--force", help="Replace copies already in --out.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=64, help="Worker processes.")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar; one line per post.")] = False,
) -> None:
    """Write safe copies of posts into --out DIR, check the copies, print both verdicts.

    Photos: orientation baked in, metadata removed (colour profile kept), faces
    without valid consent (and, on a personal post, every pupil) covered over
    the whole head, text with a pupil's name covered. Drafts: names cut to what
    consent allows, personal data and (personal posts) the Trust's contact
    details removed, the disclaimer added. Anything else is listed as still to
    fix by hand. Exit code: the copies' verdict (0 pass, 1 warn, 2 block); a copy
    kept from an earlier run that no longer matches its original is block.

    Example: postcheck fix sports-day/ --out safe/ --channel official
    """
    from contextlib import ExitStack

    from postcheck.cli import load_session
    from postcheck.cli_output import output_conflict
    from postcheck.errors import UsageError
    from postcheck.fix import fix_posts
    from postcheck.inputs import collect_posts

    clash = output_conflict(out, inputs, folder=True)
    if clash:
        raise UsageError(f"--out {out}: {clash}; postcheck never writes over or into an input")
    posts = collect_posts(inputs, group=group.value)
    if not posts:
        raise UsageError("nothing to fix: no drafts or photos among the inputs")
    session = load_session(config, policy, channel.value if channel else None, approval)
    with ExitStack() as stack:
        progress = None if quiet else _progress(stack)
        run = fix_posts(
            posts,
            session,
            out,
            cover_mode=cover.value,
            names=names.value,
            force=force,
            jobs=jobs,
            progress=progress,
        )
    print_fix(run, quiet=quiet)
    from postcheck.audit_records import record_fix

    record_fix(run, session, int(run.verdict))  # approval workflows: the audit record
    raise typer.Exit(int(run.verdict))


def _progress(stack: Any) -> Any:
    """``progress(stage, total)`` → ``advance(name)``: one rich bar per stage on
    stderr, each closed before the next opens (rich draws one live display at a time)."""
    from contextlib import ExitStack

    from postcheck.progress import progress_bar

    current: list[ExitStack] = []

    def close() -> None:
        while current:
            current.pop().close()

    stack.callback(close)

    def start(stage: str, total: int) -> Any:
        close()
        inner = ExitStack()
        current.append(inner)
        return inner.enter_context(progress_bar(total, stage))

    return start


def print_fix(run: Any, quiet: bool = False) -> None:
    """The old and new verdict of every post, what changed, and what is left."""
    from rich.console import Console
    from rich.table import Table

    from postcheck.display import markup_safe as escape
    from postcheck.fix import reason_for, still_by_hand, with_clauses
    from postcheck.model import Severity

    console = Console(highlight=False)
    colour = {Severity.BLOCK: "red", Severity.WARN: "yellow", Severity.PASS: "green"}

    def verdict(v: Severity | None) -> str:
        if v is None:
            return "[dim]no copy[/]"
        return f"[bold {colour[v]}]{v.label}[/]"

    def after(pf: Any) -> str:
        if pf.stale:
            return "[bold red]block[/] [dim](copy out of date)[/]"
        return verdict(pf.verdict if pf.after is not None else None)

    if quiet:
        for pf in run.posts:
            after_ = pf.verdict.label if pf.after is not None else "no copy"
            if pf.stale:
                after_ = "block (copy out of date)"
            console.print(f"{escape(pf.name)}: {pf.before.verdict.label} -> {after_}", soft_wrap=True)
        return
    table = Table(title=f"Safe copies in {escape(str(run.out))}", header_style="bold", expand=False)
    table.add_column("post")
    table.add_column("before", no_wrap=True)
    table.add_column("after", no_wrap=True)
    table.add_column("copies")
    table.add_column("left to fix", justify="right")
    for pf in run.posts:
        copies = "\n".join(
            f"{escape(f.original)} -> {escape(str(f.output)) if f.output else '(not copied)'}"
            + {"kept": " [dim](kept)[/]", "stale": " [red](out of date)[/]"}.get(f.status, "")
            for f in pf.files
        )
        left = still_by_hand(pf)
        table.add_row(
            escape(pf.name),
            verdict(pf.before.verdict),
            after(pf),
            copies or "-",
            str(len(left)),
        )
    console.print(table)
    for pf in run.posts:
        changes = [(f, c) for f in pf.files for c in f.changes]
        left = still_by_hand(pf)
        if not changes and not left:
            continue
        console.print(f"\n[bold]{escape(pf.name)}[/]", soft_wrap=True)
        for f, change in changes:
            target = f.output.name if f.output else f.original
            word = {"kept": "kept ", "stale": "kept ", "skipped": "not copied"}.get(f.status, "fixed")
            console.print(f"  {word}  {escape(target)}: {escape(change)}", soft_wrap=True)
        if left:
            console.print("  [bold]still to fix by hand:[/]")
            for finding in left:
                sev = finding.severity.label if finding.severity is not None else "warn"
                console.print(
                    f"  [{colour.get(finding.severity or Severity.WARN, 'yellow')}]{sev}[/] "
                    f"{escape(finding.rule)} (clauses {escape(with_clauses(finding))}): "
                    f"{escape(finding.message)} [dim]({escape(reason_for(finding))})[/]",
                    soft_wrap=True,
                )
    console.print(f"\nCopies: {verdict(run.verdict)}")
