"""The command line: ``postcheck [check] INPUT...`` and its companions.

``check`` is the default command, so ``postcheck draft.txt photo.jpg`` works.
Exit codes (DESIGN §2): 0 pass, 1 warn, 2 block, 64 usage, 66 missing input,
78 configuration, 70 internal error. Heavy libraries are never imported here.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from postcheck import __version__
from postcheck.cli_approval import ReceiptOpt, mount_approval
from postcheck.cli_group import DefaultCommandGroup, err_console
from postcheck.cli_options import (
    ApprovalOpt,
    ChannelOpt,
    ConfigOpt,
    FormatOpt,
    Group,
    GroupOpt,
    PolicyOpt,
    QuietOpt,
)
from postcheck.errors import EXIT_BLOCK, EXIT_CONFIG, EXIT_PASS, EXIT_WARN, UsageError

app = typer.Typer(
    name="postcheck",
    cls=DefaultCommandGroup,
    help=(
        "Check a social media post against your school's policy before it is published.\n\n"
        "Example: postcheck draft.txt photo.jpg\n\n"
        "Exit codes: 0 pass, 1 warn, 2 block, 64 usage error, 66 missing input, "
        "78 configuration error, 70 internal error (`postcheck verify` has its own: see README)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from postcheck.faces.dlib_model import describe  # no dlib import: versions from metadata

        typer.echo(f"postcheck {__version__}\n{describe()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Check a social media post against your school's policy before it is published."""


class FailOn(StrEnum):
    warn = "warn"
    block = "block"
    never = "never"


def exit_code_for(verdict: int, fail_on: str) -> int:
    """The process exit code for a verdict under ``--fail-on``."""
    if fail_on == "never":
        return EXIT_PASS
    if verdict == 2:
        return EXIT_BLOCK
    if verdict == 1:
        return EXIT_WARN if fail_on == "warn" else EXIT_PASS
    return EXIT_PASS


def load_session(
    config_path: Path | None, policy: str | None, channel: str | None, approval: str | None
) -> Any:
    """Config, pack, register and channel for a run (raises ConfigError → 78)."""
    from postcheck.config import resolve_config
    from postcheck.policy import load_policy
    from postcheck.register import load_register
    from postcheck.runner import Session
    from postcheck.waivers import load_waivers

    if config_path is not None and not config_path.exists():
        from postcheck.errors import ConfigError

        raise ConfigError(f"{config_path}: config file not found")
    config = resolve_config(config_path)
    if config.path is None:
        pack_note = "" if policy else "the generic policy, "
        err_console().print(
            f"[yellow]postcheck: no postcheck.toml found:[/] using {pack_note}no consent register and no "
            "Trust details, so every face is unknown. Run `postcheck init` to set up your school.",
            soft_wrap=True,
        )
    pack = load_policy(policy or config.policy, config.base if policy is None else Path.cwd())
    register = load_register(config)
    if not register.empty:  # photos are matched against face data: refuse it now if it is not private
        from postcheck.faces.cache import check_private

        check_private()
    waivers = load_waivers(config, pack)  # approval workflows: waivers.toml beside the config
    return Session(config, pack, channel or config.channel, register, approval, waivers=waivers)


@app.command(
    "check",
    help=(
        "Check a post (a draft and its photos) or a folder of posts.\n\n"
        "All files named together form one post (--group stem: a draft and the photos of its "
        "name; --group file: one post per draft); a folder is a batch in which each subfolder is a "
        "post and loose files are grouped by name (assembly.txt + assembly.jpg + assembly-2.jpg). "
        "A folder named official or personal sets the channel of the posts in it.\n\n"
        "Example: postcheck draft.txt photo.jpg --channel official --approval HT-114"
    ),
)
def check(
    inputs: Annotated[
        list[str], typer.Argument(help="Drafts (.txt .md .docx .html, - for stdin), photos, or folders.")
    ],
    channel: ChannelOpt = None,
    policy: PolicyOpt = None,
    config: ConfigOpt = None,
    group: GroupOpt = Group.post,
    fmt: FormatOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report to this file (- for standard output; never an input or inside an input "
            "folder).",
        ),
    ] = None,
    also: Annotated[
        list[Path] | None,
        typer.Option(
            "--also-output",
            metavar="FILE",
            help="Also write the report to this file, in the format its extension names (repeatable).",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Overwrite the --output file (and --receipt files) if they exist; never an input."
        ),
    ] = False,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Lowest verdict that gives a non-zero exit code.")
    ] = FailOn.warn,
    approval: ApprovalOpt = None,
    quiet: QuietOpt = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, max=64, help="Worker processes for a batch.")
    ] = 1,
    receipt: ReceiptOpt = None,
) -> None:
    from postcheck.batch import check_posts
    from postcheck.cli_approval import finish_check, plan_receipts
    from postcheck.cli_output import check_free, output_conflict, output_format, write_reports
    from postcheck.inputs import collect_posts

    fmt_name = output_format(fmt.value if fmt else None, output)
    outputs = [(output, fmt_name), *((path, output_format(None, path)) for path in also or [])]
    for path, _ in outputs:
        clash = output_conflict(path, inputs) if path is not None and str(path) != "-" else None
        if clash:  # never, even with --force: postcheck does not modify its inputs
            raise UsageError(f"--output {path}: {clash}; postcheck never writes over or into an input")
        check_free(path, force)
    clash = output_conflict(receipt, inputs, folder=receipt.is_dir()) if receipt is not None else None
    if clash:
        raise UsageError(f"--receipt {receipt}: {clash}; postcheck never writes over or into an input")
    posts = collect_posts(inputs, group=group.value)
    session = load_session(config, policy, channel.value if channel else None, approval)
    if not posts:
        raise UsageError("nothing to check: the folder has no drafts or photos")
    receipts = plan_receipts(receipt, posts, force)  # approval workflows: signing key loaded first
    if len(posts) > 1 and not quiet:
        from postcheck.progress import progress_bar

        with progress_bar(len(posts), "Checking posts") as advance:
            report = check_posts(posts, session, jobs, on_done=lambda r: advance(r.name))
    else:
        report = check_posts(posts, session, jobs)
    write_reports(report, outputs, posts, session, force=force, quiet=quiet, fail_on=fail_on.value)
    code = exit_code_for(int(report.verdict), fail_on.value)
    finish_check(report, session, receipts, code)  # approval workflows: receipts, then the audit record
    raise typer.Exit(code)


@app.command(
    "init",
    help=(
        "Write a starter postcheck.toml and register templates, and create the signing key for "
        "receipts in your user config folder if there is none.\n\n"
        "Default folder: your user config folder. Example: postcheck init school-setup --policy enquire"
    ),
)
def init(
    folder: Annotated[Path | None, typer.Argument(help="Folder to set up.")] = None,
    policy: Annotated[str, typer.Option("--policy", "-p", help="haybrook, enquire or generic.")] = "generic",
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
) -> None:
    from postcheck.setup import init_folder

    written = init_folder(folder, policy, force)
    for path in written:
        typer.echo(f"wrote {path}")
    from postcheck.keys import create_key

    key, created = create_key()  # approval workflows: the signing key for receipts, never replaced here
    typer.echo(f"{'wrote' if created else 'kept'} signing key for receipts {key}")
    typer.echo("Next: fill in register/pupils.csv, then run `postcheck config validate`.")


@app.command(
    "rules",
    help="List every rule with its severity per channel and the clauses it enforces.\n\n"
    "Example: postcheck rules --policy haybrook",
)
def rules(policy: PolicyOpt = None, config: ConfigOpt = None) -> None:
    from postcheck.config import resolve_config
    from postcheck.explain import print_rules

    print_rules(_policy_for(policy, config), resolve_config(config).rules)


@app.command(
    "explain",
    help="Explain a rule or a policy clause.\n\n"
    "Examples: postcheck explain pupil-full-name    postcheck explain 3.2.2 --policy haybrook",
)
def explain(
    target: Annotated[str, typer.Argument(help="A rule name or a clause number.")],
    policy: PolicyOpt = None,
    config: ConfigOpt = None,
) -> None:
    from postcheck.explain import print_explanation

    print_explanation(target, _policy_for(policy, config), explicit=policy is not None)


def _policy_for(policy: str | None, config_path: Path | None) -> Any:
    from postcheck.config import resolve_config
    from postcheck.policy import load_policy

    if policy is not None:
        return load_policy(policy, Path.cwd())
    config = resolve_config(config_path)
    return load_policy(config.policy, config.base)


config_app = typer.Typer(
    name="config",
    help="Show or validate the configuration.\n\n"
    "Example: postcheck config validate --config school/postcheck.toml",
    no_args_is_help=True,
)
app.add_typer(config_app)


@config_app.command(
    "show",
    help="Show the merged configuration and the file each value came from.\n\n"
    "Example: postcheck config show --config school/postcheck.toml",
)
def config_show(config: ConfigOpt = None) -> None:
    from postcheck.config import resolve_config
    from postcheck.explain import print_config

    print_config(resolve_config(config))


@config_app.command(
    "validate",
    help="Check the configuration, policy pack and register; exit 78 on any problem.\n\n"
    "Example: postcheck config validate --config school/postcheck.toml",
)
def config_validate(config: ConfigOpt = None) -> None:
    from postcheck.explain import validate

    problems = validate(load_session(config, None, None, None))
    if problems:
        raise typer.Exit(EXIT_CONFIG)


from postcheck.cli_register import register_app  # noqa: E402

app.add_typer(register_app, name="register")


def _mount_fix() -> None:
    from postcheck import cli_fix

    fix_command = getattr(cli_fix, "fix_command", None)
    if fix_command is not None:
        app.command(
            "fix",
            help="Write safe copies of posts into --out DIR: faces covered, metadata removed, "
            "names cut to what consent allows.\n\nExample: postcheck fix sports-day/ --out safe/",
        )(fix_command)


_mount_fix()
mount_approval(app)

from postcheck.cli_demo import demo_command  # noqa: E402

app.command("demo")(demo_command)


def main() -> None:
    """Console-script entry point.

    When the command is done, and its reports and records are written and closed,
    the process ends at once: tearing down the interpreter (spaCy's, onnxruntime's
    and numpy's objects, module by module) cost about 0.3 s of CPU after every
    check, a third of a text-only check (bench/bench_text.py). Nothing is left
    unwritten: files are closed by the code that writes them, the audit database
    commits each record, and standard output and error are flushed here.
    """
    command = typer.main.get_command(app)
    try:
        command.main(prog_name="postcheck")
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing more can be said
                pass
        os._exit(code)
